"""One page of Temu orders into our store: the ship-to and prices fetched where needed, each
order driven through the machine (`plan.plan_orders`), everything saved in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from domain.errors import ExternalApiError, PermissionMissing, TokenError
from domain.history import EventContext
from domain.model import LOCKED_STATES, OrderAmounts, TemuOrder, Tracking
from domain.order import Order
from domain.ports import OrderPage, TemuGateway, TemuLogistics, TemuOrders, UnitOfWork
from domain.shop import Shop
from domain.sync.plan import SyncPlan, plan_orders

ADDRESS_STATUSES = frozenset({2, 41, 51})
"""Temu gives a ship-to once an order awaits shipment (and while partly shipped)."""
SHIPPED_STATUS = 4
SHIPPED_BY_TEMU = frozenset({4, 5})
"""Temu may still give the ship-to of a shipped order (the sources disagree): asked for an
order never imported, so one first seen shipped can be imported as shipped."""

T = TypeVar("T")


def apply_page(
    uow: UnitOfWork, temu: TemuGateway, shop: Shop, page: OrderPage, ctx: EventContext
) -> SyncPlan:
    """Apply one page of Temu orders: fetch missing ship-tos and prices, drive the machine,
    store the orders with their history and the page's unreadable orders (kept for replay)."""
    with uow:
        sns = [o.parent_order_sn for o in page.orders]
        stored = uow.orders.get_many(shop.shop_id, sns)
        problems: list[tuple[str, str]] = []
        permission_before = shop.amounts_permission
        seen = with_addresses(temu, page.orders, stored, problems)
        seen = _with_amounts(temu, shop, seen, stored, problems)
        if shop.shipstation.api.ships_with_tracking:
            seen = _with_tracking(temu, seen, stored, problems)
        plan = plan_orders(shop.shop_id, seen, stored, ctx)
        plan.problems += problems
        plan.problems += [(f.parent_order_sn or "?", f.reason) for f in page.failures]
        uow.orders.save_many(plan.to_save)  # an order read again unchanged is not written
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


def _with_tracking(
    temu: TemuLogistics,
    orders: list[TemuOrder],
    stored: Mapping[str, Order],
    problems: list[tuple[str, str]],
) -> list[TemuOrder]:
    """Temu's tracking for the orders it says are shipped that ShipStation may still show as
    open: V2 marks an order shipped only with a tracking number."""
    orders = [_known_tracking(o, stored.get(o.parent_order_sn)) for o in orders]
    wanted = [(o.parent_order_sn, o.lines[0].order_sn) for o in orders
              if _wants_tracking(o, stored.get(o.parent_order_sn))]  # fmt: skip
    found = temu.shipments_many(wanted) if wanted else {}
    tracked = {
        sn: tuple(Tracking(s.tracking_number, s.carrier_name) for s in shipments)
        for sn, shipments in found.items()
        if not isinstance(shipments, ExternalApiError)
    }
    errors = {sn: e for sn, e in found.items() if isinstance(e, ExternalApiError)}
    orders = _apply_fetched(orders, errors, "tracking", problems, lambda o, _: o)
    return [o.with_tracking(tracked[o.parent_order_sn]) if tracked.get(o.parent_order_sn) else o
            for o in orders]  # fmt: skip


def _wants_tracking(order: TemuOrder, known: Order | None) -> bool:
    has_address = order.ship_to is not None or (known is not None and known.ship_to is not None)
    open_there = known is None or (
        known.pushed_state not in LOCKED_STATES and not known.confirmations
    )
    return (
        order.status in SHIPPED_BY_TEMU
        and not order.tracking
        and bool(order.lines)
        and has_address
        and open_there
    )


def _known_tracking(order: TemuOrder, known: Order | None) -> TemuOrder:
    """Temu's order list has no tracking: a re-read order keeps what was read before."""
    before = known.snapshot.tracking if known is not None and known.snapshot else ()
    return order.with_tracking(before) if before and not order.tracking else order


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
