"""Sync cursors: where each incremental read of a shop last stopped."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, select

from adapters.db.tables import SYNC_CURSORS
from adapters.db.upsert import upsert


class SqlCursorRepository:
    """Where each incremental sync of a shop last stopped."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, shop_id: str, name: str) -> datetime | None:
        query = select(SYNC_CURSORS.c.value).where(
            SYNC_CURSORS.c.shop_id == shop_id, SYNC_CURSORS.c.name == name
        )
        return self._connection.execute(query).scalar_one_or_none()

    def set(self, shop_id: str, name: str, value: datetime) -> None:
        row = {"shop_id": shop_id, "name": name, "value": value, "updated_at": datetime.now(UTC)}
        upsert(self._connection, SYNC_CURSORS, [row], ("shop_id", "name"))
