"""The shop repository: shop settings plus credentials, encrypted at rest."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

from cryptography.fernet import InvalidToken
from sqlalchemy import Connection, delete, func, select, update

from adapters.db.crypto import Cipher
from adapters.db.keys import KEY_SETTINGS, SECRET_COLUMNS, SealedSecret, StoredKey, Unsealer
from adapters.db.repos.removal import remove_shop
from adapters.db.tables import CREDENTIALS, SETTINGS, SHOPS
from adapters.db.upsert import upsert
from domain.errors import SecretKeyError
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


class CredentialsForgotten(SecretKeyError):
    """The shop's stored credentials were deleted (`temuship forget-credentials`)."""


class ForgottenSecret(Secret):
    """Stands for a secret of a shop whose credentials were deleted: revealing it says what to
    do. Listing and status never reveal, so they still show the shop."""

    __slots__ = ("_shop_id",)
    _shop_id: str

    def __init__(self, shop_id: str) -> None:
        super().__init__("")
        object.__setattr__(self, "_shop_id", shop_id)

    def reveal(self) -> str:
        raise CredentialsForgotten(
            f"shop {self._shop_id} has no stored credentials (they were deleted with "
            f"`temuship forget-credentials`): give it new ones with `temuship connect "
            f"{self._shop_id} --replace ...`"
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
        has = CREDENTIALS.c.shop_id.label("has_credentials")
        joined = SHOPS.outerjoin(CREDENTIALS, CREDENTIALS.c.shop_id == SHOPS.c.shop_id)
        query = select(SHOPS, has, *secrets).select_from(joined)
        if where is not None:
            query = query.where(where)
        rows = self._connection.execute(query.order_by(SHOPS.c.shop_id))
        found = [row._mapping for row in rows]
        if not found:
            return []
        return [self._load(row, self._opener(decrypt)) for row in found]

    def _opener(self, decrypt: bool) -> Callable[[bytes], Secret]:
        """Decrypts now (the key checked at the first credential: a shop without any needs no
        key), or seals each token until revealed."""
        if not decrypt:
            unseal = Unsealer(self._key.state())
            return lambda token: SealedSecret(token, unseal)
        ciphers: list[Cipher] = []

        def decrypted(token: bytes) -> Secret:
            if not ciphers:
                ciphers.append(self._key.for_reading())
            return ciphers[0].decrypt(token)

        return decrypted

    def has_credentials(self, shop_id: str) -> bool:
        query = select(CREDENTIALS.c.shop_id).where(CREDENTIALS.c.shop_id == shop_id)
        return self._connection.execute(query).first() is not None

    def key_opens(self, shop_id: str) -> bool:
        """This process's key opens the shop's stored credentials (False without any)."""
        columns = CREDENTIALS.c[SECRET_COLUMNS]
        query = select(*columns).where(CREDENTIALS.c.shop_id == shop_id)
        row = self._connection.execute(query).first()
        if row is None:
            return False
        try:
            cipher = self._key.for_reading()
            for token in row:
                cipher.decrypt(token)
        except (SecretKeyError, InvalidToken):
            return False
        return True

    def forget_credentials(self, shop_id: str, paused_reason: str) -> int:
        """Delete the shop's stored credentials (only those) and pause it with the reason;
        the number of shops that still hold credentials. When none do, the database forgets
        its key too (fingerprint, salt), so the next credentials stored take the current key."""
        self._connection.execute(delete(CREDENTIALS).where(CREDENTIALS.c.shop_id == shop_id))
        self._connection.execute(
            update(SHOPS).where(SHOPS.c.shop_id == shop_id).values(paused_reason=paused_reason)
        )
        left = self._connection.execute(select(func.count()).select_from(CREDENTIALS)).scalar()
        if not left:
            self._connection.execute(delete(SETTINGS).where(SETTINGS.c.name.in_(KEY_SETTINGS)))
        return int(left or 0)

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
        fields = {f: row[f] for f in SHOP_FIELDS}
        settings = dict(row["settings"])
        if row["has_credentials"] is None:
            forgotten = ForgottenSecret(row["shop_id"])
            temu_none = TemuCredentials("", forgotten, forgotten)
            ss_none = ShipStationCredentials("", forgotten)
            return Shop(temu=temu_none, shipstation=ss_none, settings=settings, **fields)
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
        return Shop(temu=temu, shipstation=shipstation, settings=settings, **fields)
