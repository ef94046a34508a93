"""Small per-shop settings: sync cursors and carrier overrides."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, select

from adapters.db.tables import CARRIER_MAPPINGS, SYNC_CURSORS
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


class SqlCarrierMappingRepository:
    """ShipStation carrier codes mapped by a person to Temu carrier ids."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def overrides(self, shop_id: str) -> dict[str, int]:
        """ShipStation carrierCode -> Temu carrier id, set by a person."""
        query = select(CARRIER_MAPPINGS.c.carrier_code, CARRIER_MAPPINGS.c.temu_carrier_id).where(
            CARRIER_MAPPINGS.c.shop_id == shop_id
        )
        return {row.carrier_code: row.temu_carrier_id for row in self._connection.execute(query)}

    def set_override(self, shop_id: str, carrier_code: str, temu_carrier_id: int) -> None:
        row = {
            "shop_id": shop_id,
            "carrier_code": carrier_code,
            "temu_carrier_id": temu_carrier_id,
            "updated_at": datetime.now(UTC),
        }
        upsert(self._connection, CARRIER_MAPPINGS, [row], ("shop_id", "carrier_code"))
