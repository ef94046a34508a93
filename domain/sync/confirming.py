"""ShipStation labels -> confirmations in the outbox -> Temu, each shipment confirmed once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from domain.carriers import resolve_carrier, unmapped_message
from domain.confirmation import ConfirmationStatus, ShipmentConfirmation
from domain.errors import BusinessError, ExternalApiError, TokenError
from domain.history import EventContext
from domain.model import Label
from domain.order import Order
from domain.ports import (
    ConfirmItem,
    ConfirmPackage,
    ShipmentRequest,
    TemuCarrier,
    TemuLogistics,
    UnitOfWork,
)
from domain.shop import Shop
from domain.sync.plan import SyncPlan, plan_labels

RETRYABLE_BUSINESS_CODES = frozenset({"120014006", "140020008", "140020009"})


def record_labels(
    uow: UnitOfWork, shop_id: str, labels: Sequence[Label], ctx: EventContext
) -> SyncPlan:
    """Store ShipStation labels as confirmations (outbox rows) on the orders they ship."""
    with uow:
        sns = {line.order_sn for label in labels for line in label.lines}
        owners = uow.orders.owners_of_lines(shop_id, sns)
        stored = uow.orders.get_many(shop_id, set(owners.values()))
        plan = plan_labels(shop_id, labels, stored, owners, ctx)
        uow.orders.save_many(list(plan.orders.values()))
        uow.commit()
    return plan


@dataclass(frozen=True)
class Shipping:
    """What a confirmation needs besides the label: Temu's carriers and warehouses."""

    carriers: Sequence[TemuCarrier]
    overrides: Mapping[str, int]
    default_warehouse: str | None


@dataclass
class ConfirmSummary:
    confirmed: int = 0
    # (shipment id, why, its parent order) for each confirmation that failed, waits or retries
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    waiting: list[tuple[str, str, str]] = field(default_factory=list)
    retry_later: list[tuple[str, str, str]] = field(default_factory=list)
    calls: int = 0


def send_confirmations(
    uow_factory: Callable[[], UnitOfWork],
    temu: TemuLogistics,
    shop: Shop,
    shipping: Shipping,
    ctx: EventContext,
) -> ConfirmSummary:
    """Send every open confirmation: one Temu call per parent order, or per shipment when a
    ShipStation order merged several parent orders into one package (sendType 2)."""
    summary = ConfirmSummary()
    with uow_factory() as uow:
        opened = uow.orders.open_confirmations(shop.shop_id)
    for conf in (c for c in opened if c.voided_in_doubt):
        _settle_void_in_doubt(uow_factory, temu, shop.shop_id, conf, ctx, summary)
    for unit in _units([c for c in opened if not c.voided_in_doubt]):
        request, sent = _prepare(uow_factory, shop, unit, shipping, summary)
        if request is None:
            continue
        summary.calls += 1
        try:
            warnings = temu.confirm_shipment(request)
        except TokenError as err:
            _settle(uow_factory, shop.shop_id, unit, sent, ctx, err, (), summary)
            raise
        except ExternalApiError as err:
            _settle(uow_factory, shop.shop_id, unit, sent, ctx, err, (), summary)
            continue
        _settle(uow_factory, shop.shop_id, unit, sent, ctx, None, warnings, summary)
    return summary


def _settle_void_in_doubt(
    uow_factory: Callable[[], UnitOfWork],
    temu: TemuLogistics,
    shop_id: str,
    conf: ShipmentConfirmation,
    ctx: EventContext,
    summary: ConfirmSummary,
) -> None:
    """A voided label whose confirmation was being sent when a run stopped: never sent again;
    Temu's record of its first line says whether it arrived (one read, not a confirm)."""
    line = conf.lines[0].order_sn
    try:
        recorded = temu.shipments(conf.parent_order_sn, line)
    except TokenError:
        raise
    except ExternalApiError as err:
        why = f"voided label: Temu's record unread ({err})"
        summary.waiting.append((conf.shipment_id, why, conf.parent_order_sn))
        return
    reached = any(s.tracking_number == conf.tracking_number for s in recorded)
    with uow_factory() as uow:
        order = uow.orders.get_many(shop_id, [conf.parent_order_sn]).get(conf.parent_order_sn)
        stored = order.confirmation(conf.shipment_id) if order else None
        if order is None or stored is None or not stored.voided_in_doubt:
            return
        order.settle_void_in_doubt(stored, reached, ctx)
        uow.orders.save_many([order])
        uow.commit()
    if reached:
        why = "label voided after Temu recorded it: correct it in Temu"
        summary.failed.append((conf.shipment_id, why, conf.parent_order_sn))


@dataclass(frozen=True)
class _Unit:
    """What one Temu call confirms: these parent orders' open confirmations (of a shipment)."""

    parents: tuple[str, ...]
    shipment_id: str | None = None
    elsewhere: frozenset[str] = frozenset()

    def takes(self, conf: ShipmentConfirmation) -> bool:
        if self.shipment_id is not None:
            return conf.shipment_id == self.shipment_id
        return conf.shipment_id not in self.elsewhere


