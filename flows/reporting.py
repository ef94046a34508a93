"""What a run leaves for a person: a short summary, the items that need attention, and the
shop's dashboard (one markdown artifact per shop, key `shop-<shop>`, updated by every sync, the
token watch and re-authorisation)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from domain.sync import RunStatus, SyncSummary
from flows.wording import shipstation_words, token_validity, when_utc

# The run's final state name in the Prefect UI, for a run that could not do its job.
STATE_NAMES = {RunStatus.PAUSED: "Shop paused", RunStatus.PARTIAL: "Partly done",
               RunStatus.SKIPPED: "Skipped"}  # fmt: skip

ORDER_STATE_WORDS = {
    "new": "new",
    "missing_ship_to": "waiting for a ship-to address",
    "awaiting_payment": "awaiting payment",
    "on_hold": "on hold",
    "awaiting_shipment": "awaiting shipment",
    "shipped": "shipped",
    "cancelled": "cancelled",
}

# The readable rows of a run's summary: (what, counters summed, in words).
SUMMARY_ROWS: list[tuple[str, tuple[str, ...], str]] = [
    ("Temu orders read", ("orders_seen",), "orders Temu returned for this run"),
    ("new or changed", ("orders_new", "orders_changed"), "orders new to temuship or changed"),
    ("without a ship-to", ("missing_ship_to_seen",), "read without an address: not sent yet"),
    ("sent to ShipStation", ("pushed",), "orders created or updated in ShipStation"),
    ("labels read", ("labels_seen", "voids_seen"), "ShipStation labels and voids read"),
    ("confirmed to Temu", ("confirmed",), "shipments Temu accepted"),
]

DASHBOARD_ITEMS = 10  # problems listed per kind on the dashboard; the rest: `temuship status`


def artifact_key(prefix: str, shop_id: str) -> str:
    return f"{prefix}-{re.sub(r'[^a-z0-9-]+', '-', shop_id.lower()).strip('-') or 'shop'}"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


# --- one run ------------------------------------------------------------------------------------


def publish_summary(outcome: SyncSummary) -> None:
    """Artifacts for one shop's run (they write nothing else)."""
    create_table_artifact(
        summary_rows(outcome),
        key=artifact_key("sync-summary", outcome.shop_id),
        description=f"temuship sync of {outcome.shop_id}: {summary_line(outcome)}",
    )
    create_markdown_artifact(
        attention_markdown(outcome),
        key=artifact_key("needs-attention", outcome.shop_id),
        description=f"what needs a person in {outcome.shop_id}",
    )


def summary_rows(outcome: SyncSummary) -> list[dict[str, Any]]:
    """A few readable rows: what / how many / in words (not the raw counters)."""
    rows: list[dict[str, Any]] = [
        {"what": "result", "how many": "",
         "in words": f"{outcome.status.words}"
                     + (f" ({outcome.reason})" if outcome.reason else "")},
    ]  # fmt: skip
    for what, keys, words in SUMMARY_ROWS:
        rows.append({"what": what, "how many": sum(outcome.counts.get(k, 0) for k in keys),
                     "in words": words})  # fmt: skip
    needing = outcome.needs_person
    advice = "see the needs-attention artifact" if needing else "none"
    rows.append({"what": "need a person", "how many": needing, "in words": advice})
    return rows


def summary_line(outcome: SyncSummary) -> str:
    """One sentence for the run's log and final state (never a raw dict)."""
    c = outcome.counts
    if outcome.status in (RunStatus.PAUSED, RunStatus.SKIPPED, RunStatus.FAILED):
        return f"{outcome.status.words}: {outcome.reason or 'no reason given'}"
    words = (
        f"{c.get('orders_seen', 0)} Temu order(s) read, {c.get('pushed', 0)} sent to "
        f"ShipStation, {c.get('confirmed', 0)} confirmed to Temu"
    )
    if c.get("missing_ship_to_seen"):
        words += f", {c['missing_ship_to_seen']} without a ship-to"
    if needing := outcome.needs_person:
        words += f"; {needing} item(s) need a person"
    if outcome.status is RunStatus.PARTIAL:
        return f"partly done ({outcome.reason or 'see the summary'}): {words}"
    return words


