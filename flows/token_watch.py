"""The daily token watch: days left per shop, warnings at 14/7/3/1 days, expiry by the clock."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact

from domain.token import DEFAULT_WARNING_DAYS
from domain.usecases import tokens
from flows import wiring
from flows.reporting import update_dashboard
from flows.sync import remind_reauthorization
from flows.wording import plural


@flow(name="token-watch", flow_run_name="token watch")
def token_watch(warning_days: list[int] | None = None) -> list[dict[str, Any]]:
    """Look at every shop's token; warn once per threshold; pause shops whose token expired;
    ask again for a re-authorisation run where a shop waits for its token and no run asks;
    update each shop's dashboard (artifact `shop-<shop>`).

    Args:
        warning_days: Days before expiry at which to warn (default: 14, 7, 3 and 1).
    """
    logger, services = get_run_logger(), wiring.current()
    reports = tokens.watch_shops(services, tuple(warning_days or DEFAULT_WARNING_DAYS))
    rows = []
    for report in reports:
        if report.newly_warned:
            logger.warning(
                "shop %s: the Temu token expires in %.1f days (threshold %s)",
                report.shop_id, report.days_left, report.threshold,
            )  # fmt: skip
        if report.newly_expired:
            logger.error("shop %s: the Temu token has expired; the shop is paused", report.shop_id)
        rows.append(
            {
                "shop": report.shop_id,
                "state": report.state,
                "days_left": round(report.days_left, 1),
                "warning": f"{report.threshold} days" if report.threshold else "",
            }
        )
        if not report.newly_expired:  # a newly expired one was announced just now
            remind_reauthorization(services, report.shop_id)
        update_dashboard(services, report.shop_id, logger.warning)
    create_table_artifact(rows, key="token-watch", description="Temu tokens: days left")
    logger.info("token watch: %s", watch_line(rows))
    return rows


def watch_line(rows: list[dict[str, Any]]) -> str:
    """The watch in one sentence (the run's last log line)."""
    if not rows:
        return "no shop is connected"
    return "; ".join(
        f"{row['shop']} {row['state']}"
        + (
            f", {plural(round(row['days_left']), 'day')} left"
            if row["state"] in ("active", "expiring")
            else ""
        )
        for row in rows
    )
