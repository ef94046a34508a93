"""Never two syncs of one shop at once: an advisory lock on PostgreSQL, a lease row on SQLite."""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, select, text
from sqlalchemy.dialects import sqlite

from adapters.db.tables import SHOP_LOCKS

DEFAULT_LEASE = timedelta(hours=2)


@contextmanager
def shop_lock(engine: Engine, shop_id: str, *, lease: timedelta = DEFAULT_LEASE) -> Iterator[bool]:
    """Try to take the shop's lock without waiting; yields whether it was acquired.

    PostgreSQL: a session advisory lock, held by a connection for the duration (released by
    the server if the process dies). SQLite: a lease row that expires after `lease`, in case
    its holder dies without releasing it, and that a process on this host may take over at
    once when the process that holds it is gone (killed, out of memory).
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
    owner, now = _new_owner(), datetime.now(UTC)
    row = {"shop_id": shop_id, "owner": owner, "acquired_at": now, "expires_at": now + lease}
    insert = sqlite.insert(SHOP_LOCKS).values(row)
    with engine.begin() as connection:
        held = connection.execute(
            select(SHOP_LOCKS.c.owner).where(SHOP_LOCKS.c.shop_id == shop_id)
        ).scalar_one_or_none()
        free = SHOP_LOCKS.c.expires_at < now
        if held is not None and _holder_is_gone(held):
            free = free | (SHOP_LOCKS.c.owner == held)
        stmt = insert.on_conflict_do_update(
            index_elements=["shop_id"],
            set_={c: insert.excluded[c] for c in ("owner", "acquired_at", "expires_at")},
            where=free,
        ).returning(SHOP_LOCKS.c.owner)
        acquired = connection.execute(stmt).scalar_one_or_none() == owner
    try:
        yield acquired
    finally:
        if acquired:
            with engine.begin() as connection:
                mine = (SHOP_LOCKS.c.shop_id == shop_id) & (SHOP_LOCKS.c.owner == owner)
                connection.execute(delete(SHOP_LOCKS).where(mine))


def _host() -> str:
    return socket.gethostname()[:30]


def _new_owner() -> str:
    """pid@host/random: unique, and says which process to ask whether it still lives."""
    return f"{os.getpid()}@{_host()}/{uuid.uuid4().hex[:20]}"


def _holder_is_gone(owner: str) -> bool:
    """True only for a lease of a process on this host that no longer exists."""
    pid, _, rest = owner.partition("@")
    host = rest.partition("/")[0]
    if not pid.isdigit() or host != _host():
        return False  # another host, or an older lease: wait for it to expire
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
