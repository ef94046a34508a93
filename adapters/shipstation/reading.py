"""ShipStation V1 answers -> domain values: labels, order summaries, stores, carriers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from adapters.shipstation.dates import from_pacific, parse_ship_date
from domain.model import Label, LabelLine
from domain.ports import ShipStationCarrier, ShipStationOrderSummary, Store


@dataclass(frozen=True, slots=True)
class UnkeyedItem:
    """A shipment item without lineItemKey: not ours to guess, so kept aside and reported."""

    shipment_id: str
    sku: str | None
    quantity: int


def label_lines(
    shipment_id: str, items: list[Mapping[str, Any]] | None
) -> tuple[tuple[LabelLine, ...], list[UnkeyedItem]]:
    """Items by lineItemKey (= Temu orderSn), quantities summed; unkeyed items set aside."""
    quantities: dict[str, int] = {}
    unkeyed = []
    for item in items or []:
        quantity = int(item.get("quantity") or 0)
        key = item.get("lineItemKey")
        if key:
            quantities[str(key)] = quantities.get(str(key), 0) + quantity
        else:
            unkeyed.append(UnkeyedItem(shipment_id, item.get("sku"), quantity))
    return tuple(LabelLine(sn, qty) for sn, qty in quantities.items()), unkeyed


def parse_label(raw: Mapping[str, Any]) -> tuple[Label, list[UnkeyedItem]]:
    """One `/shipments` row as a Label, plus any items that carry no lineItemKey."""
    shipment_id = str(raw["shipmentId"])
    lines, unkeyed = label_lines(shipment_id, raw.get("shipmentItems"))
    label = Label(
        shipment_id=shipment_id,
        tracking_number=str(raw.get("trackingNumber") or ""),
        carrier_code=str(raw.get("carrierCode") or ""),
        created_at=from_pacific(raw["createDate"]),
        lines=lines,
        order_key=raw.get("orderKey"),
        order_number=raw.get("orderNumber"),
        service_code=raw.get("serviceCode"),
        ship_date=parse_ship_date(raw.get("shipDate")),
        voided=bool(raw.get("voided")),
    )
    return label, unkeyed


def parse_order_summary(raw: Mapping[str, Any]) -> ShipStationOrderSummary:
    modified = raw.get("modifyDate")
    return ShipStationOrderSummary(
        order_key=raw.get("orderKey"),
        order_number=str(raw.get("orderNumber") or ""),
        order_status=str(raw.get("orderStatus") or ""),
        shipstation_order_id=int(raw["orderId"]),
        modified_at=from_pacific(modified) if modified else None,
    )


def parse_store(raw: Mapping[str, Any]) -> Store:
    return Store(
        store_id=int(raw["storeId"]),
        name=str(raw.get("storeName") or ""),
        marketplace=raw.get("marketplaceName"),
        active=bool(raw.get("active", True)),
    )


def parse_carrier(raw: Mapping[str, Any]) -> ShipStationCarrier:
    return ShipStationCarrier(code=str(raw["code"]), name=str(raw.get("name") or raw["code"]))
