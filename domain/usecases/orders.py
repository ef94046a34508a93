"""Import Temu orders page by page, and push the changed ones to ShipStation in batches."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from domain.digest import payload_digest
from domain.errors import ExternalApiError, PermissionMissing, TokenError
from domain.history import EventContext
from domain.model import OrderAmounts, TemuOrder
from domain.order import Order
from domain.plan import Render, SyncPlan, plan_orders
from domain.ports import OrderPage, ShipStationGateway, TemuOrders, UnitOfWork
from domain.shop import Shop

ADDRESS_STATUSES = frozenset({2, 41, 51})
"""Temu gives a ship-to once an order awaits shipment (and while partly shipped)."""
SHIPPED_STATUS = 4
"""Temu may still give the ship-to of a shipped order (the sources disagree): asked for an
order never imported, so one first seen shipped can be imported as shipped."""
OPEN_STATUSES = (1, 2, 41, 51)

UowFactory = Callable[[], UnitOfWork]
T = TypeVar("T")
BATCH = 100  # createorders takes up to 100 orders a call

_write_locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
_registry_lock = threading.Lock()


def write_lock(shop_id: str) -> threading.Lock:
    """This process's lock on a shop's orders: a page's import (read, fetch, save) and a push's
    bookkeeping never interleave, so the two never meet as concurrent writers of one order
    (orders go to ShipStation while Temu is still being read: `PushLane`)."""
    with _registry_lock:
        return _write_locks[shop_id]


def import_page(
    uow: UnitOfWork,
    temu: TemuOrders,
    shop: Shop,
    page: OrderPage,
    ctx: EventContext,
    render: Render | None = None,
) -> SyncPlan:
    """Apply one page of Temu orders: fetch missing ship-tos, drive the machine, store."""
    with write_lock(shop.shop_id), uow:
        sns = [o.parent_order_sn for o in page.orders]
        stored = uow.orders.get_many(shop.shop_id, sns)
        problems: list[tuple[str, str]] = []
        permission_before = shop.amounts_permission
        seen = with_addresses(temu, page.orders, stored, problems)
        seen = _with_amounts(temu, shop, seen, stored, problems)
        plan = plan_orders(shop.shop_id, seen, stored, ctx, render)
        plan.problems += problems
        plan.problems += [(f.parent_order_sn or "?", f.reason) for f in page.failures]
        uow.orders.save_many(list(plan.orders.values()))
        for failure in page.failures:
            uow.orders.record_read_failure(shop.shop_id, failure, ctx.at)
        if shop.amounts_permission != permission_before:
            uow.shops.save(shop)
        uow.commit()
    return plan


def with_addresses(
    temu: TemuOrders,
    orders: Sequence[TemuOrder],
    stored: Mapping[str, Order],
    problems: list[tuple[str, str]],
) -> list[TemuOrder]:
    def needs(o: TemuOrder) -> bool:
        known = stored.get(o.parent_order_sn)
        changed = "CONFIRMED_CHANGED_ADDRESS" in o.warnings
        has = o.ship_to is not None or (known is not None and known.ship_to is not None)
        never_imported = known is None or known.pushed_state is None
        asked = o.status in ADDRESS_STATUSES or (o.status == SHIPPED_STATUS and never_imported)
        return asked and (changed or not has)

    wanted = [o.parent_order_sn for o in orders if needs(o)]
    found = temu.ship_to(wanted) if wanted else {}
    return _apply_fetched(orders, found, "ship-to", problems, TemuOrder.with_ship_to)


def _with_amounts(
    temu: TemuOrders,
    shop: Shop,
    orders: list[TemuOrder],
    stored: Mapping[str, Order],
    problems: list[tuple[str, str]],
) -> list[TemuOrder]:
    """Prices for orders seen for the first time with an address, if the token may read them."""
    orders = with_known_prices(orders, stored)
    wanted = [
        o.parent_order_sn
        for o in orders
        if o.parent_order_sn not in stored and o.ship_to is not None
    ]
    if shop.amounts_permission is False or not wanted:
        return orders
    found: dict[str, OrderAmounts | ExternalApiError] = {}
    try:
        if shop.amounts_permission is None:  # one probe before a burst of refusals
            found[wanted[0]] = temu.amounts(wanted[0])
        found.update(temu.amounts_many([sn for sn in wanted if sn not in found]))
    except PermissionMissing:
        shop.amounts_permission = False  # reported once per shop, not per order
        return orders
    shop.amounts_permission = True
    return _apply_fetched(orders, found, "prices", problems, TemuOrder.with_amounts)


def _apply_fetched(
    orders: Sequence[TemuOrder],
    found: Mapping[str, T | ExternalApiError | None],
    what: str,
    problems: list[tuple[str, str]],
    apply: Callable[[TemuOrder, T], TemuOrder],
) -> list[TemuOrder]:
    """Orders with what was fetched for them; a token error stops, others are reported."""
    result = []
    for order in orders:
        value = found.get(order.parent_order_sn)
        if isinstance(value, TokenError):
            raise value
        if isinstance(value, ExternalApiError):
            problems.append((order.parent_order_sn, f"{what} not read: {value}"))
            value = None
        result.append(apply(order, value) if value is not None else order)
    return result


def with_known_prices(orders: Sequence[TemuOrder], stored: Mapping[str, Order]) -> list[TemuOrder]:
    """Temu's order list has no prices: a re-read order keeps those read when first seen."""
    return [_known_prices(o, stored.get(o.parent_order_sn)) for o in orders]


