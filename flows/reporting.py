"""What a run leaves for a person: a short summary, the items that need attention, and the
shop's dashboard (one markdown artifact per shop, key `shop-<shop>`, updated by every sync, the
token watch and re-authorisation; its key page, `/v2/artifacts/key/shop-<shop>`, shows the
latest: the dashboard is the artifact's description too)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from domain.sync import RunStatus, SyncSummary
from flows import shop_view as view
from flows.ui_links import artifact_key, dashboard_path
from flows.wording import (
    items_list,
    items_words,
    needs_person_sentence,
    needs_person_words,
    plural,
)

# The run's final state name in the Prefect UI, for a run that could not do its job or left
# work for a person. Those end in a Failed-type state (red in the UI; its result is still the
# summary): a green Completed means nothing needs a person. "Skipped" stays Completed.
STATE_NAMES = {RunStatus.PAUSED: "Shop paused", RunStatus.PARTIAL: "Partly done",
               RunStatus.SKIPPED: "Skipped", RunStatus.FAILED: "Failed"}  # fmt: skip
NEEDS_PERSON = "Needs a person"

# The readable rows of a run's summary: (what, counters summed, in words). Orders are counted
# once each, however often a run read them.
SUMMARY_ROWS: list[tuple[str, tuple[str, ...], str]] = [
    ("Temu orders read", ("orders_read",), "orders Temu returned, each counted once"),
    ("new to temuship", ("orders_new",), "orders temuship had not seen before"),
    ("changed state", ("orders_state_changed",), "orders seen before whose state changed"),
    ("waiting for a ship-to", ("orders_without_ship_to",),
     "read without an address: sent once Temu gives it"),
    ("sent to ShipStation", ("pushed",), "orders created or updated in ShipStation"),
    ("labels read", ("labels_seen", "voids_seen"), "ShipStation labels and voids read"),
    ("confirmed to Temu", ("confirmed",), "shipments Temu accepted"),
]  # fmt: skip


def final_state_name(outcome: SyncSummary) -> tuple[str, bool]:
    """The run's state name, and whether it may be green (Completed): only a run that did its
    job and left nothing for a person (or was skipped: another run does the job)."""
    if outcome.status is RunStatus.OK:
        return (NEEDS_PERSON, False) if outcome.needs_person else ("Completed", True)
    return STATE_NAMES[outcome.status], outcome.status is RunStatus.SKIPPED


DASHBOARD_ITEMS = 10  # problems listed per kind on the dashboard; the rest: `temuship status`


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
    advice = items_words(outcome.to_dict()) + ": see needs-attention" if needing else "none"
    rows.append({"what": "need a person", "how many": needing, "in words": advice})
    return rows


def summary_line(outcome: SyncSummary) -> str:
    """One sentence for the run's log and final state (never a raw dict)."""
    c = outcome.counts
    needing = outcome.needs_person
    if outcome.status in (RunStatus.PAUSED, RunStatus.SKIPPED, RunStatus.FAILED):
        said = f"{outcome.status.words}: {outcome.reason or 'no reason given'}"
        others = needing - outcome.counts.get("attention_shop_paused", 0)
        return said + (f"; needs a person: {items_words(outcome.to_dict())}" if others else "")
    words = (
        f"{plural(c.get('orders_read', 0), 'Temu order')} read, {c.get('pushed', 0)} sent to "
        f"ShipStation, {c.get('confirmed', 0)} confirmed to Temu"
    )
    if c.get("orders_without_ship_to"):
        words += f", {c['orders_without_ship_to']} waiting for a ship-to address"
    words += f"; needs a person: {items_words(outcome.to_dict()) if needing else 'nothing'}"
    if outcome.status is RunStatus.PARTIAL:
        return f"partly done ({outcome.reason or 'see the summary'}): {words}"
    return words


def attention_markdown(outcome: SyncSummary) -> str:
    """What this run leaves for a person, item by item (the first ATTENTION_LIMIT), each
    with the order number (and the shipment id of a label) and what to do."""
    lines = [f"# {outcome.shop_id}: {outcome.status.words}"]
    if outcome.reason:
        lines.append(f"\n**Why:** {outcome.reason}")
    if outcome.status is RunStatus.PAUSED:
        lines.append(
            "\n**The shop needs a person:** it stays paused until the cause above is fixed "
            f"(for a token: `temuship reauthorize {outcome.shop_id} --access-token ...`, or "
            "Resume the waiting `reauthorize` run)."
        )
    elif outcome.status in (RunStatus.PARTIAL, RunStatus.FAILED):
        lines.append("\n**This run did not finish its job:** the next sync tries again.")
    needing = outcome.needs_person
    if needing:
        said = needs_person_sentence(needing, items_list(outcome.to_dict()))
        lines.append("\n**Needs a person:**" + said.removeprefix("Needs a person:"))
    elif outcome.status in (RunStatus.OK, RunStatus.SKIPPED):
        lines.append("\nNothing needs a person.")
    if waiting := outcome.counts.get("orders_without_ship_to", 0):
        lines.append(
            f"\n{plural(waiting, 'order')} wait for Temu's ship-to address: each is sent to "
            "ShipStation once Temu gives it (nobody needs to act unless it takes days)."
        )
    if outcome.attention:
        lines += ["", "| what | order | shipment | why | what to do |", "|---|---|---|---|---|"]
        for item in outcome.attention:
            row = item.as_dict()
            cells = (
                needs_person_words(item.kind.value, 1).removeprefix("1 "),
                row["order"] or "",
                row["shipment"] or "",
                item.reason,
                item.advice,
            )
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")  # fmt: skip
    if needing > len(outcome.attention):
        more = needing - len(outcome.attention)
        lines.append(f"\n…and {more} more: `temuship status {outcome.shop_id}`")
    return "\n".join(lines)


