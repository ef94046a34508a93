"""`POST /v2/fulfillments` (shipped without a ShipStation label) and `GET /v2/fulfillments`."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from adapters.sandbox.shipstation.dates import pacific_text
from adapters.sandbox.shipstation.v2.errors import V2Error
from adapters.sandbox.shipstation.v2.paging import paginate, sort_rows, window
from adapters.sandbox.shipstation.v2.shipments import batch_answer, batch_of
from adapters.sandbox.shipstation.v2.validation import Problem
from adapters.sandbox.shipstation.v2.wire import STATUS_V1_TO_V2, day_of, from_iso, iso, se

if TYPE_CHECKING:
    from adapters.sandbox.shipstation.state import ShipStationSandbox
    from adapters.sandbox.shipstation.v2.account import V2Account

Row = dict[str, Any]
SORTS = {
    "created_at": lambda f: (f["_created"], f["fulfillment_id"]),
    "ship_date": lambda f: (f["ship_date"], f["fulfillment_id"]),
}


class Fulfillments:
    """Marks shipments shipped with a tracking number (V1: orderStatus shipped)."""

    def __init__(self, host: ShipStationSandbox, account: V2Account) -> None:
        self.host, self.account = host, account
        self.rows: list[Row] = []
        self._ids = itertools.count(5100001)

    def create(self, body: Any) -> Row:
        entries = batch_of(body, "fulfillments")
        with self.host.lock:
            results = [self._create_one(entry) for entry in entries]
        answer = batch_answer(results, "fulfillments", self.account.readings.whole_batch_400)
        made = {row["fulfillment_id"] for row in answer["fulfillments"] if not row["errors"]}
        for row in self.rows:
            if row["fulfillment_id"] in made:
                self.account.fulfilled(row)
        return answer

    def _create_one(self, entry: Any) -> Row:
        order, problems = self._check(entry)
        if problems or order is None:
            echo = entry if isinstance(entry, dict) else {}
            return {**echo, "fulfillment_id": None, "errors": [m for _, m in problems],
                    "_problems": problems}  # fmt: skip
        now = self.host.clock.now()
        shipped = entry.get("ship_date") or iso(now)
        order.update(orderStatus="shipped", shipDate=str(shipped)[:10],
                     carrierCode=entry.get("carrier_code") or order.get("carrierCode"),
                     _modified=now, modifyDate=pacific_text(now))  # fmt: skip
        row = {
            "fulfillment_id": se(next(self._ids)), "shipment_id": se(order["orderId"]),
            "shipment_number": order["orderNumber"], "user_id": None,
            "tracking_number": entry["tracking_number"], "carrier_code": entry.get("carrier_code"),
            "ship_date": f"{str(shipped)[:10]}T00:00:00.000Z", "created_at": iso(now),
            "delivered_at": None, "voided": False, "voided_at": None,
            "fulfillment_carrier_friendly_name": self._carrier_name(entry.get("carrier_code")),
            "notify_customer": bool(entry.get("notify_customer")),
            "order_source_notified": False,  # a manual store has no marketplace to notify
            "ship_to": self.account.shipments.view(order)["ship_to"], "_created": now,
            "_store": order["advancedOptions"].get("storeId"),
        }  # fmt: skip
        self.rows.append(row)
        return {**_public(row), "errors": [], "_problems": []}

    def _check(self, entry: Any) -> tuple[Row | None, list[Problem]]:
        if not isinstance(entry, dict):
            return None, [("invalid_object", "a fulfillment must be a JSON object")]
        problems: list[Problem] = []
        if not isinstance(entry.get("tracking_number"), str) or not entry["tracking_number"]:
            problems.append(("field_value_required", "tracking_number is required"))
        if entry.get("ship_date") is not None:
            problems += _date_problem(entry["ship_date"])
        try:
            order = self.account.shipments.find(str(entry.get("shipment_id") or ""))
        except V2Error as err:
            return None, [*problems, (err.code, f"shipment_id: {err.message}")]
        status = STATUS_V1_TO_V2.get(order["orderStatus"])
        if status in ("cancelled", "label_purchased"):
            problems.append(("invalid_status", f"shipment {se(order['orderId'])} is {status}: "
                             "it cannot be fulfilled"))  # fmt: skip
        return order, problems

    def _carrier_name(self, code: Any) -> str | None:
        return next((c["friendly_name"] for c in self.account.catalog.carriers
                     if c["carrier_code"] == code), None)  # fmt: skip

    def listing(self, params: Mapping[str, str]) -> Row:
        created, shipped = window(params, "create_date"), window(params, "ship_date")
        exact = ("shipment_id", "shipment_number", "tracking_number", "fulfillment_id")
        with self.host.lock:
            rows = [
                f for f in self.rows
                if all(not params.get(k) or str(f[k]) == params[k] for k in exact)
                and created(f["_created"]) and shipped(from_iso(f["ship_date"], "ship_date"))
            ]  # fmt: skip
            rows = sort_rows(rows, params, SORTS)
            page = paginate(rows, params, "fulfillments", "/v2/fulfillments")
            page["fulfillments"] = [_public(f) for f in page["fulfillments"]]
            return page


def _date_problem(value: Any) -> list[Problem]:
    text = str(value)
    try:
        from_iso(text, "ship_date") if "T" in text else day_of(text, "ship_date")
    except V2Error as err:
        return [(err.code, err.message)]
    return []


def _public(row: Row) -> Row:
    return {k: v for k, v in row.items() if not k.startswith("_")}