def _units(opened: Sequence[ShipmentConfirmation]) -> list[_Unit]:
    parents_of: dict[str, set[str]] = defaultdict(set)
    for conf in opened:
        parents_of[conf.shipment_id].add(conf.parent_order_sn)
    merged = {sid: tuple(sorted(p)) for sid, p in parents_of.items() if len(p) > 1}
    singles = {c.parent_order_sn for c in opened if c.shipment_id not in merged}
    return [_Unit((sn,), elsewhere=frozenset(merged)) for sn in sorted(singles)] + [
        _Unit(parents, sid) for sid, parents in sorted(merged.items())
    ]


def _prepare(
    uow_factory: Callable[[], UnitOfWork],
    shop: Shop,
    unit: _Unit,
    shipping: Shipping,
    summary: ConfirmSummary,
) -> tuple[ShipmentRequest | None, set[str]]:
    with uow_factory() as uow:
        orders = uow.orders.get_many(shop.shop_id, unit.parents)
        packages: dict[str, ConfirmPackage] = {}
        for order in orders.values():
            for conf in (c for c in order.confirmations if c.is_open and unit.takes(c)):
                package = _package(order, conf, shop, shipping)
                if isinstance(package, str):
                    conf.wait(package, "not_ready")
                    summary.waiting.append((conf.shipment_id, package, order.parent_order_sn))
                    continue
                conf.record_attempt(package.carrier_id, package.warehouse_id)
                packages[conf.shipment_id] = _join(packages.get(conf.shipment_id), package)
        uow.orders.save_many(list(orders.values()))
        uow.commit()  # marked sent before the call: a crash here is resolved by a read-back
    if not packages:
        return None, set()
    return ShipmentRequest(tuple(packages.values()), merged=len(unit.parents) > 1), set(packages)


def _join(first: ConfirmPackage | None, more: ConfirmPackage) -> ConfirmPackage:
    return more if first is None else replace(first, items=first.items + more.items)


def _package(
    order: Order, conf: ShipmentConfirmation, shop: Shop, shipping: Shipping
) -> ConfirmPackage | str:
    carrier_id = resolve_carrier(conf.carrier_code, shipping.carriers, shipping.overrides)
    if carrier_id is None:
        return unmapped_message(shop.shop_id, conf.carrier_code)
    lines = {line.order_sn: line for line in order.lines}
    line_warehouse = next(
        (
            lines[ln.order_sn].warehouse_id
            for ln in conf.lines
            if ln.order_sn in lines and lines[ln.order_sn].warehouse_id
        ),
        None,
    )
    warehouse = shop.warehouse_id or line_warehouse or shipping.default_warehouse
    if warehouse is None:
        return (
            "no Temu warehouse to ship from: the shop has none in Temu; set one with "
            f"`temuship connect {shop.shop_id} --warehouse WH-...`"
        )
    items = tuple(
        ConfirmItem(
            order.parent_order_sn,
            ln.order_sn,
            ln.quantity,
            getattr(lines.get(ln.order_sn), "goods_id", None),
            getattr(lines.get(ln.order_sn), "sku_id", None),
        )
        for ln in conf.lines
    )
    return ConfirmPackage(carrier_id, conf.tracking_number, warehouse, items, conf.extra_tracking)


def _settle(
    uow_factory: Callable[[], UnitOfWork],
    shop_id: str,
    unit: _Unit,
    sent: set[str],
    ctx: EventContext,
    error: ExternalApiError | None,
    warnings: tuple[str, ...],
    summary: ConfirmSummary,
) -> None:
    with uow_factory() as uow:
        orders = uow.orders.get_many(shop_id, unit.parents)
        for order in orders.values():
            for conf in order.confirmations:
                if conf.shipment_id in sent and conf.status is ConfirmationStatus.SENT:
                    _apply(order, conf, ctx, error, warnings, summary)
        uow.orders.save_many(list(orders.values()))
        uow.commit()


def _apply(
    order: Order,
    conf: ShipmentConfirmation,
    ctx: EventContext,
    error: ExternalApiError | None,
    warnings: tuple[str, ...],
    summary: ConfirmSummary,
) -> None:
    sid = conf.shipment_id
    if error is None:
        conf.settle_confirmed(ctx.at, warnings)
        summary.confirmed += 1
        order.note("confirmed_to_temu", ctx, f"shipment {sid} tracking {conf.tracking_number}")
    elif isinstance(error, BusinessError) and str(error.code) not in RETRYABLE_BUSINESS_CODES:
        conf.settle_failed(ctx.at, str(error.code), error.message)
        summary.failed.append((sid, str(error), order.parent_order_sn))
        order.note("confirmation_failed", ctx, f"shipment {sid}: {error}", accepted=False)
    else:
        conf.retry_later(str(error.code) if error.code is not None else None, str(error))
        summary.retry_later.append((sid, str(error), order.parent_order_sn))
