"""`POST /v2/shipments`, the two lookups and `GET /v2/shipments` over the account's orders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from adapters.sandbox.shipstation.orders import stored_order
from adapters.sandbox.shipstation.v2.errors import V2Error, bad_field, not_found
from adapters.sandbox.shipstation.v2.paging import one_of, paginate, sort_rows, window
from adapters.sandbox.shipstation.v2.shipment_wire import shipment_view, v1_order, v2_extras
from adapters.sandbox.shipstation.v2.validation import MAX_ID, Problem
from adapters.sandbox.shipstation.v2.wire import (
    SE_ID,
    STATUS_V1_TO_V2,
    STATUS_V2_TO_V1,
    se,
    se_number,
    v1_instant,
)

if TYPE_CHECKING:
    from adapters.sandbox.shipstation.state import ShipStationSandbox
    from adapters.sandbox.shipstation.v2.account import V2Account

Row = dict[str, Any]
MAX_BATCH = 100  # not documented (unconfirmed): more in one call is refused
SORTS = {
    "created_at": lambda o: (o["_created"], o["orderId"]),
    "modified_at": lambda o: (o["_modified"], o["orderId"]),
}


def batch_of(body: Any, name: str) -> list[Any]:
    """The list a batch endpoint carries under `name`; V2Error when there is none."""
    if not isinstance(body, dict) or not isinstance(body.get(name), list):
        raise V2Error(400, "request_body_required", f'the body must be {{"{name}": [...]}}')
    items = body[name]
    if not items:
        raise bad_field(name, "must hold at least one entry", "field_value_required")
    if len(items) > MAX_BATCH:
        raise bad_field(name, f"at most {MAX_BATCH} in one request, got {len(items)}")
    return items


def batch_answer(results: list[Row], name: str, refuse_all: bool) -> Row:
    """{has_errors, <name>: [...]} — or, when every item failed and the stricter reading is
    on, a V2Error whose body holds one error per item."""
    failed = [(i, r) for i, r in enumerate(results) if r["errors"]]
    if refuse_all and len(failed) == len(results):
        problems = [(i, p) for i, r in failed for p in r["_problems"]]
        errors = [V2Error(400, code, f"{name}[{i}]: {message}") for i, (code, message) in problems]
        first, *rest = errors
        raise V2Error(400, first.code, first.message, more=[e.body()["errors"][0] for e in rest])
    return {"has_errors": bool(failed), name: [_without_problems(r) for r in results]}


def _without_problems(row: Row) -> Row:
    return {k: v for k, v in row.items() if k != "_problems"}


class Shipments:
    """Create and read V2 shipments; each is a V1 order of the same account."""

    def __init__(self, host: ShipStationSandbox, account: V2Account) -> None:
        self.host, self.account = host, account

    def create(self, body: Any) -> Row:
        shipments = batch_of(body, "shipments")
        with self.host.lock:
            taken: set[str] = set()
            results = [self._create_one(raw, taken) for raw in shipments]
        return batch_answer(results, "shipments", self.account.readings.whole_batch_400)

    def _create_one(self, raw: Any, taken: set[str]) -> Row:
        problems = self.account.checker.shipment(raw, creating=True)
        key = str(raw.get("external_shipment_id") or "")[:MAX_ID] if isinstance(raw, dict) else ""
        if not problems and key and (key in self.host.orders or key in taken):
            problems = [_duplicate(key, self.host.orders.get(key))]
        if problems:
            echo = raw if isinstance(raw, dict) else {}
            return {**echo, "shipment_id": None, "errors": [m for _, m in problems],
                    "_problems": problems}  # fmt: skip
        order = self._insert(raw, key)
        taken.add(order["orderKey"])
        return {**self.view(order), "errors": [], "address_validation": None, "_problems": []}

    def _insert(self, raw: Row, key: str) -> Row:
        now, order_id = self.host.clock.now(), self.host.new_order_id()
        key = key or str(se(order_id))  # §4.1: an id left out is the shipment's own
        status = raw.get("shipment_status") or "pending"
        store = raw.get("store_id")
        number = self.account.checker.store_id(store) if store is not None else self.host.store_id
        v1 = v1_order(raw, key, status, now, self.account.catalog)
        order = stored_order(v1, order_id, now, now, number)
        order.update(_created=now, _modified=now, _v2=v2_extras(raw))
        self.host.labels.number_items(order, None)
        self.host.orders[key] = order
        return order

    def view(self, order: Row) -> Row:
        return shipment_view(order, self.account.catalog)

    def find(self, shipment_id: str) -> Row:
        """The order behind a shipment_id; V2Error 400 (not an id) or 404 (none)."""
        if not SE_ID.match(shipment_id):
            raise V2Error(400, "invalid_identifier", f"shipment_id '{shipment_id}' is not a "
                          "ShipStation id (se-…)")  # fmt: skip
        number = se_number(shipment_id)
        found = next((o for o in self.host.orders.values() if o["orderId"] == number), None)
        if found is None:
            raise not_found("shipment_id", shipment_id)
        return found

    def get(self, shipment_id: str) -> Row:
        with self.host.lock:
            return self.view(self.find(shipment_id))

    def by_external_id(self, external_id: str) -> Row:
        with self.host.lock:
            found = self.host.orders.get(external_id)
            if found is None:
                raise not_found("external_shipment_id", external_id)
            return self.view(found)

    def listing(self, params: Mapping[str, str]) -> Row:
        matches = self._filter(params)
        with self.host.lock:
            rows = sort_rows([o for o in self.host.orders.values() if matches(o)], params, SORTS)
            page = paginate(rows, params, "shipments", "/v2/shipments")
            page["shipments"] = [self.view(o) for o in page["shipments"]]
            return page

    def _filter(self, params: Mapping[str, str]) -> Any:
        status = one_of(params, "shipment_status", tuple(STATUS_V2_TO_V1))
        created, modified = window(params, "created_at"), window(params, "modified_at")
        paid = window(params, "payment_date")
        store = params.get("store_id")
        store_number = se_number(store, plain_too=True) if store else None
        if store and store_number is None:
            raise bad_field("store_id", f"'{store}' is not a store id")
        batch = params.get("batch_id")
        in_batch = self._orders_in_batch(batch) if batch else None
        exact = {k: params.get(k) for k in ("external_shipment_id", "shipment_number")}

        def matches(order: Row) -> bool:
            return (
                (not status or STATUS_V1_TO_V2.get(order["orderStatus"]) == status)
                and (store_number is None
                     or order["advancedOptions"].get("storeId") == store_number)
                and (not exact["external_shipment_id"]
                     or order["orderKey"] == exact["external_shipment_id"])
                and (not exact["shipment_number"]
                     or order["orderNumber"] == exact["shipment_number"])
                and (in_batch is None or order["orderKey"] in in_batch)
                and not params.get("sales_order_id")  # no sales orders in the sandbox
                and _contains(params.get("ship_to_name"), [(order.get("shipTo") or {}).get("name")])
                and _contains(params.get("item_keyword"), _item_words(order))
                and created(order["_created"]) and modified(order["_modified"])
                and paid(v1_instant(order.get("paymentDate")))
            )  # fmt: skip

        return matches

    def _orders_in_batch(self, batch: str) -> set[str]:
        number = se_number(batch)
        return {s["orderKey"] for s in self.host.labels.shipments if s.get("_batch") == number}


def _duplicate(key: str, existing: Row | None) -> Problem:
    where = f" (shipment {se(existing['orderId'])})" if existing else " in this request"
    return ("identifier_conflict", f"external_shipment_id '{key}' already exists{where}; "
            "it is unique per account: look it up with GET "
            "/v2/shipments/external_shipment_id/{id}")  # fmt: skip


def _contains(wanted: str | None, texts: list[Any]) -> bool:
    if not wanted:
        return True
    return any(wanted.lower() in str(text).lower() for text in texts if text)


def _item_words(order: Row) -> list[Any]:
    return [w for i in order.get("items") or [] for w in (i.get("sku"), i.get("name"))]
