from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.secrets import Secret


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


@dataclass(frozen=True, slots=True)
class ShipStationCredentials:
    api_key: str
    api_secret: Secret
    store_id: int | None = None
    base_url: str | None = None


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
