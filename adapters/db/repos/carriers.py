"""Carrier overrides: ShipStation carrier codes a person mapped to Temu carrier ids."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, delete, select

from adapters.db.tables import CARRIER_MAPPINGS
from adapters.db.upsert import upsert


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

    def remove_override(self, shop_id: str, carrier_code: str) -> bool:
        table = CARRIER_MAPPINGS
        query = delete(table).where(
            table.c.shop_id == shop_id, table.c.carrier_code == carrier_code
        )
        return bool(self._connection.execute(query).rowcount)