def attention_markdown(outcome: SyncSummary) -> str:
    lines = [f"# {outcome.shop_id}: {outcome.status.words}"]
    if outcome.reason:
        lines.append(f"\n**Why:** {outcome.reason}")
    unaddressed = outcome.counts.get("missing_ship_to_seen", 0)
    blocked = outcome.status in (RunStatus.PAUSED, RunStatus.PARTIAL, RunStatus.FAILED)
    if not outcome.attention and not unaddressed and not blocked:
        lines.append("\nNothing needs a person.")
        return "\n".join(lines)
    if outcome.status is RunStatus.PAUSED:
        lines.append(
            "\n**The shop needs a person:** it stays paused until the cause above is fixed "
            f"(for a token: `temuship reauthorize {outcome.shop_id} --access-token ...`, or "
            "Resume the waiting `reauthorize` run)."
        )
    elif blocked:
        lines.append("\n**This run did not finish its job:** the next sync tries again.")
    if unaddressed:
        lines.append(
            f"\n**{unaddressed} order(s) without a ship-to address** were read: they are sent "
            "to ShipStation once Temu gives the address (check them in Temu if it takes long)."
        )
    if not outcome.attention:
        return "\n".join(lines)
    lines += ["", "| what | order / shipment | reason | what to do |", "|---|---|---|---|"]
    for item in outcome.attention:
        lines.append(
            f"| {item.kind.value} | {item.subject} | {_cell(item.reason)} | {item.advice} |"
        )
    shown = len(outcome.attention)
    total = outcome.needs_person
    if total > shown:
        lines.append(f"\n…and {total - shown} more: `temuship status {outcome.shop_id}`")
    return "\n".join(lines)


# --- the shop's dashboard -----------------------------------------------------------------------


def run_url(run_id: object) -> str | None:
    """The Prefect UI page of a flow run, in the UI that masks the token field (V2), from
    PREFECT_UI_URL (default: the API URL without `/api`); None without a Prefect API."""
    from prefect.settings import get_current_settings

    settings = get_current_settings()
    base = settings.ui_url or ""
    if not base or not settings.api.url:
        return None
    base = base.rstrip("/")
    if not base.endswith("/v2"):
        base += "/v2"
    return f"{base}/runs/flow-run/{run_id}"


def _token_words(token: dict[str, Any]) -> str:
    state, days = token.get("state", "missing"), token.get("days_left")
    if state == "missing":
        return "no token: run `temuship connect`"
    if state == "active" and days is not None:
        warn = " **(renew it soon)**" if days <= 7 else ""
        return f"active, {days:g} day(s) left (until {when_utc(token.get('expires_at'))}){warn}"
    words = {"expired": "expired", "reauthorizing": "expired: waiting for a new token",
             "revoked": "rejected by Temu", "rejected": "rejected by Temu"}  # fmt: skip
    return words.get(state, state) + token_validity(token)


def dashboard_markdown(
    status: dict[str, Any], waiting_run: tuple[str, str | None] | None = None
) -> str:
    """One shop at a glance, from `domain.usecases.reports.shop_status` (its `ship_by_at_risk`
    is the ship-by watch's list). `waiting_run` is the (name, UI URL) of a re-authorisation run
    waiting for the token, if any."""
    shop = status["shop"]
    if "error" in status:
        return f"# Shop {shop}\n\n{status['error']}"
    lines = [f"# Shop {shop}", "", *_headline(status, waiting_run)]
    lines.append("\n" + _needs_person(status))
    lines += ["", "| what | now |", "|---|---|"]
    lines += [f"| **{what}** | {_cell(words)} |" for what, words in _rows(status)]
    lines += _problems("Confirmations pending or failed", [
        f"shipment {p['shipment']} (order {p['order']}), {p['status']}: {p['reason']}"
        for p in status.get("confirmation_problems") or []])  # fmt: skip
    lines += _problems("Orders ShipStation refused", [
        f"{p['order']}: {p['reason']}" for p in status.get("push_failed") or []])  # fmt: skip
    lines += _problems("Orders held", [
        f"{p['order']}: {p['reason']}" for p in status.get("held") or []])  # fmt: skip
    lines += _problems("Orders to ship now (no label yet, earliest ship-by first)",
                       ship_by_items(status))  # fmt: skip
    lines.append(f"\nEverything, as text: `temuship status {shop}`.")
    return "\n".join(lines)


