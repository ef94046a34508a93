"""A throwaway store for a plan (`temuship sync --plan`): the sync runs on it as it would on the
real one, and nothing it writes survives.

SQLite: a snapshot of the database in a temporary file (the real file is only read, so no
writer waits for the plan). PostgreSQL: one transaction on one connection, every unit of work a
savepoint in it, rolled back at the end.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

from sqlalchemy import Connection, Engine, NestedTransaction

from adapters.db.engine import make_engine
from adapters.db.uow import SqlUnitOfWork


@contextmanager
def throwaway_store(engine: Engine) -> Iterator[Callable[[], SqlUnitOfWork]]:
    """A unit-of-work factory whose commits vanish when the block ends."""
    if engine.dialect.name == "sqlite":
        with _sqlite_snapshot(engine) as factory:
            yield factory
    else:
        with _rolled_back(engine) as factory:
            yield factory


@contextmanager
def _sqlite_snapshot(engine: Engine) -> Iterator[Callable[[], SqlUnitOfWork]]:
    with tempfile.TemporaryDirectory(prefix="temuship-plan-") as folder:
        path = Path(folder) / "plan.db"
        source = engine.raw_connection()
        try:
            target = sqlite3.connect(path)
            source.driver_connection.backup(target)  # type: ignore[union-attr]
            target.close()
        finally:
            source.close()
        copy = make_engine(f"sqlite:///{path}", migrate=False)
        try:
            yield lambda: SqlUnitOfWork(copy)
        finally:
            copy.dispose()


@contextmanager
def _rolled_back(engine: Engine) -> Iterator[Callable[[], SqlUnitOfWork]]:
    with engine.connect() as connection:
        outer = connection.begin()
        try:
            yield lambda: _SavepointUnitOfWork(engine, connection)
        finally:
            outer.rollback()


class _SavepointUnitOfWork(SqlUnitOfWork):
    """A unit of work as a savepoint of a shared transaction: `commit()` keeps its writes for
    the rest of the plan, the outer rollback drops them all."""

    def __init__(self, engine: Engine, shared: Connection) -> None:
        super().__init__(engine)
        self._shared = shared
        self._savepoint: NestedTransaction | None = None

    def __enter__(self) -> Self:
        self._open(self._shared)
        self._savepoint = self._shared.begin_nested()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._savepoint is not None and self._savepoint.is_active:
            self._savepoint.rollback()
        self._savepoint, self._connection = None, None

    def commit(self) -> None:
        if self._savepoint is not None:
            self._savepoint.commit()
        self._savepoint = self._shared.begin_nested()

    def rollback(self) -> None:
        if self._savepoint is not None and self._savepoint.is_active:
            self._savepoint.rollback()
        self._savepoint = self._shared.begin_nested()