def _known_prices(order: TemuOrder, known: Order | None) -> TemuOrder:
    before = known.snapshot if known is not None else None
    if before is None:
        return order
    prices = {line.order_sn: line.unit_price for line in before.lines if line.unit_price}
    if not prices and before.shipping_amount is None:
        return order
    return order.with_amounts(OrderAmounts(before.shipping_amount, prices))


@dataclass
class PushSummary:
    sent: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    calls: int = 0


Action = tuple[Order, dict[str, Any], str]


def push_changed_orders(
    uow_factory: UowFactory,
    shipstation: ShipStationGateway,
    shop_id: str,
    ctx: EventContext,
    batch_size: int = BATCH,
    full_batches_only: bool = False,
) -> PushSummary:
    """Send every order marked for a push in full createorders batches; skip unchanged ones.
    `full_batches_only` leaves a last, partial batch in the queue (a push during the import)."""
    summary, after, ready = PushSummary(), None, []
    while True:
        with write_lock(shop_id), uow_factory() as uow:
            queued = uow.orders.push_queue(shop_id, batch_size, after)
            ready += _ready(shipstation, queued, summary)
            uow.orders.save_many([o for o in queued if not o.push_pending])
            uow.commit()
        if queued:
            after = queued[-1].parent_order_sn
        last = not queued and not full_batches_only
        while len(ready) >= batch_size or (ready and last):
            chunk, ready = ready[:batch_size], ready[batch_size:]
            outcomes = _send(shipstation, chunk, summary)
            _record(uow_factory, shop_id, chunk, outcomes, ctx)
        if not queued:
            return summary


def _ready(
    shipstation: ShipStationGateway, queued: list[Order], summary: PushSummary
) -> list[Action]:
    """The queued orders to send; the others leave the queue (nothing new for ShipStation)."""
    actions = []
    for order in queued:
        payload = shipstation.render(order) if order.importable else None
        digest = payload_digest(payload) if payload is not None else ""
        if payload is None or not order.needs_push(digest):
            order.push_pending = False
            summary.skipped += 1
            continue
        actions.append((order, payload, digest))
    return actions


Outcome = tuple[bool, int | None, str | None]  # (accepted, ShipStation order id, error)


def _send(
    shipstation: ShipStationGateway, actions: list[Action], summary: PushSummary
) -> list[Outcome]:
    results = shipstation.create_orders([payload for _, payload, _ in actions])
    summary.calls += (len(actions) + BATCH - 1) // BATCH
    by_key = {result.order_key: result for result in results}
    outcomes: list[Outcome] = []
    for order, _, _ in actions:
        result = by_key.get(order.key)
        if result is not None and result.success:
            outcomes.append((True, result.shipstation_order_id, None))
            summary.sent += 1
        else:
            error = result.error if result else "ShipStation's answer has no row for this order"
            outcomes.append((False, None, error))
            summary.failed.append((order.parent_order_sn, error or "unknown error"))
    return outcomes


def _record(
    uow_factory: UowFactory,
    shop_id: str,
    actions: list[Action],
    outcomes: list[Outcome],
    ctx: EventContext,
) -> None:
    """What ShipStation answered, on the orders as they are now: an import may have changed
    one since it was sent (it then stays queued, with what was sent recorded)."""
    with write_lock(shop_id), uow_factory() as uow:
        fresh = uow.orders.get_many(shop_id, [order.parent_order_sn for order, _, _ in actions])
        for (sent, payload, digest), (accepted, shipstation_id, error) in zip(
            actions, outcomes, strict=True
        ):
            order = fresh.get(sent.parent_order_sn)
            if order is None:
                continue
            if accepted:
                changed = order.version != sent.version
                order.mark_pushed(dict(payload), digest, shipstation_id, ctx, sent.state, changed)
            else:
                order.mark_push_failed(f"ShipStation refused the order: {error}", ctx)
        uow.orders.save_many(list(fresh.values()))
        uow.commit()
