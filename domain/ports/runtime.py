"""What the use cases need from the running process: a clock, an event sink, the per-shop lock,
and the one bundle of ports every use case takes."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar

from domain.ports.gateways import ShipStationGateway, TemuGateway
from domain.ports.storage import UnitOfWork
from domain.secrets import Secret
from domain.shop import Shop


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class EventSink(Protocol):
    def emit(self, event: str, shop_id: str, payload: dict[str, Any]) -> None:
        """Announce something about a shop (ids and counts only, never secrets)."""
        ...


class NoEvents:
    def emit(self, event: str, shop_id: str, payload: dict[str, Any]) -> None:
        return None


T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Pending(Protocol[T_co]):
    """A call started beside the caller's work."""

    def done(self) -> bool: ...

    def result(self) -> T_co:
        """Its result, once it is done (waits for it); raises what the call raised."""
        ...


class Background(Protocol):
    """Where a use case starts a call that may run beside its own work (sending a batch to
    ShipStation while Temu is still read). The use case itself stays on the caller's thread:
    only the call runs elsewhere, and its result is taken in by the caller."""

    def start(self, call: Callable[[], T]) -> Pending[T]: ...


class _Done(Generic[T]):
    def __init__(self, call: Callable[[], T]) -> None:
        self._value: T | None = None
        self._error: BaseException | None = None
        try:
            self._value = call()
        except Exception as error:  # kept, raised by result() as a started call would
            self._error = error

    def done(self) -> bool:
        return True

    def result(self) -> T:
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]


class Inline:
    """Runs the call at once, on the caller's thread (tests, plans, one-thread set-ups)."""

    def start(self, call: Callable[[], T]) -> Pending[T]:
        return _Done(call)


@dataclass
class Services:
    """The ports a use case takes: a unit-of-work factory, the per-shop gateways, the lock,
    the clock, the event sink and where a call may run beside the caller's work.
    `flows/wiring.py` builds the real one; tests build fakes."""

    uow: Callable[[], UnitOfWork]
    temu_for: Callable[[Shop], TemuGateway]
    shipstation_for: Callable[[Shop], ShipStationGateway]
    shop_lock: Callable[[str], AbstractContextManager[bool]]
    clock: Clock = field(default_factory=SystemClock)
    events: EventSink = field(default_factory=NoEvents)
    background: Background = field(default_factory=Inline)
    temu_for_token: Callable[[Shop, Secret], TemuGateway] | None = None
    plan_store: Callable[[], AbstractContextManager[Callable[[], UnitOfWork]]] | None = None
    """For a plan: a unit-of-work factory whose commits vanish when the block ends."""
    temu_backlog: Callable[[str, bool], None] = field(default=lambda shop_id, backlog: None)
    """Tells the shop's Temu budget that what follows is a backlog (True) or incremental work
    (False): a backlog takes what the key's other shops leave."""
