"""One shop's status (domain/usecases/reports.py `shop_status`) in words: the headline, what
needs a person, the table and the lists of problems. `temuship status` prints them, the shop's
dashboard artifact renders them: the same figures, the same words. No Prefect import."""

from __future__ import annotations

from typing import Any

from flows.wording import (
    needs_person_sentence,
    needs_person_words,
    plural,
    shipstation_words,
    span,
    state_words,
    token_words,
    when,
)

SHOWN = 10  # problems listed per kind; `temuship status --json` has them all (its first 20)


def paused_reason(status: dict[str, Any]) -> str:
    """Why the shop is paused, naming the shop where the stored reason says `SHOP`."""
    reason = str(status.get("paused_reason") or "the token")
    return reason.replace("reauthorize SHOP ", f"reauthorize {status['shop']} ")


def headline(status: dict[str, Any]) -> str:
    """`Syncing: orders flow...` or `Paused: nothing is read or sent. Why: ...`."""
    if not status.get("paused"):
        return "Syncing: orders go from Temu to ShipStation, and labels back to Temu."
    return f"Paused: nothing is read or sent. Why: {paused_reason(status)}"


def needs_person(status: dict[str, Any]) -> tuple[int, list[str]]:
    """How many things need a person now, and what they are in words (`3 orders late to
    ship`); the shop's whole count, from `shop_status`'s `needs_person`."""
    found = status.get("needs_person") or {"total": 0, "by_kind": {}}
    by_kind: dict[str, int] = found.get("by_kind") or {}
    return int(found.get("total", 0)), [needs_person_words(k, n) for k, n in by_kind.items()]


def needs_person_line(status: dict[str, Any]) -> str:
    return needs_person_sentence(*needs_person(status))


def rows(status: dict[str, Any], local: bool) -> list[tuple[str, str]]:
    """The table: (what, in words). Times local on the terminal (`local`), else UTC."""
    orders = status.get("orders_by_state") or {}
    by_state = ", ".join(f"{n} {state_words(s)}" for s, n in sorted(orders.items()) if n)
    confirmations = status.get("confirmations_by_status") or {}
    pending = confirmations.get("pending", 0) + confirmations.get("sent", 0)
    by_kind = (status.get("needs_person") or {}).get("by_kind") or {}
    waiting = status.get("missing_ship_to", 0)
    return [
        ("Temu token", token_words(status.get("token") or {}, local)),
        ("ShipStation", shipstation_words(status["shipstation"]) if status.get("shipstation")
                        else "unknown"),
        ("Last good sync", when(status.get("last_successful_sync"), local)),
        ("Last error", str(status.get("last_error") or "none")),
        ("Orders", by_state or "none yet"),
        ("Waiting for a ship-to", _count(waiting, "Temu has not given the address yet: sent "
                                         "to ShipStation once it does; nobody needs to act")),
        ("Confirmations to Temu", f"{confirmations.get('confirmed', 0)} confirmed, "
                                  f"{pending} pending, {confirmations.get('failed', 0)} failed"),
        ("Orders ShipStation refused", _count(by_kind.get("push_failed", 0),
                                              "fix the field named (listed below)")),
        ("Orders held", _count(by_kind.get("held", 0), "unknown Temu status: check in Temu")),
        ("Orders Temu contradicts", _count(by_kind.get("conflict", 0),
                                           "see `temuship history ORDER`")),
        ("Orders Temu's data failed", _count(by_kind.get("read_problem", 0),
                                             "kept for replay")),
        ("Ship-by", ship_by_words(status)),
        ("Prices", prices_words(status.get("prices"))),
        *skipped_row(status, local),
    ]  # fmt: skip


def skipped_row(status: dict[str, Any], local: bool) -> list[tuple[str, str]]:
    """A row only while the scheduled turns skip the shop (its last run still in flight)."""
    since = status.get("turns_skipped_since")
    if not since:
        return []
    return [
        (
            "Scheduled syncs",
            f"skipped since {when(since, local)}: the shop's last sync run "
            "is still scheduled or running (a backlog, or a run stuck: see the Prefect UI)",
        )
    ]


def prices_words(prices: str | None) -> str:
    return {
        "read": "read from Temu and sent to ShipStation",
        "no amount permission": "not read: the Temu app may not read amounts "
        "(bg.order.amount.query); orders are sent without prices",
        "unknown yet": "unknown until the first order with an address is read",
    }.get(prices or "", prices or "unknown")


def _count(n: int, advice: str) -> str:
    return f"{n}: {advice}" if n else "none"


def ship_by_words(status: dict[str, Any]) -> str:
    """How many orders are late, how many due within the horizon (no label yet)."""
    found = status.get("ship_by_at_risk")
    if found is None:
        return "not watched yet"
    hours = status.get("ship_by_horizon_hours", 24)
    late = sum(1 for o in found if o.get("late"))
    if not found:
        return f"no order due within {hours} h without a label"
    words = [f"{plural(late, 'order')} late"] if late else []
    if due := len(found) - late:
        words.append(f"{plural(due, 'order')} due within {hours} h")
    return ", ".join(words) + ", no label yet (listed below, earliest first)"


def ship_by_item(risk: dict[str, Any], local: bool) -> tuple[str, str, str]:
    """(order, ship-by time, `late by 5 h` or `5 h left`) of one order at risk."""
    left = span(float(risk.get("hours_left", 0)))
    said = f"late by {left}" if risk.get("late") else f"{left} left"
    return str(risk["order"]), when(risk.get("ship_by"), local), said


def problems(status: dict[str, Any]) -> list[tuple[str, int, list[tuple[str, ...]]]]:
    """The lists of what needs a person: (title, how many in all, rows) with the order number
    in every row (and the shipment id beside it for a confirmation)."""
    by_kind = (status.get("needs_person") or {}).get("by_kind") or {}
    confirmations: list[tuple[str, ...]] = [
        (str(p["order"]), str(p["shipment"]), str(p["status"]), str(p["reason"]))
        for p in status.get("confirmation_problems") or []
    ]
    refused = by_kind.get("confirmation_failed", 0) + by_kind.get("confirmation_waiting", 0)
    return [
        ("Confirmations failed or waiting", refused, confirmations),
        ("Orders ShipStation refused", by_kind.get("push_failed", 0),
         [(p["order"], p["reason"]) for p in status.get("push_failed") or []]),
        ("Orders held", by_kind.get("held", 0),
         [(p["order"], p["reason"]) for p in status.get("held") or []]),
    ]  # fmt: skip
