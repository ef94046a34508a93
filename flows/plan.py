"""`temuship sync --plan`: what a sync would send to each API, computed without writing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from domain.history import EventContext
from domain.model import Source
from domain.services.orders import with_addresses, with_known_prices
from domain.sync_plan import plan_labels, plan_orders
from flows.sync_run import SHIPMENT_CURSOR, ShopSync
from flows.windows import shipment_start
from flows.wiring import Services


@dataclass
class PlanReport:
    shop_id: str
    blocked: str | None = None
    to_shipstation: list[tuple[str, str]] = field(default_factory=list)
    to_temu: list[tuple[str, str, int]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    attention: list[tuple[str, str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "shop": self.shop_id, "blocked": self.blocked, "counts": dict(self.counts),
            "shipstation_orders": [{"order": sn, "status": st} for sn, st in self.to_shipstation],
            "temu_confirmations": [{"shipment": sid, "order": sn, "lines": n}
                                   for sid, sn, n in self.to_temu],
            "attention": [list(a) for a in self.attention],
        }  # fmt: skip


def plan_shop(services: Services, shop_id: str, since: datetime | None = None) -> PlanReport:
    """Read both APIs and our store; list what a sync would send. Writes nothing anywhere."""
    report, run = PlanReport(shop_id), ShopSync(services, shop_id, since=since)
    shop = run.shop()
    with services.uow() as uow:
        token = uow.tokens.get(shop_id)
    now = services.clock.now()
    if shop.paused or token is None or not token.usable or now >= token.expires_at:
        report.blocked = shop.paused_reason or "the Temu token is not usable: reauthorize first"
        return report
    ctx = EventContext(now, Source.TEMU, "plan")
    _plan_orders(run, report, ctx)
    _plan_shipments(run, report, ctx, since)
    return report


def _plan_orders(run: ShopSync, report: PlanReport, ctx: EventContext) -> None:
    for stream in run.streams():
        page = 1
        while True:
            result = run.temu.list_orders(stream.window, page, status=stream.status)
            with run.services.uow() as uow:
                stored = uow.orders.get_many(
                    run.shop_id, [o.parent_order_sn for o in result.orders]
                )
            problems: list[tuple[str, str]] = []
            seen = with_known_prices(
                with_addresses(run.temu, result.orders, stored, problems), stored
            )
            plan = plan_orders(run.shop_id, seen, stored, ctx, run.shipstation.render)
            report.counts.update({k: v for k, v in plan.counts().items() if k != "to_push"})
            report.to_shipstation += [(p.parent_order_sn, p.status) for p in plan.pushes]
            for kind, rows in (
                ("held", plan.held),
                ("conflict", plan.conflicts),
                ("read_problem", problems),
            ):
                report.attention += [(kind, sn, why) for sn, why in rows]
            if not (result.has_more and result.orders):
                break
            page += 1
    with run.services.uow() as uow:
        retries = uow.orders.push_queue(run.shop_id, 10_000)
    planned = {sn for sn, _ in report.to_shipstation}
    report.to_shipstation += [
        (o.parent_order_sn, o.state.value)
        for o in retries
        if o.importable and o.parent_order_sn not in planned
    ]


def _plan_shipments(
    run: ShopSync, report: PlanReport, ctx: EventContext, since: datetime | None
) -> None:
    shop = run.shop()
    with run.services.uow() as uow:
        cursor = uow.cursors.get(run.shop_id, SHIPMENT_CURSOR)
        pending = uow.orders.open_confirmations(run.shop_id)
    start = shipment_start(cursor, ctx.at, timedelta(days=shop.backfill_days), since)
    for page in run.shipstation.shipments_since(start):
        sns = {line.order_sn for label in page.labels for line in label.lines}
        with run.services.uow() as uow:
            owners = uow.orders.owners_of_lines(run.shop_id, sns)
            stored = uow.orders.get_many(run.shop_id, set(owners.values()))
        plan = plan_labels(run.shop_id, page.labels, stored, owners, ctx)
        report.to_temu += [
            (c.shipment_id, c.parent_order_sn, len(c.lines)) for c in plan.confirmations
        ]
        report.attention += [("label_unresolved", sid, why) for sid, why in plan.unresolved]
    queued = {sid for sid, _, _ in report.to_temu}
    report.to_temu += [
        (c.shipment_id, c.parent_order_sn, len(c.lines))
        for c in pending
        if c.shipment_id not in queued
    ]
