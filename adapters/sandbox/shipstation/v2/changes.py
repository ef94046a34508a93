"""What changes a V2 shipment after it was created: PUT (a whole replacement), cancel, hold,
restore, and the hold's end on its date by the sandbox clock (shipstation-v2.md §4.3, §4.4)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from adapters.sandbox.shipstation.dates import normalised, pacific_text
from adapters.sandbox.shipstation.orders import stored_order
from adapters.sandbox.shipstation.v2.errors import V2Error, bad_field, wrong_status
from adapters.sandbox.shipstation.v2.shipment_wire import v1_order, v2_extras
from adapters.sandbox.shipstation.v2.wire import STATUS_V1_TO_V2, day_of

if TYPE_CHECKING:
    from adapters.sandbox.shipstation.state import ShipStationSandbox
    from adapters.sandbox.shipstation.v2.account import V2Account

Row = dict[str, Any]
READ_ONLY = ("shipment_id", "created_at", "shipment_status", "tags")
# V1 fields no V2 field carries: a V2 replacement cannot clear them, so they stay.
V1_ONLY = ("orderDate", "paymentDate", "customerUsername", "billTo", "paymentMethod", "tagIds",
           "insuranceOptions", "internationalOptions", "dimensions", "packageCode", "weight",
           "holdUntilDate", "shipDate")  # fmt: skip


class ShipmentChanges:
    def __init__(self, host: ShipStationSandbox, account: V2Account) -> None:
        self.host, self.account = host, account
        self.held: dict[str, date] = {}  # orderKey -> the day a V2 hold ends

    def update(self, shipment_id: str, body: Any) -> Row:
        """PUT /v2/shipments/{id}: the shipment as sent replaces the stored one."""
        if not isinstance(body, dict):
            raise V2Error(400, "request_body_required", "the body must be a shipment object")
        with self.host.lock:
            order = self.account.shipments.find(shipment_id)
            current = self.account.shipments.view(order)
            if not self.account.readings.put_replaces_whole:
                body = {**current, **body}
            self._check_update(order, current, body)
            replaced = self._replaced(order, body)
            self.host.orders[order["orderKey"]] = replaced
            return self.account.shipments.view(replaced)

    def _check_update(self, order: Row, current: Row, body: Row) -> None:
        allowed = ("pending",) + (() if self.account.readings.update_only_pending else ("on_hold",))
        if current["shipment_status"] not in allowed:
            raise wrong_status(f"shipment {current['shipment_id']} is "
                               f"{current['shipment_status']}: only {' or '.join(allowed)} "
                               "shipments can be updated")  # fmt: skip
        for name in READ_ONLY:
            if name in body and body[name] != current[name]:
                raise bad_field(name, "is read-only (use the cancel, hold, restore or tag "
                                "endpoints)")  # fmt: skip
        for name in ("external_shipment_id", "store_id"):
            given = body.get(name)
            if given is not None and str(given) not in (current[name], current[name][3:]):
                raise bad_field(name, f"cannot change ('{current[name]}' is kept for good)",
                                "field_conflict")  # fmt: skip
        problems = self.account.checker.shipment(
            {k: v for k, v in body.items() if k not in READ_ONLY}, creating=False
        )
        if problems:
            (code, message), *rest = problems
            more = [V2Error(400, c, m).body()["errors"][0] for c, m in rest]
            raise V2Error(400, code, message, more=more)

    def _replaced(self, order: Row, body: Row) -> Row:
        now = self.host.clock.now()
        status = STATUS_V1_TO_V2[order["orderStatus"]]
        v1 = v1_order(body, order["orderKey"], status, now, self.account.catalog)
        v1.update({name: order.get(name) for name in V1_ONLY})
        kept = {k: v for k, v in order["advancedOptions"].items()
                if not k.startswith("customField") and k != "warehouseId"}  # fmt: skip
        v1["advancedOptions"] = {**kept, **v1["advancedOptions"]}
        replaced = stored_order(v1, order["orderId"], order["_created"], now,
                                order["advancedOptions"]["storeId"])  # fmt: skip
        extras = v2_extras(body)
        extras["tags"] = (order.get("_v2") or {}).get("tags")  # tags change by tag endpoints
        replaced.update(_created=order["_created"], _modified=now, _v2=extras)
        self.host.labels.number_items(replaced, order)
        return replaced

    def cancel(self, shipment_id: str) -> None:
        with self.host.lock:
            order = self.account.shipments.find(shipment_id)
            self._refuse_if_closed(order, "cancelled")
            self._set(order, "cancelled", None)

    def hold(self, shipment_id: str, body: Any) -> None:
        if not isinstance(body, dict) or body.get("hold_until_date") in (None, ""):
            raise V2Error(400, "field_value_required", "hold_until_date (YYYY-MM-DD) is required")
        # A date; a time sent with it is ignored (the hold-and-restore guide).
        day = day_of(str(body["hold_until_date"]).split("T")[0], "hold_until_date")
        today = self.host.clock.now().date()
        if day <= today:
            raise bad_field("hold_until_date", f"{day} must be after today ({today})")
        with self.host.lock:
            order = self.account.shipments.find(shipment_id)
            self._refuse_if_closed(order, "held")
            self._set(order, "on_hold", day)
            self.held[order["orderKey"]] = day

    def restore(self, shipment_id: str) -> None:
        with self.host.lock:
            order = self.account.shipments.find(shipment_id)
            if order["orderStatus"] != "on_hold":
                status = STATUS_V1_TO_V2.get(order["orderStatus"])
                raise wrong_status(f"shipment {shipment_id} is {status}, not on_hold: "
                                   "only a shipment on hold can be restored")  # fmt: skip
            self._set(order, "awaiting_shipment", None)

    def release_holds(self) -> None:
        """Holds set here end on their day (sandbox clock): the shipment is pending again."""
        if not self.held:
            return
        today = self.host.clock.now().date()
        with self.host.lock:
            for key, day in list(self.held.items()):
                order = self.host.orders.get(key)
                if order is None or order["orderStatus"] != "on_hold":
                    del self.held[key]
                elif day <= today:
                    self._set(order, "awaiting_shipment", None)

    def _refuse_if_closed(self, order: Row, verb: str) -> None:
        status = STATUS_V1_TO_V2.get(order["orderStatus"])
        live = [s for s in self.host.labels.shipments
                if s["orderKey"] == order["orderKey"] and not s["voided"]]  # fmt: skip
        if live:
            tracking = live[0]["trackingNumber"]
            raise wrong_status(
                f"shipment has a label ({tracking}): void it "
                f"(PUT /v2/labels/{{label_id}}/void) before it can be {verb}"
            )
        if status in ("cancelled", "label_purchased"):
            raise wrong_status(f"shipment is {status}: it cannot be {verb}")

    def _set(self, order: Row, v1_status: str, hold: date | None) -> None:
        now = self.host.clock.now()
        self.held.pop(order["orderKey"], None)
        order.update(orderStatus=v1_status, holdUntilDate=normalised(str(hold)) if hold else None,
                     _modified=now, modifyDate=pacific_text(now))  # fmt: skip
