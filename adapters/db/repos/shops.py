"""The shop repository: shop settings plus credentials, encrypted at rest."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, select

from adapters.db.crypto import Cipher
from adapters.db.keys import SealedSecret, StoredKey, Unsealer
from adapters.db.repos.removal import remove_shop
from adapters.db.tables import CREDENTIALS, SHOPS
from adapters.db.upsert import upsert
from domain.secrets import Secret
from domain.shop import Region, ShipStationApi, ShipStationCredentials, Shop, TemuCredentials

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
    """Shops and their credentials; secrets are Fernet-encrypted before they reach the table,
    under the key the database expects (adapters/db/keys.py: another key is refused)."""

    def __init__(self, connection: Connection, key: StoredKey) -> None:
        self._connection = connection
        self._key = key

    def delete(self, shop_id: str, with_orders: bool) -> None:
        remove_shop(self._connection, shop_id, with_orders)

    def get(self, shop_id: str, *, decrypt: bool = True) -> Shop | None:
        """The shop, its credentials decrypted (WrongSecretKey for another key); with
        `decrypt=False` they stay encrypted until revealed, and the key is not used."""
        found = self._select(SHOPS.c.shop_id == shop_id, decrypt)
        return found[0] if found else None

    def list(self) -> builtins.list[Shop]:
        """Every shop, credentials encrypted until revealed (listing never needs the key)."""
        return self._select(None, decrypt=False)

    def ids(self) -> builtins.list[str]:
        """Every shop's id, sorted; no credentials read."""
        return list(self._connection.execute(select(SHOPS.c.shop_id).order_by("shop_id")).scalars())

    def save(self, shop: Shop) -> None:
        """Insert or update a shop and its (encrypted) credentials; another key than the
        database's is refused (WrongSecretKey) before anything is written."""
        cipher = self._key.for_writing()
        credentials = self._credentials_row(shop, cipher)
        row = {f: getattr(shop, f) for f in SHOP_FIELDS} | {"settings": dict(shop.settings)}
        upsert(self._connection, SHOPS, [row], ("shop_id",))
        upsert(self._connection, CREDENTIALS, [credentials], ("shop_id",))
        self._key.confirm(cipher)

    def _select(self, where: Any, decrypt: bool) -> builtins.list[Shop]:
        secrets = [c for c in CREDENTIALS.c if c.name != "shop_id"]
        query = select(SHOPS, *secrets).join(CREDENTIALS, CREDENTIALS.c.shop_id == SHOPS.c.shop_id)
        if where is not None:
            query = query.where(where)
        rows = self._connection.execute(query.order_by(SHOPS.c.shop_id))
        found = [row._mapping for row in rows]
        if not found:
            return []
        if decrypt:
            opener: Callable[[bytes], Secret] = self._key.for_reading().decrypt
        else:
            unseal = Unsealer(self._key.state())
            opener = lambda token: SealedSecret(token, unseal)  # noqa: E731
        return [self._load(row, opener) for row in found]

    def _credentials_row(self, shop: Shop, cipher: Cipher) -> dict[str, Any]:
        temu, shipstation, encrypt = shop.temu, shop.shipstation, cipher.encrypt
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
            "shipstation_api": shipstation.api.value,
            "shipstation_warehouse_id": shipstation.warehouse_id,
        }

    def _load(self, row: Any, decrypt: Callable[[bytes], Secret]) -> Shop:
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
            api=ShipStationApi(row["shipstation_api"] or ShipStationApi.V1),
            warehouse_id=row["shipstation_warehouse_id"],
        )
        fields = {f: row[f] for f in SHOP_FIELDS}
        return Shop(temu=temu, shipstation=shipstation, settings=dict(row["settings"]), **fields)
