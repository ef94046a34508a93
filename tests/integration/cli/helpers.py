"""What the command-line tests of refusals assert: the exit code, no traceback, the cause named,
and that nothing was written (every row of every table, before and after)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from adapters.db.tables import ALL_TABLES, RATE_BUDGETS, RATE_CLAIMANTS, SHOP_LOCKS
from tests.integration.sync.sync_helpers import flat

BOOKKEEPING = (RATE_BUDGETS.name, RATE_CLAIMANTS.name, SHOP_LOCKS.name)
"""Rows that move without any shop's data changing: the shared request budgets (a refusal
that asked Temu spent a request) and the shops' lock leases."""

Rows = dict[str, list[tuple[Any, ...]]]


def every_row(database_url: str, *, bookkeeping: bool = False) -> Rows:
    """Every row of every temuship table, by table (the request budgets and lock leases too
    only when `bookkeeping`), to prove a refusal wrote nothing. Empty tables are left out, so
    a database made (or migrated) but never written to is `{}` like one that does not exist."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            present = set(sa.inspect(connection).get_table_names())
            rows = {
                table.name: sorted(map(tuple, connection.execute(sa.select(table))), key=repr)
                for table in ALL_TABLES
                if table.name in present and (bookkeeping or table.name not in BOOKKEEPING)
            }
    finally:
        engine.dispose()
    return {name: found for name, found in rows.items() if found}


def refused(result: Any, code: int, *words: str) -> str:
    """A CliRunner result: exit `code`, no traceback anywhere, every word said; its output."""
    text = flat(result.output)
    assert result.exit_code == code, text
    assert "Traceback" not in text, text
    for word in words:
        assert word in text, text
    return text


def temu_calls(sandbox: Any) -> int:
    """Every request the simulated Temu has answered so far."""
    return sum(sandbox.temu.requests.values())


def shipstation_calls(sandbox: Any) -> int:
    return sum(sandbox.shipstation.counters.calls.values())


def api_calls(sandbox: Any) -> tuple[int, int]:
    """(Temu requests, ShipStation requests) answered so far."""
    return temu_calls(sandbox), shipstation_calls(sandbox)
