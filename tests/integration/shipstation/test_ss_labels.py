"""Labels bought in the simulated ShipStation, read back by the client across pages."""

from __future__ import annotations

from datetime import timedelta

from adapters.sandbox.shipstation.app import ShipStationSandbox
from adapters.sandbox.shipstation.clock import VirtualClock
from adapters.sandbox.shipstation.demo import demo_orders
from adapters.shipstation import ShipStationClient
from domain.model import Label


def pushed(client: ShipStationClient, count: int) -> list[dict]:
    payloads = [client.render(o) for o in demo_orders("shop-1", count)]
    assert all(r.success for r in client.create_orders(payloads))
    return payloads


def read_all(pages) -> tuple[list[Label], list[int]]:
    labels, numbers = [], []
    for page in pages:
        labels.extend(page.labels)
        numbers.append(page.page)
    return labels, numbers


def lines_of(label: Label) -> dict[str, int]:
    return {line.order_sn: line.quantity for line in label.lines}


def test_full_partial_multi_package_and_voided_labels_read_back_across_pages(
    make_client, sandbox: ShipStationSandbox, clock: VirtualClock
) -> None:
    client = make_client(page_size=2)
    full, partial, multi, voided = pushed(client, 4)
    since = clock.now()
    clock.advance(5)
    a = partial["items"][0]["lineItemKey"]
    sandbox.create_labels(full["orderKey"], carrier_code="ups", service_code="ups_ground")
    sandbox.create_labels(partial["orderKey"], [{a: 1}])
    sandbox.create_labels(multi["orderKey"], [None, None])
    (cancelled,) = sandbox.create_labels(voided["orderKey"])
    sandbox.void_label(cancelled["shipmentId"])

    labels, pages = read_all(client.shipments_since(since))
    assert pages == [1, 2, 3]
    by_order: dict[str, list[Label]] = {}
    for label in labels:
        by_order.setdefault(label.order_key or "", []).append(label)
    (ups,) = by_order[full["orderKey"]]
    assert (ups.carrier_code, ups.service_code) == ("ups", "ups_ground")
    assert lines_of(ups) == {i["lineItemKey"]: i["quantity"] for i in full["items"]}
    assert [lines_of(lb) for lb in by_order[partial["orderKey"]]] == [{a: 1}]
    packages = by_order[multi["orderKey"]]
    assert len(packages) == 2 and len({p.tracking_number for p in packages}) == 2
    assert [lb.voided for lb in by_order[voided["orderKey"]]] == [True]
    assert all(lb.created_at >= since for lb in labels)


def test_labels_move_orders_to_shipped_only_when_every_line_is_labelled(
    client: ShipStationClient, sandbox: ShipStationSandbox
) -> None:
    (payload,) = pushed(client, 1)
    a, b = (item["lineItemKey"] for item in payload["items"])
    sandbox.create_labels(payload["orderKey"], [{a: 1}])
    assert sandbox.orders[payload["orderKey"]]["orderStatus"] == "awaiting_shipment"
    (second,) = sandbox.create_labels(payload["orderKey"])
    assert [i["lineItemKey"] for i in second["shipmentItems"]] == [b]
    assert sandbox.orders[payload["orderKey"]]["orderStatus"] == "shipped"
    sandbox.void_label(second["shipmentId"])
    assert sandbox.orders[payload["orderKey"]]["orderStatus"] == "awaiting_shipment"


def test_voided_labels_are_found_by_void_date(
    client: ShipStationClient, sandbox: ShipStationSandbox, clock: VirtualClock
) -> None:
    first, second = pushed(client, 2)
    kept = sandbox.create_labels(first["orderKey"])[0]
    gone = sandbox.create_labels(second["orderKey"])[0]
    clock.advance(3600)
    since = clock.now() - timedelta(seconds=1)
    sandbox.void_label(gone["shipmentId"])
    labels, _ = read_all(client.voided_since(since))
    assert [lb.shipment_id for lb in labels] == [str(gone["shipmentId"])]
    assert str(kept["shipmentId"]) not in {lb.shipment_id for lb in labels}


def test_reconciliation_lists_orders_with_their_status(
    client: ShipStationClient, sandbox: ShipStationSandbox, clock: VirtualClock
) -> None:
    since = clock.now()
    first, _ = pushed(client, 2)
    clock.advance(1)
    sandbox.create_labels(first["orderKey"])
    summaries = [s for page in client.list_orders(since) for s in page]
    status = {s.order_key: s.order_status for s in summaries}
    assert status[first["orderKey"]] == "shipped" and len(status) == 2
    assert summaries[-1].order_key == first["orderKey"]  # sorted by modifyDate, oldest first
