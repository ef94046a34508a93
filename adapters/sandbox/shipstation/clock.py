"""Clocks for the simulated ShipStation: real, virtual (tests) or scaled (benchmarks).

A client and the sandbox share one clock object so that the real 40-a-minute limit can be
exercised in seconds: the client's sleeps advance (or shorten) the sandbox's minute too.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class SandboxClock(Protocol):
    def monotonic(self) -> float: ...

    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...


class RealClock:
    """Wall time."""

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        time.sleep(max(seconds, 0.0))


class VirtualClock:
    """Time that moves only when someone sleeps (or calls `advance`): sleeps are instant."""

    def __init__(self, start: datetime | None = None) -> None:
        self.start = start or datetime(2025, 3, 3, 17, 0, tzinfo=UTC)
        self.elapsed = 0.0
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        return self.elapsed

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.elapsed)

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.elapsed += max(seconds, 0.0)


class ScaledClock:
    """Wall time running `scale` times faster: a 60-second window lasts 60/scale real seconds."""

    def __init__(self, scale: float) -> None:
        self.scale = scale
        self._origin = time.monotonic()
        self._start = datetime.now(UTC)

    def monotonic(self) -> float:
        return (time.monotonic() - self._origin) * self.scale

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self.monotonic())

    def sleep(self, seconds: float) -> None:
        time.sleep(max(seconds, 0.0) / self.scale)
