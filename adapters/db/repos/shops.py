"""The shop repository: shop settings plus credentials, encrypted at rest."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, select

from adapters.db.crypto import Cipher
from adapters.db.tables import CREDENTIALS, SHOPS
from adapters.db.upsert import upsert
from domain.shop import Region, ShipStationCredentials, Shop, TemuCredentials

SHOP_FIELDS = (
    "shop_id",
    "created_at",
    "backfill_days",
    "paused_reason",
    "warehouse_id",
    "amounts_permission",
    "last_sync_at",
    "last_sync_error",
)


class SqlShopRepository:
    """Shops and their credentials; secrets are Fernet-encrypted before they reach the table."""

    def __init__(self, connection: Connection, cipher: Callable[[], Cipher]) -> None:
        self._connection = connection
        self._cipher_of = cipher

    @property
    def _cipher(self) -> Cipher:
        return self._cipher_of()

    def get(self, shop_id: str) -> Shop | None:
        found = self._select(SHOPS.c.shop_id == shop_id)
        return found[0] if found else None

    def list(self) -> builtins.list[Shop]:
        return self._select(None)

    def save(self, shop: Shop) -> None:
        """Insert or update a shop and its (encrypted) credentials."""
        row = {f: getattr(shop, f) for f in SHOP_FIELDS} | {"settings": dict(shop.settings)}
        upsert(self._connection, SHOPS, [row], ("shop_id",))
        upsert(self._connection, CREDENTIALS, [self._credentials_row(shop)], ("shop_id",))

    def _select(self, where: Any) -> builtins.list[Shop]:
        secrets = [c for c in CREDENTIALS.c if c.name != "shop_id"]
        query = select(SHOPS, *secrets).join(CREDENTIALS, CREDENTIALS.c.shop_id == SHOPS.c.shop_id)
        if where is not None:
            query = query.where(where)
        rows = self._connection.execute(query.order_by(SHOPS.c.shop_id))
        return [self._load(row._mapping) for row in rows]

    def _credentials_row(self, shop: Shop) -> dict[str, Any]:
        temu, shipstation, encrypt = shop.temu, shop.shipstation, self._cipher.encrypt
        return {
            "shop_id": shop.shop_id,
            "temu_app_key": temu.app_key,
            "temu_app_secret": encrypt(temu.app_secret),
            "temu_access_token": encrypt(temu.access_token),
            "temu_region": temu.region.value,
            "temu_base_url": temu.base_url,
            "shipstation_api_key": shipstation.api_key,
            "shipstation_api_secret": encrypt(shipstation.api_secret),
            "shipstation_store_id": shipstation.store_id,
            "shipstation_base_url": shipstation.base_url,
        }

    def _load(self, row: Any) -> Shop:
        decrypt = self._cipher.decrypt
        temu = TemuCredentials(
            app_key=row["temu_app_key"],
            app_secret=decrypt(row["temu_app_secret"]),
            access_token=decrypt(row["temu_access_token"]),
            region=Region(row["temu_region"]),
            base_url=row["temu_base_url"],
        )
        shipstation = ShipStationCredentials(
            api_key=row["shipstation_api_key"],
            api_secret=decrypt(row["shipstation_api_secret"]),
            store_id=row["shipstation_store_id"],
            base_url=row["shipstation_base_url"],
        )
        fields = {f: row[f] for f in SHOP_FIELDS}
        return Shop(temu=temu, shipstation=shipstation, settings=dict(row["settings"]), **fields)
