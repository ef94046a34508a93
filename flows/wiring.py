"""The composition root: builds the adapters the flows use. Tests pass their own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from domain.ports import Clock, ShipStationGateway, TemuGateway, UnitOfWork
from domain.shop import Shop


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class EventSink(Protocol):
    def emit(self, event: str, shop_id: str, payload: dict[str, Any]) -> None: ...


class PrefectEvents:
    """Prefect events with the shop as the resource (ids and counts only, never secrets)."""

    def emit(self, event: str, shop_id: str, payload: dict[str, Any]) -> None:
        from prefect.events import emit_event

        emit_event(
            event,
            resource={"prefect.resource.id": f"temuship.shop.{shop_id}", "temuship.shop": shop_id},
            payload=payload,
        )


@dataclass
class Services:
    uow: Callable[[], UnitOfWork]
    temu_for: Callable[[Shop], TemuGateway]
    shipstation_for: Callable[[Shop], ShipStationGateway]
    shop_lock: Callable[[str], AbstractContextManager[bool]]
    clock: Clock = field(default_factory=SystemClock)
    events: EventSink = field(default_factory=PrefectEvents)
    temu_for_token: Callable[[Shop, Any], TemuGateway] | None = None
    engine: Any = None


def bootstrap(database_url: str | None = None, **overrides: Any) -> Services:
    """Production wiring: the given database (else TEMUSHIP_DATABASE_URL, else the local
    SQLite file) and the real API clients."""
    from adapters.db.engine import engine_for
    from adapters.db.locks import shop_lock
    from adapters.db.uow import SqlUnitOfWork
    from adapters.shipstation.client import ShipStationClient
    from adapters.temu.client import TemuClient

    engine = engine_for(database_url)

    def temu_for_token(shop: Shop, token: Any) -> TemuGateway:
        return TemuClient(replace(shop.temu, access_token=token))

    services = Services(
        uow=lambda: SqlUnitOfWork(engine),
        temu_for=lambda shop: TemuClient(shop.temu),
        shipstation_for=lambda shop: ShipStationClient(shop.shipstation, shop.shop_id),
        shop_lock=lambda shop_id: shop_lock(engine, shop_id),
        temu_for_token=temu_for_token,
        engine=engine,
    )
    return replace(services, **overrides)


_current: Services | None = None


def current() -> Services:
    """The services of this process (built on first use)."""
    global _current
    if _current is None:
        _current = bootstrap()
    return _current


@contextmanager
def using(services: Services) -> Iterator[Services]:
    """Run flows with these services (tests, the demo)."""
    global _current
    previous, _current = _current, services
    try:
        yield services
    finally:
        _current = previous
