"""Pushing orders into the simulated ShipStation over HTTP: batches, digests, failures, limits."""

from __future__ import annotations

from adapters.sandbox.shipstation.app import ShipStationSandbox
from adapters.sandbox.shipstation.clock import VirtualClock
from adapters.sandbox.shipstation.demo import demo_orders
from adapters.shipstation import ShipStationClient
from domain.digest import payload_digest
from domain.history import EventContext
from domain.model import Source
from domain.order import Pushed

CREATE = "POST /orders/createorders"


def test_1000_orders_go_in_with_at_most_10_calls(
    client: ShipStationClient, sandbox: ShipStationSandbox
) -> None:
    sandbox.set_rate_limit(None)
    payloads = [client.render(o) for o in demo_orders("shop-1", 1000)]
    results = client.create_orders(payloads)
    assert len(results) == 1000 and all(r.success for r in results)
    assert sandbox.counters.calls[CREATE] <= 10
    assert len(sandbox.orders) == 1000
    stored = sandbox.order(payloads[7]["orderKey"])
    assert stored is not None and stored["items"][1]["unitPrice"] == 9.99
    assert stored["orderDate"] == payloads[7]["orderDate"]


def test_rendering_the_same_orders_again_sends_nothing(
    client: ShipStationClient, sandbox: ShipStationSandbox, clock: VirtualClock
) -> None:
    orders = demo_orders("shop-1", 150)
    payloads = [client.render(o) for o in orders]
    results = client.create_orders(payloads)
    ctx = EventContext(at=clock.now(), source=Source.SHIPSTATION)
    for order, payload, result in zip(orders, payloads, results, strict=True):
        order.mark_pushed(Pushed(payload, payload_digest(payload), result.remote_id), ctx)
    calls_before = sandbox.counters.calls[CREATE]
    to_send = [o for o in orders if o.needs_push(payload_digest(client.render(o)))]
    assert to_send == []
    assert client.create_orders([client.render(o) for o in to_send]) == []
    assert sandbox.counters.calls[CREATE] == calls_before == 2


def test_one_invalid_order_in_a_batch_of_100_fails_alone(
    client: ShipStationClient, sandbox: ShipStationSandbox
) -> None:
    payloads = [client.render(o) for o in demo_orders("shop-1", 100)]
    payloads[42] = {**payloads[42], "orderDate": None}
    results = client.create_orders(payloads)
    failed = [i for i, r in enumerate(results) if not r.success]
    assert failed == [42]
    assert results[42].error == "orderDate: The orderDate field is required."
    assert len(sandbox.orders) == 99 and payloads[42]["orderKey"] not in sandbox.orders


def test_a_shipped_order_cannot_be_updated(
    client: ShipStationClient, sandbox: ShipStationSandbox
) -> None:
    (order,) = demo_orders("shop-1", 1)
    payload = client.render(order)
    client.create_orders([payload])
    sandbox.create_labels(payload["orderKey"])
    (result,) = client.create_orders([payload])
    assert not result.success
    assert result.error == "The order cannot be updated because it is not in an open status."
    assert sandbox.orders[payload["orderKey"]]["orderStatus"] == "shipped"


def test_an_update_replaces_the_whole_order(
    client: ShipStationClient, sandbox: ShipStationSandbox
) -> None:
    (order,) = demo_orders("shop-1", 1)
    payload = client.render(order)
    first = client.create_orders([payload])[0]
    changed = {**payload, "internalNotes": None, "orderStatus": "on_hold"}
    second = client.create_orders([changed])[0]
    stored = sandbox.order(payload["orderKey"])
    assert stored is not None and second.remote_id == first.remote_id
    assert (stored["orderStatus"], stored["internalNotes"]) == ("on_hold", None)
    assert len(sandbox.orders) == 1


def test_5000_orders_under_the_real_40_a_minute_limit_never_hit_429(
    client: ShipStationClient, sandbox: ShipStationSandbox, clock: VirtualClock
) -> None:
    assert sandbox.rate.limit == 40 and sandbox.rate.seconds == 60
    payloads = [client.render(o) for o in demo_orders("shop-1", 5000)]
    sandbox.counters.reset()
    results = client.create_orders(payloads)
    assert all(r.success for r in results)
    assert sandbox.counters.calls[CREATE] == 50
    assert sandbox.counters.rate_limited == 0
    assert clock.elapsed >= 60  # the client did wait for the second window
