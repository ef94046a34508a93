"""The domain's Background port on a thread: a call started here runs beside the caller's work
(a batch sent to ShipStation while the next Temu page is imported); the caller takes its result."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from domain.ports import Pending

T = TypeVar("T")


class _Started(Pending[T]):
    def __init__(self, future: Future[T]) -> None:
        self._future = future

    def done(self) -> bool:
        return self._future.done()

    def result(self) -> T:
        return self._future.result()


class ThreadBackground:
    """One worker thread per process, made on first use: calls run one after another, each in
    a copy of its caller's context (Prefect's run context goes along for logging)."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None

    def start(self, call: Callable[[], T]) -> Pending[T]:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="temuship-beside")
        return _Started(self._pool.submit(contextvars.copy_context().run, call))
