"""What temuship has announced already (an event sent once per order, kind and horizon)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from adapters.db.tables.columns import UtcDateTime


class AnnouncementRow(SQLModel, table=True):
    """One order announced once for a kind and a horizon, e.g. `ship_by_at_risk` at 24 h.

    The row lives while the order still qualifies; a watch that finds the order no longer
    qualifies (a label, a cancellation) deletes it, so the order may be announced again."""

    __tablename__ = "announcements"

    shop_id: str = Field(max_length=64, primary_key=True)
    kind: str = Field(max_length=32, primary_key=True)
    horizon_hours: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    parent_order_sn: str = Field(max_length=64, primary_key=True)
    announced_at: datetime = Field(sa_type=UtcDateTime)
