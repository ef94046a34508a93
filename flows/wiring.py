"""The composition root: the only place that builds API clients and the store.

An entry point (a flow, a CLI command) asks for its process's services once, with `current()`,
and passes them down; tests, the demo and the CLI choose them for what they call with
`using(...)` (a context variable: it holds for that call and what it calls, in that thread or
task, never for the rest of the process)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from domain.ports import Services, ShipStationGateway, TemuGateway
from domain.secrets import Secret
from domain.shop import ShipStationApi, ShipStationCredentials, Shop, TemuCredentials

if TYPE_CHECKING:
    from adapters.db.budgets import SharedBudgets

CLIENTS_KEPT = 64
BUDGET_ENV = "TEMUSHIP_RATE_BUDGET"  # "process": pace per process only (no shared budget)


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
def temu_client(
    credentials: TemuCredentials, budgets: SharedBudgets | None = None, shop_id: str | None = None
) -> TemuGateway:
    """One client (and connection pool) per set of Temu credentials in this process, paced by
    the app key's budget in the database when given (every process and host shares it, each
    shop in its turn: adapters/db/fair_share.py), else by this process's limiter of the key."""
    from adapters.temu.client import TemuClient
    from adapters.temu.transport import router_url

    if budgets is None:
        return TemuClient(credentials)
    limiter = budgets.temu(router_url(credentials), credentials.app_key)
    return TemuClient(credentials, limiter=limiter, claimant=shop_id)


@lru_cache(maxsize=CLIENTS_KEPT)
def shipstation_client(
    credentials: ShipStationCredentials, shop_id: str, budgets: SharedBudgets | None = None
) -> ShipStationGateway:
    """One client per shop, speaking the shop's API (V1 or V2), paced by the API key's budget
    in the database when given (every shop of the ShipStation account, in every process,
    shares it), else in this process."""
    if credentials.api is ShipStationApi.V2:
        return _v2_client(credentials, shop_id, budgets)
    from adapters.shipstation.client import DEFAULT_BASE_URL, ShipStationClient

    if budgets is None:
        return ShipStationClient(credentials, shop_id)
    base_url = credentials.base_url or DEFAULT_BASE_URL
    pacer = budgets.shipstation(base_url, credentials.api_key)
    return ShipStationClient(credentials, shop_id, pacer=pacer)


def _v2_client(
    credentials: ShipStationCredentials, shop_id: str, budgets: SharedBudgets | None
) -> ShipStationGateway:
    from adapters.shipstation.v2 import DEFAULT_BASE_URL, ShipStationV2Api
    from adapters.shipstation.v2.gateway import ShipStationV2Gateway

    base_url = credentials.base_url or DEFAULT_BASE_URL
    key = credentials.api_secret
    limiter = budgets.shipstation_v2(base_url, key.reveal()) if budgets is not None else None
    api = ShipStationV2Api(key, base_url=base_url, limiter=limiter)
    return ShipStationV2Gateway(credentials, shop_id, api)


def bootstrap(
    database_url: str | None = None, *, shared_budgets: bool = True, **overrides: Any
) -> Services:
    """Production wiring: the given database (else TEMUSHIP_DATABASE_URL, else the local
    SQLite file), the real API clients and Prefect events.

    The clients' request budgets (per Temu app key, per ShipStation API key) live in that
    database, shared by every process and host that uses it (adapters/db/budgets.py);
    `shared_budgets=False` or TEMUSHIP_RATE_BUDGET=process keeps them per process."""
    from adapters.background import ThreadBackground
    from adapters.db.budgets import budgets_for
    from adapters.db.engine import engine_for
    from adapters.db.locks import shop_lock
    from adapters.db.throwaway import throwaway_store
    from adapters.db.uow import SqlUnitOfWork
    from adapters.temu.pacing import mark_backlog

    engine = engine_for(database_url)
    shared = shared_budgets and os.environ.get(BUDGET_ENV, "shared") != "process"
    budgets = budgets_for(engine) if shared else None

    def temu_for_token(shop: Shop, token: Secret) -> TemuGateway:
        return temu_client(replace(shop.temu, access_token=token), budgets, shop.shop_id)

    services = Services(
        uow=lambda: SqlUnitOfWork(engine),
        temu_for=lambda shop: temu_client(shop.temu, budgets, shop.shop_id),
        shipstation_for=lambda shop: shipstation_client(shop.shipstation, shop.shop_id, budgets),
        shop_lock=lambda shop_id: shop_lock(engine, shop_id),
        events=PrefectEvents(),
        background=ThreadBackground(),
        temu_for_token=temu_for_token,
        plan_store=lambda: throwaway_store(engine),
        temu_backlog=mark_backlog,
    )
    return replace(services, **overrides)


_chosen: ContextVar[Services | None] = ContextVar("temuship_services", default=None)


@lru_cache(maxsize=1)
def _from_environment() -> Services:
    from flows.worker import freeze_start_up

    services = bootstrap()
    freeze_start_up()  # no long pauses of the threads that pace requests (flows/worker.py)
    return services


def current() -> Services:
    """The services chosen for this call (`using`), else this process's, built from its
    settings on first use."""
    return _chosen.get() or _from_environment()


@contextmanager
def using(services: Services) -> Iterator[Services]:
    """Run flows with these services (tests, the demo, the CLI's progress line)."""
    token = _chosen.set(services)
    try:
        yield services
    finally:
        _chosen.reset(token)
