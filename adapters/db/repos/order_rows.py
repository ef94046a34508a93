"""Order aggregate <-> table rows (plain dicts for Core statements)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping

from adapters.db.repos.codec import (
    dump_address,
    dump_label_lines,
    dump_money,
    dump_temu_order,
    load_address,
    load_label_lines,
    load_money,
    load_temu_order,
)
from domain.confirmation import ConfirmationStatus, ShipmentConfirmation
from domain.history import HistoryEntry
from domain.model import OrderState
from domain.order import Order

Row = RowMapping

HISTORY_FIELDS = (
    "at",
    "from_state",
    "to_state",
    "event",
    "source",
    "accepted",
    "temu_code",
    "run_id",
    "reason",
    "conflict",
)


def order_row(order: Order, now: datetime) -> dict[str, Any]:
    """The orders row; `version` is the one this save will write (loaded version + 1)."""
    snapshot = order.snapshot
    return {
        "shop_id": order.shop_id,
        "parent_order_sn": order.parent_order_sn,
        "state": order.state.value,
        "temu_status": order.temu_status,
        "snapshot": dump_temu_order(snapshot) if snapshot else None,
        "ship_to": dump_address(order.ship_to),
        "raw": dict(snapshot.raw) if snapshot and snapshot.raw is not None else None,
        "held_reason": order.held_reason,
        "push_pending": order.push_pending,
        "pushed_state": order.pushed_state.value if order.pushed_state else None,
        "pushed_digest": order.pushed_digest,
        "pushed_payload": order.pushed_payload,
        "pushed_at": order.pushed_at,
        "shipstation_order_id": order.shipstation_order_id,
        "hold_until": order.hold_until,
        "push_error": order.push_error,
        "version": order.version + 1,
        "created_at": now,
        "updated_at": now,
    }


def load_order(row: Row, confirmations: Sequence[ShipmentConfirmation]) -> Order:
    snapshot = row["snapshot"]
    return Order(
        shop_id=row["shop_id"],
        parent_order_sn=row["parent_order_sn"],
        state=OrderState(row["state"]),
        temu_status=row["temu_status"],
        snapshot=load_temu_order(snapshot, row["raw"]) if snapshot else None,
        ship_to=load_address(row["ship_to"]),
        held_reason=row["held_reason"],
        pushed_digest=row["pushed_digest"],
        shipstation_order_id=row["shipstation_order_id"],
        hold_until=row["hold_until"],
        push_error=row["push_error"],
        push_pending=row["push_pending"],
        pushed_state=OrderState(row["pushed_state"]) if row["pushed_state"] else None,
        pushed_payload=row["pushed_payload"],
        pushed_at=row["pushed_at"],
        version=row["version"],
        confirmations=list(confirmations),
    )


def line_rows(order: Order) -> list[dict[str, Any]]:
    return [
        {
            "shop_id": order.shop_id,
            "order_sn": line.order_sn,
            "parent_order_sn": order.parent_order_sn,
        }
        for line in order.lines
    ]


def history_row(shop_id: str, parent_order_sn: str, entry: HistoryEntry) -> dict[str, Any]:
    row = {name: getattr(entry, name) for name in HISTORY_FIELDS}
    return {"shop_id": shop_id, "parent_order_sn": parent_order_sn, **row}


def load_history(row: Row) -> HistoryEntry:
    return HistoryEntry(**{name: row[name] for name in HISTORY_FIELDS})


def confirmation_row(c: ShipmentConfirmation, now: datetime) -> dict[str, Any]:
    return {
        "shop_id": c.shop_id,
        "shipment_id": c.shipment_id,
        "parent_order_sn": c.parent_order_sn,
        "tracking_number": c.tracking_number,
        "carrier_code": c.carrier_code,
        "service_code": c.service_code,
        "shipment_cost": dump_money(c.shipment_cost),
        "lines": dump_label_lines(c.lines),
        "extra_tracking": list(c.extra_tracking),
        "status": c.status.value,
        "attempts": c.attempts,
        "error_code": c.error_code,
        "last_error": c.last_error,
        "temu_carrier_id": c.temu_carrier_id,
        "warehouse_id": c.warehouse_id,
        "settled_at": c.settled_at,
        "warnings": list(c.warnings),
        "created_at": c.created_at,
        "updated_at": now,
    }


def load_confirmation(row: Row) -> ShipmentConfirmation:
    return ShipmentConfirmation(
        shipment_id=row["shipment_id"],
        shop_id=row["shop_id"],
        parent_order_sn=row["parent_order_sn"],
        tracking_number=row["tracking_number"],
        carrier_code=row["carrier_code"],
        lines=load_label_lines(row["lines"]),
        created_at=row["created_at"],
        service_code=row["service_code"],
        extra_tracking=tuple(row["extra_tracking"]),
        status=ConfirmationStatus(row["status"]),
        attempts=row["attempts"],
        error_code=row["error_code"],
        last_error=row["last_error"],
        temu_carrier_id=row["temu_carrier_id"],
        warehouse_id=row["warehouse_id"],
        settled_at=row["settled_at"],
        warnings=tuple(row["warnings"]),
        shipment_cost=load_money(row["shipment_cost"]),
    )