def paused_reason(status: dict[str, Any]) -> str:
    """Why the shop is paused, naming the shop where the stored reason says `SHOP`."""
    reason = str(status.get("paused_reason") or "the token")
    return reason.replace("reauthorize SHOP ", f"reauthorize {status['shop']} ")


def _headline(status: dict[str, Any], waiting_run: tuple[str, str | None] | None) -> list[str]:
    """Syncing, or paused and why, with the run that waits for the token (a link)."""
    shop = status["shop"]
    if not status.get("paused"):
        return ["**Syncing.** Orders flow from Temu to ShipStation and labels back."]
    lines = [f"**Paused: nothing is read or sent.** Why: {paused_reason(status)}"]
    if waiting_run:
        name, url = waiting_run
        link = f"[{name}]({url})" if url else f"`{name}`"
        lines.append(
            f"\nA re-authorisation run waits for the new token: {link}. Open it, choose "
            "**Resume** in its menu (the ⋮ button, top right) and paste the token, or run "
            f"`temuship reauthorize {shop} --access-token ...`."
        )
    elif "token" in str(status.get("paused_reason", "")).lower():
        lines.append(
            f"\nNo run waits for the token yet: run `temuship reauthorize {shop} "
            "--access-token ...` (the next sync starts a `reauthorize` run)."
        )
    return lines


def _needs_person(status: dict[str, Any]) -> str:
    """One line: what needs a person now, or that nothing does."""
    confirmations = status.get("confirmations_by_status") or {}
    late, due = _ship_by_split(status)
    hours = status.get("ship_by_horizon_hours", 24)
    items = [
        (status.get("missing_ship_to", 0), "order(s) missing a ship-to"),
        (len(status.get("push_failed") or []), "order(s) ShipStation refused"),
        (confirmations.get("failed", 0), "confirmation(s) Temu refused"),
        (len(status.get("held") or []), "order(s) held"),
        (status.get("conflicts", 0), "conflict(s)"),
        (status.get("read_failures", 0), "order(s) Temu's data could not be read"),
        (len(late or []), "order(s) late to ship"),
        (len(due or []), f"order(s) to ship within {hours} h"),
    ]
    found = [f"{n} {what}" for n, what in items if n]
    if status.get("paused"):
        found.insert(0, "the shop is paused")
    if not found:
        return "**Nothing needs a person.**"
    return "**Needs a person:** " + "; ".join(found) + "."


def _rows(status: dict[str, Any]) -> list[tuple[str, Any]]:
    """The dashboard's table: what, in words."""
    orders = status.get("orders_by_state") or {}
    by_state = ", ".join(
        f"{n} {ORDER_STATE_WORDS.get(s, s)}" for s, n in sorted(orders.items()) if n
    )
    confirmations = status.get("confirmations_by_status") or {}
    pending = confirmations.get("pending", 0) + confirmations.get("sent", 0)
    failed = confirmations.get("failed", 0)
    return [
        ("Temu token", _token_words(status.get("token") or {})),
        ("ShipStation", shipstation_words(status["shipstation"]) if status.get("shipstation")
                        else "unknown"),
        ("Last good sync", when_utc(status.get("last_successful_sync"))),
        ("Last error", status.get("last_error") or "none"),
        ("Orders", by_state or "none yet"),
        ("Orders missing a ship-to", _count(status.get("missing_ship_to", 0),
                                            "not sent until Temu gives the address")),
        ("Confirmations to Temu", f"{confirmations.get('confirmed', 0)} confirmed, "
                                  f"{pending} pending, {failed} failed"),
        ("Orders ShipStation refused", _count(len(status.get("push_failed") or []),
                                              "fix the field named (listed below)")),
        ("Orders held", _count(len(status.get("held") or []),
                               "unknown Temu status: check them in Temu")),
        ("Conflicts", _count(status.get("conflicts", 0),
                             "Temu contradicts ShipStation: `temuship history ORDER`")),
        ("Orders Temu's data could not be read", _count(status.get("read_failures", 0),
                                                         "kept for replay")),
        ("Ship-by risk", _ship_by_words(status)),
        ("Prices", status.get("prices", "")),
    ]  # fmt: skip