# --- the shop's dashboard -----------------------------------------------------------------------


def ui_url(path: str) -> str | None:
    """A page of the Prefect UI that masks the token field (V2), from PREFECT_UI_URL
    (default: the API URL without `/api`); None without a Prefect API."""
    from prefect.settings import get_current_settings

    settings = get_current_settings()
    base = settings.ui_url or ""
    if not base or not settings.api.url:
        return None
    base = base.rstrip("/")
    if not base.endswith("/v2"):
        base += "/v2"
    return f"{base}/{path.lstrip('/')}"


def dashboard_url(shop_id: str) -> str | None:
    """The shop's dashboard, latest version: the key page of `shop-<shop>` (it shows the
    latest version's description, which is the dashboard itself)."""
    return ui_url(dashboard_path(shop_id))


def run_url(run_id: object) -> str | None:
    """The Prefect UI page of a flow run (V2); None without a Prefect API."""
    return ui_url(f"runs/flow-run/{run_id}")


def dashboard_markdown(
    status: dict[str, Any], waiting_run: tuple[str, str | None] | None = None
) -> str:
    """One shop at a glance, from `domain.usecases.reports.shop_status` in the words of
    flows/shop_view.py (those of `temuship status`), times in UTC. `waiting_run` is the
    (name, UI URL) of a re-authorisation run waiting for the token, if any."""
    shop = status["shop"]
    if "error" in status:
        return f"# Shop {shop}\n\n{status['error']}"
    said, _, why = view.headline(status).partition(" Why: ")
    lines = [f"# Shop {shop}", "", f"**{said}**" + (f" Why: {why}" if why else "")]
    lines += _waiting(status, waiting_run)
    needs = view.needs_person_line(status)
    said, _, what = needs.partition(": ")
    needs = f"**{said}:** {what}" if what else f"**{needs}**"
    lines += ["", needs, "", "| what | now |", "|---|---|"]
    lines += [f"| **{what}** | {_cell(words)} |" for what, words in view.rows(status, False)]
    for title, count, found in view.problems(status):
        lines += _problems(title, count, [_problem_line(row) for row in found])
    at_risk = [view.ship_by_item(r, False) for r in status.get("ship_by_at_risk") or []]
    lines += _problems("Orders to ship now (no label yet, earliest ship-by first)", len(at_risk),
                       [f"{o}: ship by {t} (**{left}**)" if "late" in left else
                        f"{o}: ship by {t} ({left})" for o, t, left in at_risk])  # fmt: skip
    lines.append(f"\nEverything, as text: `temuship status {shop}`.")
    return "\n".join(lines)


def _waiting(status: dict[str, Any], waiting_run: tuple[str, str | None] | None) -> list[str]:
    """For a paused shop: the run that waits for the token (a link), or what to do."""
    shop = status["shop"]
    if not status.get("paused"):
        return []
    if waiting_run:
        name, url = waiting_run
        link = f"[{name}]({url})" if url else f"`{name}`"
        return [
            f"\nA re-authorisation run waits for the new token: {link}. Open it, choose "
            "**Resume** in its menu (the ⋮ button, top right) and paste the token, or run "
            f"`temuship reauthorize {shop} --access-token ...`."
        ]
    if "token" in str(status.get("paused_reason", "")).lower():
        return [
            f"\nNo run waits for the token yet: run `temuship reauthorize {shop} "
            "--access-token ...` (the next sync starts a `reauthorize` run)."
        ]
    return []


def _problem_line(row: tuple[str, ...]) -> str:
    """`PO-…: why`, or for a confirmation `PO-…, shipment 123 (failed): why`."""
    if len(row) == 4:
        order, shipment, status, why = row
        return f"{order}, shipment {shipment} ({status}): {why}"
    return ": ".join(row)


def _problems(title: str, count: int, items: list[str]) -> list[str]:
    if not items:
        return []
    shown = [f"- {_cell(item)}" for item in items[:DASHBOARD_ITEMS]]
    more = max(count, len(items)) - len(shown)
    return [f"\n### {title}", *shown] + ([f"- …and {more} more"] if more > 0 else [])


def publish_dashboard(
    status: dict[str, Any], waiting_run: tuple[str, str | None] | None = None
) -> None:
    markdown = dashboard_markdown(status, waiting_run)
    # The description is the dashboard too: the key page (dashboard_url) shows the latest one.
    key = artifact_key("shop", status["shop"])
    create_markdown_artifact(markdown, key=key, description=markdown)


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
