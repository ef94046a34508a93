"""Webhook deliveries, POSTed from a background thread and recorded for tests and operators.

A delivery never blocks the API: it is queued, and one worker thread (started when there is
work, gone once the queue stays empty) POSTs it with a bounded timeout. Each is recorded with
how it ended; a failed one is tried `attempts` times in all, then left `failed`.
"""

from __future__ import annotations

import itertools
import json
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from adapters.sandbox.shipstation.v2.wire import iso

Row = dict[str, Any]
IDLE_SECONDS = 2.0


@dataclass
class _Job:
    record: Row
    body: bytes
    headers: dict[str, str]
    sign: Callable[[bytes], dict[str, str]] | None


class Deliveries:
    def __init__(self, timeout: float = 5.0, attempts: int = 2, pause: float = 0.2) -> None:
        self.timeout, self.attempts, self.pause = timeout, attempts, pause
        self.records: list[Row] = []
        self._queue: queue.Queue[_Job] = queue.Queue()
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self._ids = itertools.count(1)

    def send(
        self,
        record: Row,
        payload: Row,
        headers: dict[str, str],
        sign: Callable[[bytes], dict[str, str]] | None = None,
    ) -> Row:
        """Queue one POST of `payload` to `record["url"]`; returns its record (kept up to date)."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        with self._lock:
            record.update(delivery_id=next(self._ids), payload=payload, state="pending",
                          status_code=None, error=None, attempts=0, signed=sign is not None,
                          queued_at=iso(datetime.now(UTC)), finished_at=None)  # fmt: skip
            self.records.append(record)
            self._queue.put(_Job(record, body, dict(headers), sign))
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="sandbox-webhooks",
                                                daemon=True)  # fmt: skip
                self._worker.start()
        return record

    def snapshot(self) -> list[Row]:
        with self._lock:
            return [dict(r) for r in self.records]

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout, follow_redirects=False) as http:
            while True:
                try:
                    job = self._queue.get(timeout=IDLE_SECONDS)
                except queue.Empty:
                    with self._lock:
                        if self._queue.empty():
                            self._worker = None
                            return
                    continue
                self._deliver(http, job)

    def _deliver(self, http: httpx.Client, job: _Job) -> None:
        for attempt in range(1, self.attempts + 1):
            headers = {"content-type": "application/json", **job.headers}
            if job.sign is not None:
                headers.update(job.sign(job.body))  # stamped at each attempt
            try:
                answer = http.post(job.record["url"], content=job.body, headers=headers)
                status = answer.status_code
                error = None if answer.is_success else f"the receiver answered {status}"
            except httpx.HTTPError as exc:
                status, error = None, f"{type(exc).__name__}: {exc}"
            with self._lock:
                job.record.update(attempts=attempt, status_code=status, error=error)
            if error is None:
                break
            if attempt < self.attempts:
                time.sleep(self.pause * attempt)
        with self._lock:
            job.record.update(state="failed" if job.record["error"] else "delivered",
                              finished_at=iso(datetime.now(UTC)))  # fmt: skip
