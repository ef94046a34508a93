"""Labels (V1 "shipments") bought in the simulated ShipStation, and what they do to orders."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping, Sequence

from adapters.sandbox.shipstation.clock import SandboxClock
from adapters.sandbox.shipstation.dates import pacific_text
from adapters.sandbox.shipstation.listing import Row, list_shipments, public


class Labels:
    """Shipments per order; an order is shipped while its lines are all on live labels."""

    def __init__(self, orders: dict[str, Row], clock: SandboxClock, lock: threading.RLock):
        self.orders, self.clock, self.lock = orders, clock, lock
        self.shipments: list[Row] = []
        self._shipment_ids = itertools.count(33974374)
        self._item_ids = itertools.count(192210956)
        self._batches = itertools.count(7700001)  # one per purchase (V2 batch_id, V1 batchId)

    def number_items(self, order: Row, previous: Row | None) -> None:
        """Give items an orderItemId, keeping the old one for a lineItemKey seen before."""
        known = {i.get("lineItemKey"): i["orderItemId"] for i in (previous or {}).get("items", [])}
        stamp = order["modifyDate"][:23]
        for item in order["items"]:
            item_id = known.get(item.get("lineItemKey")) or next(self._item_ids)
            item.update(orderItemId=item_id, createDate=stamp, modifyDate=stamp)

    def listing(self, params: Mapping[str, str]) -> tuple[int, Row]:
        return list_shipments(self.shipments, params)

    def create(
        self,
        order_key: str,
        packages: Sequence[Mapping[str, int] | None],
        carrier_code: str,
        service_code: str,
        voided: bool,
    ) -> list[Row]:
        with self.lock:
            order = self.orders[order_key]
            open_lines = self._unlabelled(order)
            made = [
                self._shipment(order, lines or open_lines, carrier_code, service_code, voided)
                for lines in packages
            ]
            batch = next(self._batches)
            for shipment in made:
                shipment["_batch"] = batch
            self.shipments.extend(made)
            self._settle(order)
            return [public(s) for s in made]

    def void(self, shipment_id: int) -> Row:
        with self.lock:
            shipment = next(s for s in self.shipments if s["shipmentId"] == shipment_id)
            now = self.clock.now()
            shipment.update(voided=True, voidDate=pacific_text(now), _voided_at=now, _modified=now)
            self._settle(self.orders[shipment["orderKey"]])
            return public(shipment)

    def _labelled(self, order_key: str) -> dict[str, int]:
        done: dict[str, int] = {}
        for shipment in self.shipments:
            if shipment["orderKey"] == order_key and not shipment["voided"]:
                for item in shipment["shipmentItems"]:
                    key = item.get("lineItemKey")
                    done[key] = done.get(key, 0) + item["quantity"]
        return done

    def _unlabelled(self, order: Row) -> dict[str, int]:
        done = self._labelled(order["orderKey"])
        open_lines = {}
        for item in order["items"]:
            left = int(item.get("quantity") or 0) - done.get(item.get("lineItemKey"), 0)
            if left > 0:
                open_lines[item.get("lineItemKey")] = left
        return open_lines

    def _settle(self, order: Row) -> None:
        # Labels for every line ship the order; voiding one reopens it, as ShipStation does.
        live = [s for s in self.shipments if s["orderKey"] == order["orderKey"] and not s["voided"]]
        complete = bool(order["items"]) and not self._unlabelled(order)
        if complete and order["orderStatus"] != "shipped":
            last = live[-1]
            carrier, service = last["carrierCode"], last["serviceCode"]
            order.update(
                orderStatus="shipped", shipDate=last["shipDate"], carrierCode=carrier,
                serviceCode=service,
            )  # fmt: skip
        elif not complete and order["orderStatus"] == "shipped":
            order.update(orderStatus="awaiting_shipment", shipDate=None)
        else:
            return
        order["_modified"] = self.clock.now()
        order["modifyDate"] = pacific_text(order["_modified"])

    def _shipment(
        self, order: Row, lines: Mapping[str, int], carrier: str, service: str, voided: bool
    ) -> Row:
        now, shipment_id = self.clock.now(), next(self._shipment_ids)
        items = [
            {**_item_fields(item), "quantity": lines[item.get("lineItemKey")]}
            for item in order["items"]
            if item.get("lineItemKey") in lines
        ]
        return {
            "shipmentId": shipment_id, "orderId": order["orderId"], "orderKey": order["orderKey"],
            "userId": None, "customerEmail": order.get("customerEmail"),
            "orderNumber": order["orderNumber"], "createDate": pacific_text(now),
            "shipDate": pacific_text(now)[:10], "shipmentCost": 5.41, "insuranceCost": 0,
            "trackingNumber": f"94001118995617{shipment_id:08d}", "isReturnLabel": False,
            "batchNumber": None, "carrierCode": carrier, "serviceCode": service,
            "packageCode": "package", "confirmation": "none", "warehouseId": None,
            "voided": voided, "voidDate": pacific_text(now) if voided else None,
            "marketplaceNotified": False, "notifyErrorMessage": None, "shipTo": order["shipTo"],
            "weight": None, "dimensions": None,
            "insuranceOptions": {"provider": None, "insureShipment": False, "insuredValue": 0},
            "advancedOptions": {"storeId": order["advancedOptions"]["storeId"]},
            "shipmentItems": items, "labelData": None, "formData": None,
            "_created": now, "_modified": now, "_voided_at": now if voided else None,
        }  # fmt: skip


def _item_fields(item: Row) -> Row:
    keep = ("orderItemId", "lineItemKey", "sku", "name", "imageUrl", "weight", "unitPrice",
            "warehouseLocation", "options", "productId", "fulfillmentSku", "upc")  # fmt: skip
    return {k: item.get(k) for k in keep} | {"adjustment": False}
