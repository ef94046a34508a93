"""What the use cases need from the running process: a clock, an event sink, the per-shop lock,
and the one bundle of ports every use case takes."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

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


@dataclass
class Services:
    """The ports a use case takes: a unit-of-work factory, the per-shop gateways, the lock,
    the clock and the event sink. `flows/wiring.py` builds the real one; tests build fakes."""

    uow: Callable[[], UnitOfWork]
    temu_for: Callable[[Shop], TemuGateway]
    shipstation_for: Callable[[Shop], ShipStationGateway]
    shop_lock: Callable[[str], AbstractContextManager[bool]]
    clock: Clock = field(default_factory=SystemClock)
    events: EventSink = field(default_factory=NoEvents)
    temu_for_token: Callable[[Shop, Secret], TemuGateway] | None = None
    plan_store: Callable[[], AbstractContextManager[Callable[[], UnitOfWork]]] | None = None
    """For a plan: a unit-of-work factory whose commits vanish when the block ends."""
