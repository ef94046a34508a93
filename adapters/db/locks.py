"""Never two syncs of one shop at once: an advisory lock on PostgreSQL, a lease row on SQLite."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, text
from sqlalchemy.dialects import sqlite

from adapters.db.tables import SHOP_LOCKS

DEFAULT_LEASE = timedelta(hours=2)


@contextmanager
def shop_lock(engine: Engine, shop_id: str, *, lease: timedelta = DEFAULT_LEASE) -> Iterator[bool]:
    """Try to take the shop's lock without waiting; yields whether it was acquired.

    PostgreSQL: a session advisory lock, held by a connection for the duration (released by
    the server if the process dies). SQLite: a lease row that expires after `lease`, in case
    its holder dies without releasing it.
    """
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine, shop_id) as acquired:
            yield acquired
    else:
        with _lease(engine, shop_id, lease) as acquired:
            yield acquired


def advisory_key(shop_id: str) -> int:
    """A stable signed 64-bit key for pg_advisory_lock."""
    digest = hashlib.blake2b(f"temuship-shop:{shop_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def _advisory_lock(engine: Engine, shop_id: str) -> Iterator[bool]:
    key = {"key": advisory_key(shop_id)}
    with engine.connect() as connection:
        acquired = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), key).scalar())
        connection.commit()
        try:
            yield acquired
        finally:
            if acquired:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), key)
                connection.commit()


@contextmanager
def _lease(engine: Engine, shop_id: str, lease: timedelta) -> Iterator[bool]:
    owner, now = uuid.uuid4().hex, datetime.now(UTC)
    row = {"shop_id": shop_id, "owner": owner, "acquired_at": now, "expires_at": now + lease}
    insert = sqlite.insert(SHOP_LOCKS).values(row)
    stmt = insert.on_conflict_do_update(
        index_elements=["shop_id"],
        set_={c: insert.excluded[c] for c in ("owner", "acquired_at", "expires_at")},
        where=SHOP_LOCKS.c.expires_at < now,
    ).returning(SHOP_LOCKS.c.owner)
    with engine.begin() as connection:
        acquired = connection.execute(stmt).scalar_one_or_none() == owner
    try:
        yield acquired
    finally:
        if acquired:
            with engine.begin() as connection:
                mine = (SHOP_LOCKS.c.shop_id == shop_id) & (SHOP_LOCKS.c.owner == owner)
                connection.execute(delete(SHOP_LOCKS).where(mine))
