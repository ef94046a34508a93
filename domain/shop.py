from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.secrets import Secret, mask


class Region(StrEnum):
    US = "us"
    EU = "eu"
    GLOBAL = "global"


@dataclass(frozen=True, slots=True)
class TemuCredentials:
    app_key: str
    app_secret: Secret
    access_token: Secret
    region: Region = Region.US
    base_url: str | None = None


class ShipStationApi(StrEnum):
    """Which ShipStation API a shop speaks: V1 ("Legacy", a key and a secret) or V2 (one key)."""

    V1 = "v1"
    V2 = "v2"

    @property
    def ships_with_tracking(self) -> bool:
        """Marking an order shipped without a ShipStation label takes a tracking number (V2's
        fulfillments); V1 takes the status alone."""
        return self is ShipStationApi.V2

    @property
    def label(self) -> str:
        return {ShipStationApi.V1: "V1 (Legacy)", ShipStationApi.V2: "V2"}[self]


def v2_credentials(
    key: Secret,
    store_id: int | None = None,
    base_url: str | None = None,
    warehouse_id: str | None = None,
) -> ShipStationCredentials:
    """A V2 account's credentials: the key is the secret."""
    return ShipStationCredentials(
        mask(key.reveal()), key, store_id, base_url, ShipStationApi.V2, warehouse_id
    )


@dataclass(frozen=True, slots=True)
class ShipStationCredentials:
    """A ShipStation account: V1's key and secret; or V2's one key, which is the secret (kept
    as `api_secret`, with its masked hint as `api_key`). The store the shop's orders go to,
    and (V2) the warehouse they ship from."""

    api_key: str
    api_secret: Secret
    store_id: int | None = None
    base_url: str | None = None
    api: ShipStationApi = ShipStationApi.V1
    warehouse_id: str | None = None


@dataclass(eq=False)
class Shop:
    """A connected Temu shop and the ShipStation account (and store) it feeds."""

    shop_id: str
    temu: TemuCredentials
    shipstation: ShipStationCredentials
    created_at: datetime
    backfill_days: int = 7
    paused_reason: str | None = None
    warehouse_id: str | None = None
    amounts_permission: bool | None = None
    last_sync_at: datetime | None = None
    last_sync_error: str | None = None
    settings: dict[str, str] = field(default_factory=dict)

    @property
    def paused(self) -> bool:
        return self.paused_reason is not None
