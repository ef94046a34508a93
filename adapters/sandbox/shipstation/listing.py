"""Filters, sorting and paging envelopes of the simulated ShipStation's list endpoints."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from adapters.sandbox.shipstation.dates import parse

MAX_PAGE_SIZE = 500
Row = dict[str, Any]
BAD_REQUEST = {"Message": "The request is invalid."}


def public(row: Row) -> Row:
    """A stored row without the simulator's private `_` fields."""
    return {k: v for k, v in row.items() if not k.startswith("_")}


def envelope(rows: list[Row], key: str, page: int, pages: int, total: int | None = None) -> Row:
    return {key: [public(r) for r in rows], "total": len(rows) if total is None else total,
            "page": page, "pages": pages}  # fmt: skip


def paged(rows: list[Row], params: Mapping[str, str], key: str) -> tuple[int, Row]:
    try:
        page = int(params.get("page") or 1)
        size = int(params.get("pageSize") or 100)
    except ValueError:
        return 400, {**BAD_REQUEST, "ModelState": {"page": ["The value is not valid."]}}
    if not 1 <= size <= MAX_PAGE_SIZE or page < 1:
        return 400, {**BAD_REQUEST, "ModelState": {"pageSize": ["Must be 1 to 500."]}}
    chunk = rows[(page - 1) * size : page * size]
    return 200, envelope(chunk, key, page, math.ceil(len(rows) / size), total=len(rows))


def in_range(params: Mapping[str, str], name: str, moment: datetime | None) -> bool:
    """`<name>Start` / `<name>End` filters (inclusive); a missing date never matches a filter."""
    start, end = params.get(f"{name}Start"), params.get(f"{name}End")
    if not start and not end:
        return True
    if moment is None:
        return False
    return (not start or moment >= parse(start)) and (not end or moment <= parse(end))


def sort_rows(
    rows: list[Row],
    params: Mapping[str, str],
    keys: Mapping[str, Callable[[Row], Any]],
    default: str,
) -> list[Row]:
    by = keys.get(params.get("sortBy") or "", keys[default])
    descending = (params.get("sortDir") or "ASC").upper() == "DESC"
    return sorted(rows, key=by, reverse=descending)


def _same_store(row: Row, params: Mapping[str, str]) -> bool:
    store = params.get("storeId") or params.get("storeID")
    return not store or str((row.get("advancedOptions") or {}).get("storeId")) == str(store)


ORDER_SORTS: dict[str, Callable[[Row], Any]] = {
    "orderId": lambda r: r["orderId"],
    "ModifyDate": lambda r: (r["_modified"], r["orderId"]),
    "CreateDate": lambda r: (r["_created"], r["orderId"]),
    "OrderDate": lambda r: (parse(r["orderDate"]), r["orderId"]),
}


def list_orders(orders: list[Row], params: Mapping[str, str]) -> tuple[int, Row]:
    """GET /orders with its filters."""
    try:
        rows = [o for o in orders if _order_matches(o, params)]
    except ValueError as exc:
        return 400, {**BAD_REQUEST, "ModelState": {"date": [f"Not a date: {exc}"]}}
    return paged(sort_rows(rows, params, ORDER_SORTS, "orderId"), params, "orders")


def _order_matches(order: Row, params: Mapping[str, str]) -> bool:
    """shipstation.md §4.1: every filter of GET /orders (customsCountryCode aside)."""
    status, number = params.get("orderStatus"), params.get("orderNumber")
    return (
        _same_store(order, params)
        and (not status or order["orderStatus"] == status)
        and (not number or str(order["orderNumber"]).startswith(number))
        and _contains(params.get("customerName"), _names(order))
        and _contains(params.get("itemKeyword"), _item_words(order))
        and in_range(params, "modifyDate", order["_modified"])
        and in_range(params, "createDate", order["_created"])
        and in_range(params, "orderDate", _moment(order.get("orderDate")))
        and in_range(params, "paymentDate", _moment(order.get("paymentDate")))
    )


def _moment(text: str | None) -> datetime | None:
    return parse(text) if text else None


def _contains(wanted: str | None, texts: list[Any]) -> bool:
    """A text filter: found (case-insensitively) in one of the texts; no filter matches all."""
    if not wanted:
        return True
    return any(wanted.lower() in str(text).lower() for text in texts if text)


def _names(order: Row) -> list[Any]:
    return [(order.get(who) or {}).get("name") for who in ("billTo", "shipTo")] + [
        order.get("customerUsername")
    ]


def _item_words(order: Row) -> list[Any]:
    words: list[Any] = []
    for item in order.get("items") or []:
        words += [item.get("sku"), item.get("name")]
        words += [o.get("value") for o in item.get("options") or [] if isinstance(o, dict)]
    return words


SHIPMENT_SORTS: dict[str, Callable[[Row], Any]] = {
    "CreateDate": lambda r: (r["_created"], r["shipmentId"]),
    "ShipDate": lambda r: (r["shipDate"], r["shipmentId"]),
}


def list_shipments(shipments: list[Row], params: Mapping[str, str]) -> tuple[int, Row]:
    """GET /shipments with its filters; items only with includeShipmentItems=true."""
    try:
        rows = [s for s in shipments if _shipment_matches(s, params)]
    except ValueError as exc:
        return 400, {**BAD_REQUEST, "ModelState": {"date": [f"Not a date: {exc}"]}}
    status, body = paged(sort_rows(rows, params, SHIPMENT_SORTS, "CreateDate"), params, "shipments")
    if status == 200 and (params.get("includeShipmentItems") or "").lower() != "true":
        for row in body["shipments"]:
            row["shipmentItems"] = None
    return status, body


def _shipment_matches(shipment: Row, params: Mapping[str, str]) -> bool:
    """shipstation.md §4.2: every filter of GET /shipments (customsCountryCode aside), and
    §5.2's batchId (a SHIP_NOTIFY resource_url lists the labels of one purchase by it)."""
    ship_to = shipment.get("shipTo") or {}
    equal = {
        "orderNumber": shipment["orderNumber"], "orderId": shipment["orderId"],
        "carrierCode": shipment["carrierCode"], "serviceCode": shipment["serviceCode"],
        "trackingNumber": shipment["trackingNumber"],
        "recipientCountryCode": ship_to.get("country"),
    }  # fmt: skip
    return (
        _same_store(shipment, params)
        and all(not params.get(k) or str(v) == params[k] for k, v in equal.items())
        and _contains(params.get("recipientName"), [ship_to.get("name")])
        and in_range(params, "createDate", shipment["_created"])
        and in_range(params, "shipDate", _day_start(shipment.get("shipDate")))
        and in_range(params, "voidDate", shipment["_voided_at"])
        and (not params.get("batchId") or str(shipment.get("_batch")) == params["batchId"])
    )


def _day_start(day: str | None) -> datetime | None:
    """A shipDate (a Pacific date) as the instant its day starts, to compare with a filter."""
    return parse(day[:10]) if day else None
