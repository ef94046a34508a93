"""How ShipStation tells `temuship serve` of new labels, per shop: its webhook subscription and
the one-minute label check. Kept apart from the shop's row, which a sync rewrites whole."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from adapters.db.tables.columns import UtcDateTime


class WebhookRow(SQLModel, table=True):
    """A shop's random path token (the secret part of its webhook URL), its subscription at
    ShipStation (id, API, URL) if any, and what the label check last did for it."""

    __tablename__ = "webhooks"

    shop_id: str = Field(max_length=64, primary_key=True)
    path_token: str = Field(max_length=64)
    api: str = Field(default="v1", max_length=8)
    subscription_id: str | None = Field(default=None, max_length=64)
    target_url: str | None = Field(default=None, max_length=1000)
    subscribed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    problem: str | None = None
    check_interval_s: int | None = None
    checked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
