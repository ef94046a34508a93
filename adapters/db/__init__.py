"""Storage: sqlmodel tables, alembic migrations and the unit of work over SQLite or PostgreSQL.

engine = engine_for()              # TEMUSHIP_DATABASE_URL, else the local SQLite file
with SqlUnitOfWork(engine) as uow:  # or: with unit_of_work() as uow:
    orders = uow.orders.get_many(shop_id, sns)
    ...
    uow.orders.save_many(orders)
    uow.commit()
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import URL

from adapters.db.engine import engine_for, make_engine
from adapters.db.errors import ConcurrentUpdate
from adapters.db.location import database_url
from adapters.db.locks import shop_lock
from adapters.db.migrate import upgrade
from adapters.db.uow import SqlUnitOfWork


def unit_of_work(url: str | URL | None = None) -> SqlUnitOfWork:
    """A unit of work on the process-wide engine for a URL (migrated on first use)."""
    return SqlUnitOfWork(engine_for(url))


def uow_factory(url: str | URL | None = None) -> Callable[[], SqlUnitOfWork]:
    """A callable making units of work on one engine (what use cases take as a dependency)."""
    engine = engine_for(url)
    return lambda: SqlUnitOfWork(engine)


__all__ = [
    "ConcurrentUpdate",
    "SqlUnitOfWork",
    "database_url",
    "engine_for",
    "make_engine",
    "shop_lock",
    "unit_of_work",
    "uow_factory",
    "upgrade",
]
