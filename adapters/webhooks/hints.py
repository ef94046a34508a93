"""The hand-off between the receiver and the label check: deliveries are queued (the receiver
answers at once) and a worker thread takes whatever has arrived, so a burst of deliveries for
one account asks the handler once, with all of them."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

from adapters.webhooks.receiver import Delivery

log = logging.getLogger(__name__)

SETTLE_S = 0.5  # after the first delivery of a burst, how long the rest may take to arrive
MAX_QUEUED = 10_000  # deliveries past this are dropped: the one-minute check finds the labels


class Hints:
    """Coalesces deliveries per account; `handle(account, deliveries)` once per burst."""

    def __init__(
        self, handle: Callable[[str, list[Delivery]], None], settle_s: float = SETTLE_S
    ) -> None:
        self.handle, self.settle_s = handle, settle_s
        self._queue: queue.Queue[Delivery | None] = queue.Queue(maxsize=MAX_QUEUED)
        self._thread: threading.Thread | None = None
        self.dropped = 0

    def put(self, delivery: Delivery) -> None:
        try:
            self._queue.put_nowait(delivery)
        except queue.Full:
            self.dropped += 1

    def start(self) -> Hints:
        self._thread = threading.Thread(target=self._run, name="webhook-hints", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> bool:
        """True if the thread ended within `timeout` (or never started)."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def _run(self) -> None:
        while self.run_once(block=True):
            pass

    def run_once(self, block: bool = False) -> bool:
        """Take one burst (waiting for its first delivery if `block`), hand each account's
        deliveries over once; False once stopped."""
        burst, going = self._burst(block)
        for account, deliveries in burst.items():
            try:
                self.handle(account, deliveries)
            except Exception:  # the label check still runs on its own clock
                log.exception("handling %d webhook deliveries failed", len(deliveries))
        return going

    def _burst(self, block: bool) -> tuple[dict[str, list[Delivery]], bool]:
        burst: dict[str, list[Delivery]] = {}
        try:
            first = self._queue.get(block=block)
        except queue.Empty:
            return burst, True
        if first is None:
            return burst, False
        burst.setdefault(first.account, []).append(first)
        deadline = time.monotonic() + (self.settle_s if block else 0.0)
        while True:
            try:
                item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return burst, True
            if item is None:
                return burst, False
            burst.setdefault(item.account, []).append(item)
