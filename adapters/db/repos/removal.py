"""Removing a shop (`temuship disconnect`): its credentials always; its orders and their
history only when the person asks. The history tables refuse DELETE (the audit trail is
append-only), so that one deliberate removal lifts the guard inside its own transaction."""

from __future__ import annotations

from sqlalchemy import Connection, Table, delete, text

from adapters.db.tables import (
    ANNOUNCEMENTS,
    CARRIER_MAPPINGS,
    CONFIRMATIONS,
    CREDENTIALS,
    ORDER_HISTORY,
    ORDER_LINES,
    ORDERS,
    READ_FAILURES,
    SHOP_LOCKS,
    SHOPS,
    SYNC_CURSORS,
    TOKEN_HISTORY,
    TOKENS,
    WEBHOOKS,
)

SHOP_TABLES = (CREDENTIALS, TOKENS, SYNC_CURSORS, CARRIER_MAPPINGS, SHOP_LOCKS, WEBHOOKS)
ORDER_TABLES = (ORDER_LINES, CONFIRMATIONS, READ_FAILURES, ANNOUNCEMENTS, ORDERS)
HISTORY_TABLES = (ORDER_HISTORY, TOKEN_HISTORY)


def remove_shop(connection: Connection, shop_id: str, with_orders: bool) -> None:
    """Delete the shop's rows in the caller's transaction (nothing is kept half-removed)."""
    tables: tuple[Table, ...] = SHOP_TABLES
    if with_orders:
        tables = ORDER_TABLES + tables
        for table in HISTORY_TABLES:
            _delete_history(connection, table, shop_id)
    for table in (*tables, SHOPS):
        connection.execute(delete(table).where(table.c.shop_id == shop_id))


def _delete_history(connection: Connection, table: Table, shop_id: str) -> None:
    name = table.name
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"ALTER TABLE {name} DISABLE TRIGGER {name}_append_only"))
        connection.execute(delete(table).where(table.c.shop_id == shop_id))
        connection.execute(text(f"ALTER TABLE {name} ENABLE TRIGGER {name}_append_only"))
        return
    connection.execute(text(f"DROP TRIGGER IF EXISTS {name}_no_delete"))
    connection.execute(delete(table).where(table.c.shop_id == shop_id))
    connection.execute(
        text(
            f"CREATE TRIGGER {name}_no_delete BEFORE DELETE ON {name} BEGIN SELECT "
            f"RAISE(ABORT, 'temuship: {name} is append-only (DELETE refused)'); END"
        )
    )
