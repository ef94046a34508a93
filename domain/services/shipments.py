"""ShipStation labels -> confirmations in the outbox -> Temu, each shipment confirmed once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from domain.carriers import resolve_carrier, unmapped_message
from domain.confirmation import ShipmentConfirmation
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
from domain.sync_plan import SyncPlan, plan_labels

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
    failed: list[tuple[str, str]] = field(default_factory=list)
    waiting: list[tuple[str, str]] = field(default_factory=list)
    retry_later: list[tuple[str, str]] = field(default_factory=list)
    calls: int = 0


def send_confirmations(
    uow_factory: Callable[[], UnitOfWork],
    temu: TemuLogistics,
    shop: Shop,
    shipping: Shipping,
    ctx: EventContext,
) -> ConfirmSummary:
    """Send every open confirmation of the shop, one Temu call per parent order."""
    summary = ConfirmSummary()
    with uow_factory() as uow:
        parents = sorted({c.parent_order_sn for c in uow.orders.open_confirmations(shop.shop_id)})
    for parent_sn in parents:
        request, sent = _prepare(uow_factory, shop, parent_sn, shipping, summary)
        if request is None:
            continue
        summary.calls += 1
        try:
            warnings = temu.confirm_shipment(request)
        except TokenError as err:
            _settle(uow_factory, shop.shop_id, parent_sn, sent, ctx, err, (), summary)
            raise
        except ExternalApiError as err:
            _settle(uow_factory, shop.shop_id, parent_sn, sent, ctx, err, (), summary)
            continue
        _settle(uow_factory, shop.shop_id, parent_sn, sent, ctx, None, warnings, summary)
    return summary


def _prepare(
    uow_factory: Callable[[], UnitOfWork],
    shop: Shop,
    parent_sn: str,
    shipping: Shipping,
    summary: ConfirmSummary,
) -> tuple[ShipmentRequest | None, list[str]]:
    with uow_factory() as uow:
        order = uow.orders.get_many(shop.shop_id, [parent_sn])[parent_sn]
        packages, sent = [], []
        for conf in (c for c in order.confirmations if c.is_open):
            package = _package(order, conf, shop, shipping)
            if isinstance(package, str):
                conf.wait(package, "not_ready")
                summary.waiting.append((conf.shipment_id, package))
                continue
            conf.record_attempt(package.carrier_id, package.warehouse_id)
            packages.append(package)
            sent.append(conf.shipment_id)
        uow.orders.save_many([order])
        uow.commit()  # marked sent before the call: a crash here is resolved by a read-back
    return (ShipmentRequest(tuple(packages)) if packages else None), sent


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
    parent_sn: str,
    sent: list[str],
    ctx: EventContext,
    error: ExternalApiError | None,
    warnings: tuple[str, ...],
    summary: ConfirmSummary,
) -> None:
    with uow_factory() as uow:
        order = uow.orders.get_many(shop_id, [parent_sn])[parent_sn]
        by_id = defaultdict(list, {c.shipment_id: [c] for c in order.confirmations})
        for conf in (c for sid in sent for c in by_id[sid]):
            _apply(order, conf, ctx, error, warnings, summary)
        uow.orders.save_many([order])
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
        summary.failed.append((sid, str(error)))
        order.note("confirmation_failed", ctx, f"shipment {sid}: {error}", accepted=False)
    else:
        conf.retry_later(str(error.code) if error.code is not None else None, str(error))
        summary.retry_later.append((sid, str(error)))
