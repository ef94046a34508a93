"""The daily token watch: days left per shop, warnings at 14/7/3/1 days, expiry by the clock."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact

from domain.token import DEFAULT_WARNING_DAYS
from domain.usecases import tokens
from flows import wiring


@flow(name="token-watch", flow_run_name="token watch")
def token_watch(warning_days: list[int] | None = None) -> list[dict[str, Any]]:
    """Look at every shop's token; warn once per threshold; pause shops whose token expired.

    Args:
        warning_days: Days before expiry at which to warn (default: 14, 7, 3 and 1).
    """
    logger = get_run_logger()
    reports = tokens.watch_shops(wiring.current(), tuple(warning_days or DEFAULT_WARNING_DAYS))
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
    create_table_artifact(rows, key="token-watch", description="Temu tokens: days left")
    return rows