def _count(n: int, advice: str) -> str:
    return f"{n}: {advice}" if n else "none"


def _problems(title: str, items: list[str]) -> list[str]:
    if not items:
        return []
    shown = [f"- {_cell(item)}" for item in items[:DASHBOARD_ITEMS]]
    more = len(items) - DASHBOARD_ITEMS
    return [f"\n### {title}", *shown] + ([f"- …and {more} more"] if more > 0 else [])


def publish_dashboard(
    status: dict[str, Any], waiting_run: tuple[str, str | None] | None = None
) -> None:
    shop = status["shop"]
    create_markdown_artifact(
        dashboard_markdown(status, waiting_run),
        key=artifact_key("shop", shop),
        description=f"temuship: shop {shop} at a glance",
    )


def update_dashboard(
    services: Any,
    shop_id: str,
    log: Callable[[str], Any] | None = None,
    waiting: tuple[str, str | None] | None = None,
) -> None:
    """Rebuild the shop's dashboard artifact; a failure to build it never fails the run.
    `waiting`: the (name, URL) of the run about to wait for the token (default: looked up)."""
    try:
        from domain.usecases.reports import shop_status
        from flows.runs import paused_runs

        status = shop_status(services, shop_id)
        run = waiting
        if run is None and (found := paused_runs(shop_id)):
            run = (found[0].name, run_url(found[0].id))
        publish_dashboard(status, run)
    except Exception as err:  # the dashboard is a display: say so, keep the run's own outcome
        if log is not None:
            log(f"shop {shop_id}: the dashboard could not be updated: {err}")


def _ship_by_split(status: dict[str, Any]) -> tuple[list[str] | None, list[str] | None]:
    """The ship-by watch's orders (earliest ship-by first): (late, due within the horizon);
    (None, None) when the status has no ship-by list."""
    found = status.get("ship_by_at_risk")
    if found is None:
        return None, None
    late = [str(o["order"]) for o in found if o.get("late")]
    due = [str(o["order"]) for o in found if not o.get("late")]
    return late, due


def _ship_by_words(status: dict[str, Any]) -> str:
    """The table's ship-by row: how many are late, how many due within the horizon."""
    late, due = _ship_by_split(status)
    if late is None or due is None:
        return "not watched yet"
    hours = status.get("ship_by_horizon_hours", 24)
    if not late and not due:
        return f"none: no order due within {hours} h without a label"
    words = []
    if late:
        words.append(f"{len(late)} late (ship-by time passed, no label)")
    if due:
        words.append(f"{len(due)} due within {hours} h with no label yet")
    return ", ".join(words) + " (listed below, earliest first)"


def ship_by_items(status: dict[str, Any]) -> list[str]:
    """One line per order of the ship-by list, earliest ship-by first: its PO number, its
    ship-by time, and how late it is or how long is left."""
    items = []
    for risk in status.get("ship_by_at_risk") or []:
        span = _span(abs(float(risk.get("hours_left", 0))))
        when = f"**late by {span}**" if risk.get("late") else f"{span} left"
        items.append(f"{risk['order']}: ship by {when_utc(risk.get('ship_by'))} ({when})")
    return items


def _span(hours: float) -> str:
    """Hours under two days ("5.5 h"), else whole days ("25 days")."""
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.0f} days"


def _few(items: list[str], shown: int = 5) -> str:
    more = len(items) - shown
    return ", ".join(items[:shown]) + (f" and {more} more" if more > 0 else "")
