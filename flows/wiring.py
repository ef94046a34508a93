"""The composition root: the only place that builds API clients and the store. Tests pass
their own ports through `using(...)`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import lru_cache
from typing import Any

from domain.ports import Services, ShipStationGateway, TemuGateway
from domain.secrets import Secret
from domain.shop import ShipStationCredentials, Shop, TemuCredentials

CLIENTS_KEPT = 64


class PrefectEvents:
    """Prefect events with the shop as the resource (ids and counts only, never secrets)."""

    def emit(self, event: str, shop_id: str, payload: dict[str, Any]) -> None:
        from prefect.events import emit_event

        emit_event(
            event,
            resource={"prefect.resource.id": f"temuship.shop.{shop_id}", "temuship.shop": shop_id},
            payload=payload,
        )


@lru_cache(maxsize=CLIENTS_KEPT)
def temu_client(credentials: TemuCredentials) -> TemuGateway:
    """One client (and connection pool) per set of Temu credentials in this process."""
    from adapters.temu.client import TemuClient

    return TemuClient(credentials)


@lru_cache(maxsize=CLIENTS_KEPT)
def shipstation_client(credentials: ShipStationCredentials, shop_id: str) -> ShipStationGateway:
    from adapters.shipstation.client import ShipStationClient

    return ShipStationClient(credentials, shop_id)


def bootstrap(database_url: str | None = None, **overrides: Any) -> Services:
    """Production wiring: the given database (else TEMUSHIP_DATABASE_URL, else the local
    SQLite file), the real API clients and Prefect events."""
    from adapters.db.engine import engine_for
    from adapters.db.locks import shop_lock
    from adapters.db.throwaway import throwaway_store
    from adapters.db.uow import SqlUnitOfWork

    engine = engine_for(database_url)

    def temu_for_token(shop: Shop, token: Secret) -> TemuGateway:
        return temu_client(replace(shop.temu, access_token=token))

    services = Services(
        uow=lambda: SqlUnitOfWork(engine),
        temu_for=lambda shop: temu_client(shop.temu),
        shipstation_for=lambda shop: shipstation_client(shop.shipstation, shop.shop_id),
        shop_lock=lambda shop_id: shop_lock(engine, shop_id),
        events=PrefectEvents(),
        temu_for_token=temu_for_token,
        plan_store=lambda: throwaway_store(engine),
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
