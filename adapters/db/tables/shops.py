"""Tables of shops: settings, encrypted credentials, tokens, cursors, carrier overrides, locks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from adapters.db.tables.columns import IdType, JsonType, UtcDateTime


class ShopRow(SQLModel, table=True):
    """A connected Temu shop and its settings."""

    __tablename__ = "shops"

    shop_id: str = Field(max_length=64, primary_key=True)
    created_at: datetime = Field(sa_type=UtcDateTime)
    backfill_days: int = 7
    paused_reason: str | None = None
    warehouse_id: str | None = Field(default=None, max_length=64)
    amounts_permission: bool | None = None
    last_sync_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_sync_error: str | None = None
    settings: dict[str, Any] = Field(default_factory=dict, sa_type=JsonType)


class CredentialsRow(SQLModel, table=True):
    """A shop's Temu and ShipStation credentials; secret columns hold Fernet tokens."""

    __tablename__ = "credentials"

    shop_id: str = Field(
        max_length=64,
        sa_column_args=[sa.ForeignKey("shops.shop_id", ondelete="CASCADE")],
        primary_key=True,
    )
    temu_app_key: str = Field(max_length=128)
    temu_app_secret: bytes = Field(sa_type=sa.LargeBinary)
    temu_access_token: bytes = Field(sa_type=sa.LargeBinary)
    temu_region: str = Field(max_length=16)
    temu_base_url: str | None = None
    shipstation_api_key: str = Field(max_length=128)
    shipstation_api_secret: bytes = Field(sa_type=sa.LargeBinary)
    shipstation_store_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    shipstation_base_url: str | None = None
    shipstation_api: str = Field(
        default="v1", max_length=8, sa_column_kwargs={"server_default": "v1"}
    )  # v1 or v2
    shipstation_warehouse_id: str | None = Field(default=None, max_length=64)  # V2


class TokenRow(SQLModel, table=True):
    """The state of a shop's Temu access token (never the token itself)."""

    __tablename__ = "tokens"

    shop_id: str = Field(max_length=64, primary_key=True)
    state: str = Field(max_length=32)
    authorized_at: datetime = Field(sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime)
    expiry_known: bool
    scopes: list[str] = Field(default_factory=list, sa_type=JsonType)
    mall_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    region_id: int | None = None
    reason: str | None = None
    warned_days: int | None = None
    warning_days: list[int] = Field(default_factory=list, sa_type=JsonType)
    updated_at: datetime = Field(sa_type=UtcDateTime)


class TokenHistoryRow(SQLModel, table=True):
    """One event on a shop's token. Append-only (a trigger refuses changes)."""

    __tablename__ = "token_history"
    __table_args__ = (sa.Index("ix_token_history_shop", "shop_id", "at"),)

    id: int | None = Field(default=None, sa_type=IdType, primary_key=True)
    shop_id: str = Field(max_length=64)
    at: datetime = Field(sa_type=UtcDateTime)
    from_state: str = Field(max_length=32)
    to_state: str = Field(max_length=32)
    event: str = Field(max_length=64)
    source: str = Field(max_length=32)
    accepted: bool
    run_id: str | None = Field(default=None, max_length=64)
    reason: str | None = None


class SyncCursorRow(SQLModel, table=True):
    """Where a shop's incremental sync of one kind last stopped."""

    __tablename__ = "sync_cursors"

    shop_id: str = Field(max_length=64, primary_key=True)
    name: str = Field(max_length=64, primary_key=True)
    value: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)


class CarrierMappingRow(SQLModel, table=True):
    """A person's choice: this ShipStation carrier code is that Temu carrier id."""

    __tablename__ = "carrier_mappings"

    shop_id: str = Field(max_length=64, primary_key=True)
    carrier_code: str = Field(max_length=64, primary_key=True)
    temu_carrier_id: int = Field(sa_type=sa.BigInteger)
    updated_at: datetime = Field(sa_type=UtcDateTime)


class ShopLockRow(SQLModel, table=True):
    """A lease that keeps two syncs of one shop apart where advisory locks do not exist."""

    __tablename__ = "shop_locks"

    shop_id: str = Field(max_length=64, primary_key=True)
    owner: str = Field(max_length=64)
    acquired_at: datetime = Field(sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime)
