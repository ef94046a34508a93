"""The daily token watch: days left per shop, warnings at 14/7/3/1 days, expiry by the clock."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact

from domain.history import EventContext
from domain.model import Source
from domain.services import tokens
from domain.token import DEFAULT_WARNING_DAYS
from flows import wiring


@flow(name="token-watch", flow_run_name="token watch")
def token_watch(warning_days: list[int] | None = None) -> list[dict[str, Any]]:
    """Look at every shop's token; warn once per threshold; pause shops whose token expired."""
    logger = get_run_logger()
    services = wiring.current()
    days = tuple(warning_days or DEFAULT_WARNING_DAYS)
    with services.uow() as uow:
        shop_ids = [shop.shop_id for shop in uow.shops.list()]
    rows = []
    for shop_id in shop_ids:
        ctx = EventContext(services.clock.now(), Source.CLOCK)
        report = tokens.watch(services.uow(), shop_id, ctx, days)
        if report is None:
            continue
        if report.newly_warned:
            logger.warning(
                "shop %s: the Temu token expires in %.1f days (threshold %s)",
                shop_id,
                report.days_left,
                report.threshold,
            )
            services.events.emit(
                "temuship.token.expiring",
                shop_id,
                {
                    "shop": shop_id,
                    "days_left": round(report.days_left, 1),
                    "threshold": report.threshold,
                },
            )
        if report.newly_expired:
            logger.error("shop %s: the Temu token has expired; the shop is paused", shop_id)
            services.events.emit(
                "temuship.token.expired", shop_id, {"shop": shop_id, "by": "clock"}
            )
        rows.append(
            {
                "shop": shop_id,
                "state": report.state,
                "days_left": round(report.days_left, 1),
                "warning": f"{report.threshold} days" if report.threshold else "",
            }
        )
    create_table_artifact(rows, key="token-watch", description="Temu tokens: days left")
    return rows
