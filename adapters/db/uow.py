"""The unit of work: one connection, one transaction, every repository on it."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Self

from sqlalchemy import Connection, Engine

from adapters.db.keys import StoredKey
from adapters.db.repos.carriers import SqlCarrierMappingRepository
from adapters.db.repos.cursors import SqlCursorRepository
from adapters.db.repos.orders import SqlOrderRepository
from adapters.db.repos.reports import SqlReportRepository
from adapters.db.repos.shops import SqlShopRepository
from adapters.db.repos.tokens import SqlTokenRepository

if TYPE_CHECKING:
    from domain.ports import UnitOfWork


class SqlUnitOfWork:
    """domain.ports.UnitOfWork on SQLAlchemy Core: nothing is written unless `commit()` is called.

    Usable again after `commit()` (a new transaction begins on the next statement). After a
    rollback or an error (ConcurrentUpdate included), reload aggregates before saving them.
    """

    shops: SqlShopRepository
    tokens: SqlTokenRepository
    orders: SqlOrderRepository
    cursors: SqlCursorRepository
    carriers: SqlCarrierMappingRepository
    reports: SqlReportRepository

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None

    def __enter__(self) -> Self:
        self._open(self._engine.connect())
        return self

    def _open(self, connection: Connection) -> None:
        self._connection = connection
        self.shops = SqlShopRepository(connection, StoredKey(connection))
        self.tokens = SqlTokenRepository(connection)
        self.orders = SqlOrderRepository(connection)
        self.cursors = SqlCursorRepository(connection)
        self.carriers = SqlCarrierMappingRepository(connection)
        self.reports = SqlReportRepository(connection)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            self.connection.close()
            self._connection = None

    @property
    def connection(self) -> Connection:
        """The connection of the open unit of work (for queries the ports do not cover)."""
        if self._connection is None:
            raise RuntimeError("SqlUnitOfWork is not open: use it as `with SqlUnitOfWork(...)`")
        return self._connection

    def commit(self) -> None:
        self.connection.commit()

    def rollback(self) -> None:
        self.connection.rollback()

    def __repr__(self) -> str:
        state = "open" if self._connection is not None else "closed"
        return f"SqlUnitOfWork({self._engine.url!r}, {state})"


if TYPE_CHECKING:

    def _conforms_to_the_port(engine: Engine) -> UnitOfWork:
        return SqlUnitOfWork(engine)
