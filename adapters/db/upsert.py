"""INSERT ... ON CONFLICT DO UPDATE for SQLite and PostgreSQL, many rows per round trip."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert


def dialect_insert(connection: Connection, table: Table) -> Any:
    """The dialect's own insert (it has on_conflict_do_update)."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def upsert_statement(
    connection: Connection,
    table: Table,
    keys: Sequence[str],
    update: Iterable[str],
    where: ColumnElement[bool] | None = None,
    extra_set: Mapping[str, Any] | None = None,
) -> Insert:
    """Insert, or update the given columns from the proposed row when the keys exist."""
    stmt = dialect_insert(connection, table)
    set_ = {name: stmt.excluded[name] for name in update} | dict(extra_set or {})
    result: Insert = stmt.on_conflict_do_update(index_elements=list(keys), set_=set_, where=where)
    return result


def upsert(
    connection: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    keys: Sequence[str],
) -> None:
    """Upsert rows, every non-key column taken from the proposed row."""
    if not rows:
        return
    update = [c.name for c in table.columns if c.name not in keys and c.name in rows[0]]
    connection.execute(upsert_statement(connection, table, keys, update), list(rows))
