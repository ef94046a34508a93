"""Tables of the order aggregate: orders, their lines, history, outbox and read failures."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from adapters.db.tables.columns import IdType, JsonType, UtcDateTime


class OrderRow(SQLModel, table=True):
    """One Temu parent order: our state, the last snapshot read and what was pushed."""

    __tablename__ = "orders"
    __table_args__ = (
        sa.UniqueConstraint("shop_id", "parent_order_sn", name="uq_orders_shop_parent"),
        sa.Index("ix_orders_push_queue", "shop_id", "push_pending", "parent_order_sn"),
        sa.Index("ix_orders_shop_state", "shop_id", "state"),
    )

    id: int | None = Field(default=None, sa_type=IdType, primary_key=True)
    shop_id: str = Field(max_length=64)
    parent_order_sn: str = Field(max_length=64)
    state: str = Field(max_length=32)
    temu_status: int | None = None
    snapshot: dict[str, Any] | None = Field(default=None, sa_type=JsonType)
    ship_to: dict[str, Any] | None = Field(default=None, sa_type=JsonType)
    raw: dict[str, Any] | None = Field(default=None, sa_type=JsonType)
    held_reason: str | None = None
    push_pending: bool = False
    pushed_state: str | None = Field(default=None, max_length=32)
    pushed_digest: str | None = Field(default=None, max_length=128)
    pushed_payload: dict[str, Any] | None = Field(default=None, sa_type=JsonType)
    pushed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    shipstation_order_id: str | None = Field(default=None, max_length=64)
    hold_until: date | None = None  # when ShipStation's hold of the order ends (V2)
    push_error: str | None = None
    version: int = 1
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)


class OrderLineRow(SQLModel, table=True):
    """Which parent order a Temu line (orderSn) belongs to."""

    __tablename__ = "order_lines"
    __table_args__ = (
        sa.UniqueConstraint("shop_id", "order_sn", name="uq_order_lines_shop_line"),
        sa.Index("ix_order_lines_parent", "shop_id", "parent_order_sn"),
    )

    id: int | None = Field(default=None, sa_type=IdType, primary_key=True)
    shop_id: str = Field(max_length=64)
    order_sn: str = Field(max_length=64)
    parent_order_sn: str = Field(max_length=64)


class OrderHistoryRow(SQLModel, table=True):
    """One accepted or refused event on an order. Append-only (a trigger refuses changes)."""

    __tablename__ = "order_history"
    __table_args__ = (sa.Index("ix_order_history_order", "shop_id", "parent_order_sn", "at"),)

    id: int | None = Field(default=None, sa_type=IdType, primary_key=True)
    shop_id: str = Field(max_length=64)
    parent_order_sn: str = Field(max_length=64, index=True)
    at: datetime = Field(sa_type=UtcDateTime)
    from_state: str = Field(max_length=32)
    to_state: str = Field(max_length=32)
    event: str = Field(max_length=64)
    source: str = Field(max_length=32)
    accepted: bool
    temu_code: int | None = None
    run_id: str | None = Field(default=None, max_length=64)
    reason: str | None = None
    conflict: bool = False


class ShipmentConfirmationRow(SQLModel, table=True):
    """The outbox: one ShipStation shipment to confirm to Temu, once."""

    __tablename__ = "shipment_confirmations"
    __table_args__ = (
        sa.UniqueConstraint(
            "shop_id", "shipment_id", "parent_order_sn", name="uq_confirmations_shop_shipment"
        ),
        sa.Index("ix_confirmations_order", "shop_id", "parent_order_sn"),
        sa.Index("ix_confirmations_status", "shop_id", "status"),
    )

    id: int | None = Field(default=None, sa_type=IdType, primary_key=True)
    shop_id: str = Field(max_length=64)
    shipment_id: str = Field(max_length=64)
    parent_order_sn: str = Field(max_length=64)
    tracking_number: str = Field(max_length=128)
    carrier_code: str = Field(max_length=64)
    service_code: str | None = Field(default=None, max_length=64)
    shipment_cost: dict[str, Any] | None = Field(default=None, sa_type=JsonType)
    lines: list[dict[str, Any]] = Field(default_factory=list, sa_type=JsonType)
    extra_tracking: list[str] = Field(default_factory=list, sa_type=JsonType)
    status: str = Field(max_length=16)
    attempts: int = 0
    error_code: str | None = Field(default=None, max_length=64)
    last_error: str | None = None
    temu_carrier_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    warehouse_id: str | None = Field(default=None, max_length=64)
    settled_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    warnings: list[str] = Field(default_factory=list, sa_type=JsonType)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)


class ReadFailureRow(SQLModel, table=True):
    """The raw payload of an order Temu gave us that could not be read, kept for replay."""

    __tablename__ = "read_failures"
    __table_args__ = (sa.Index("ix_read_failures_shop", "shop_id", "at"),)

    id: int | None = Field(default=None, sa_type=IdType, primary_key=True)
    shop_id: str = Field(max_length=64)
    parent_order_sn: str | None = Field(default=None, max_length=64)
    reason: str
    raw: dict[str, Any] | None = Field(default=None, sa_type=JsonType)
    at: datetime = Field(sa_type=UtcDateTime)
