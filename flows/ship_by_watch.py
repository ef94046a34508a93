"""The hourly ship-by watch: orders near or past Temu's ship-by time with no label yet, per shop.
The rule and the once-only announcement are the use case's (`domain/usecases/ship_by.py`)."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact

from domain.usecases import ship_by
from domain.usecases.shops import known_shops
from flows import wiring
from flows.ui_links import artifact_key
from flows.wording import plural, span, when_utc


@flow(name="ship-by-watch", flow_run_name="ship-by watch ({horizon_hours} h)")
def ship_by_watch(
    horizon_hours: int = ship_by.DEFAULT_HORIZON_HOURS, shop_ids: list[str] | None = None
) -> list[dict[str, Any]]:
    """List each shop's orders whose Temu ship-by time is near or past and that have no label
    yet; announce each once per horizon (event temuship.order.ship_by_at_risk).

    Args:
        horizon_hours: How far ahead to look, in hours: an order whose ship-by time is at
            most this far away (or already past) and that has no label yet is at risk.
            0 lists only the late ones. Each horizon announces an order once.
        shop_ids: The shops to watch (default: every connected shop).
    """
    logger = get_run_logger()
    services = wiring.current()
    summaries, failed = [], []
    for shop_id in known_shops(services, shop_ids or []):
        try:
            report = ship_by.watch_shop(services, shop_id, horizon_hours)
        except Exception as error:  # one shop failing does not stop the others
            logger.error("shop %s: the ship-by watch failed: %s", shop_id, error)
            failed.append(shop_id)
            continue
        for risk in report.orders:
            if risk.parent_order_sn in report.announced:
                logger.warning("shop %s: %s", shop_id, describe(risk))
        publish(report)
        summaries.append(summary(report))
    if failed:
        raise RuntimeError(f"the ship-by watch failed for {', '.join(failed)}")
    return summaries


def describe(risk: ship_by.AtRisk) -> str:
    left = span(risk.hours_left)
    said = f"late by {left}" if risk.late else f"in {left}"
    return (
        f"{risk.parent_order_sn} must ship by {when_utc(risk.ship_by)} ({said}); "
        f"{plural(risk.lines_left, 'line')} not covered by a label"
    )


def rows_of(report: ship_by.ShipByReport) -> list[dict[str, Any]]:
    return [
        {"order": r.parent_order_sn, "ship_by": f"{r.ship_by:%Y-%m-%d %H:%M} UTC",
         "hours_left": round(r.hours_left, 1), "late": r.late, "lines_left": r.lines_left,
         "announced_now": r.parent_order_sn in report.announced}
        for r in report.orders
    ]  # fmt: skip


def publish(report: ship_by.ShipByReport) -> None:
    """The table artifact `ship-by-<shop>`: the orders at risk, earliest ship-by first."""
    create_table_artifact(
        rows_of(report),
        key=artifact_key("ship-by", report.shop_id),
        description=(
            f"{report.shop_id}: {plural(len(report.orders), 'order')} to ship within "
            f"{report.horizon_hours} h with no label, {len(report.late)} late"
        ),
    )


def summary(report: ship_by.ShipByReport) -> dict[str, Any]:
    return {
        "shop": report.shop_id,
        "horizon_hours": report.horizon_hours,
        "at_risk": len(report.orders),
        "late": len(report.late),
        "announced": list(report.announced),
    }
