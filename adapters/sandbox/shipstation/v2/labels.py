"""V2 labels: the account's V1 "shipments" read as labels, listed and voided (§5)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from adapters.sandbox.shipstation.v2.errors import V2Error, not_found
from adapters.sandbox.shipstation.v2.paging import one_of, paginate, sort_rows, window
from adapters.sandbox.shipstation.v2.wire import SE_ID, iso, money, se, se_number, v2_address

if TYPE_CHECKING:
    from adapters.sandbox.shipstation.state import ShipStationSandbox
    from adapters.sandbox.shipstation.v2.account import V2Account

Row = dict[str, Any]
LABEL_STATUSES = ("processing", "completed", "error", "voided")
SORTS = {
    "created_at": lambda s: (s["_created"], s["shipmentId"]),
    "modified_at": lambda s: (s.get("_modified") or s["_created"], s["shipmentId"]),
}
# Filters compared with the label as answered.
EXACT = ("shipment_id", "external_shipment_id", "tracking_number", "carrier_id",
         "service_code", "batch_id", "warehouse_id")  # fmt: skip


class LabelsV2:
    """Labels carry no items: a client reads them on the label's shipment (§5.3)."""

    def __init__(self, host: ShipStationSandbox, account: V2Account) -> None:
        self.host, self.account = host, account

    def view(self, row: Row) -> Row:
        order = self.host.orders.get(row["orderKey"]) or {}
        warehouse = (order.get("advancedOptions") or {}).get("warehouseId")
        tracking, package = row["trackingNumber"], row.get("packageCode") or "package"
        ship_to = v2_address(row.get("shipTo"), row.get("customerEmail"))
        return {
            "label_id": se(row["shipmentId"]), "status": _status(row),
            "shipment_id": se(row["orderId"]), "external_shipment_id": row["orderKey"],
            "external_order_id": None, "ship_date": f"{row['shipDate']}T00:00:00.000Z",
            "created_at": iso(row["_created"]),
            "modified_at": iso(row.get("_modified") or row["_created"]),
            "shipment_cost": money(row["shipmentCost"]),
            "insurance_cost": money(row.get("insuranceCost") or 0),
            "requested_comparison_amount": None, "tracking_number": tracking,
            "is_return_label": bool(row.get("isReturnLabel")), "rma_number": None,
            "is_international": (ship_to or {}).get("country_code") not in (None, "US"),
            "batch_id": se(row.get("_batch")), "carrier_id": self._carrier_id(row),
            "service_code": row["serviceCode"], "package_code": package,
            "voided": bool(row["voided"]), "voided_at": iso(row.get("_voided_at")),
            "label_format": "pdf", "display_scheme": "label", "label_layout": "4x6",
            "trackable": True, "label_image_id": None, "carrier_code": row["carrierCode"],
            "tracking_status": "in_transit", "tracking_url": None,
            "charge_event": "carrier_default",
            "label_download": {"pdf": None, "png": None, "zpl": None, "href": None},
            "form_download": None, "paperless_download": None, "insurance_claim": None,
            "packages": [{"package_id": None, "package_code": package, "weight": None,
                          "dimensions": None, "insured_value": money(0),
                          "tracking_number": tracking, "label_messages": None,
                          "external_package_id": None, "sequence": 1}],
            "ship_to": ship_to, "warehouse_id": se(warehouse) if warehouse else
            self.account.catalog.warehouses[0]["warehouse_id"],
            "void_type": None, "refund_details": None,
        }  # fmt: skip

    def _carrier_id(self, row: Row) -> str | None:
        return self.account.catalog.carrier_id(row["carrierCode"])

    def listing(self, params: Mapping[str, str]) -> Row:
        status = one_of(params, "label_status", LABEL_STATUSES)
        created = window(params, "created_at")
        wanted = {k: params[k] for k in EXACT if params.get(k)}
        if params.get("rate_id"):
            wanted["rate_id"] = params["rate_id"]  # no rates in the sandbox: matches nothing
        with self.host.lock:
            rows = [s for s in self.host.labels.shipments if created(s["_created"])]
            rows = sort_rows(rows, params, SORTS)
            views = [self.view(s) for s in rows]
            views = [v for v in views if (not status or v["status"] == status)
                     and all(v.get(k) == value for k, value in wanted.items())]  # fmt: skip
            return paginate(views, params, "labels", "/v2/labels")

    def find(self, label_id: str) -> Row:
        if not SE_ID.match(label_id):
            raise V2Error(400, "invalid_identifier",
                          f"label_id '{label_id}' is not a ShipStation id (se-…)")  # fmt: skip
        number = se_number(label_id)
        found = next((s for s in self.host.labels.shipments if s["shipmentId"] == number), None)
        if found is None:
            raise not_found("label_id", label_id)
        return found

    def get(self, label_id: str) -> Row:
        with self.host.lock:
            return self.view(self.find(label_id))

    def void(self, label_id: str) -> Row:
        """PUT /v2/labels/{id}/void: the same void as the admin API's (one code path)."""
        with self.host.lock:
            row = self.find(label_id)
            if row["voided"]:
                return {"approved": False, "message": f"Label {label_id} was already voided.",
                        "reason_code": "label_already_voided"}  # fmt: skip
            self.host.void_label(row["shipmentId"])
        return {
            "approved": True,
            "message": "Request for refund submitted.  This label has been voided.",
        }


def _status(row: Row) -> str:
    return "voided" if row["voided"] else "completed"
