"""How temuship puts times, counts, order states, a token's validity and a shop's ShipStation
account into words, the same on the terminal (`temuship status`, `sync`, `history`) and in the
Prefect artifacts. No Prefect import: `status` must not pay for one."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from domain.shop import ShipStationApi
from domain.words import plural

ORDER_STATE_WORDS = {
    "new": "new",
    "missing_ship_to": "waiting for a ship-to address",
    "awaiting_payment": "awaiting payment",
    "on_hold": "on hold",
    "awaiting_shipment": "awaiting shipment",
    "shipped": "shipped",
    "cancelled": "cancelled",
}
"""An order's state in words: the one place (the terminal, the artifacts, the history)."""

TOKEN_STATE_WORDS = {
    "active": "active",
    "expiring": "active, expiring soon",
    "expired": "expired",
    "reauthorizing": "expired: waiting for a new token",
    "revoked": "rejected by Temu",
    "rejected": "rejected by Temu",
    "missing_permission": "lacks a permission temuship needs",
    "missing": "none: run `temuship connect`",
}

# What needs a person, by kind (domain/usecases/reports.py `needs_person`, and a run's items):
# (one, several), the count goes in front.
NEEDS_PERSON_WORDS = {
    "shop_paused": ("shop paused (nothing is read or sent)", "shops paused"),
    "push_failed": ("order ShipStation refused", "orders ShipStation refused"),
    "not_sent": ("order kept out of ShipStation", "orders kept out of ShipStation"),
    "held": ("order held: unknown Temu status", "orders held: unknown Temu status"),
    "conflict": ("order where Temu contradicts ShipStation",
                 "orders where Temu contradicts ShipStation"),
    "confirmation_failed": ("confirmation Temu refused", "confirmations Temu refused"),
    "confirmation_waiting": ("confirmation waiting for a fix", "confirmations waiting for a fix"),
    "confirmation_retry": ("confirmation to retry", "confirmations to retry"),
    "label_unresolved": ("label matching no Temu order", "labels matching no Temu order"),
    "label_unreadable": ("label ShipStation gave unreadable", "labels ShipStation gave unreadable"),
    "read_problem": ("order whose Temu data could not be read",
                     "orders whose Temu data could not be read"),
    "not_found": ("order number Temu does not know", "order numbers Temu does not know"),
    "ship_by_risk": ("order to ship now (late, or due within 24 h)",
                     "orders to ship now (late, or due within 24 h)"),
    "ship_by_late": ("order late to ship", "orders late to ship"),
    "ship_by_due": ("order due to ship within 24 h", "orders due to ship within 24 h"),
    "step_failed": ("step that did not finish", "steps that did not finish"),
}  # fmt: skip


def _moment(value: str | datetime | None) -> datetime | None:
    if value is None or value == "":
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def when(value: str | datetime | None, local: bool = True) -> str:
    """A time to the minute with its zone: this machine's local time for the terminal
    (`2026-12-01 15:00 CET`; TZ chooses it), UTC for what a browser shows (`local=False`);
    `never` for none; a text that is no time, as given."""
    try:
        moment = _moment(value)
    except ValueError:
        return str(value)
    if moment is None:
        return "never"
    moment = moment.astimezone() if local else moment.astimezone(UTC)
    return f"{moment:%Y-%m-%d %H:%M} {moment.tzname() or moment.strftime('%z')}"


def when_utc(value: str | datetime | None) -> str:
    """`when` in UTC: `2026-12-01 14:00 UTC` (the artifacts, the logs)."""
    return when(value, local=False)


def span(hours: float) -> str:
    """A length of time, to what matters: `40 min`, `5 h`, `3 days`."""
    hours = abs(hours)
    if hours < 1:
        return f"{max(1, round(hours * 60))} min"
    if hours < 48:
        return f"{hours:.0f} h"
    return f"{hours / 24:.0f} days"


def state_words(state: str | None) -> str:
    """An order's state in words (`waiting for a ship-to address`); `-` for none."""
    return ORDER_STATE_WORDS.get(state or "", state or "-")


def needs_person_words(kind: str, count: int) -> str:
    """`3 orders late to ship`: how many of one kind need a person, in words."""
    one, several = NEEDS_PERSON_WORDS.get(kind, (kind.replace("_", " "), ""))
    return plural(count, one, several or None)


def token_words(token: dict[str, Any], local: bool = True) -> str:
    """A token's state in words, with its expiry or what its date says."""
    state, days = token.get("state", "missing"), token.get("days_left")
    if state in ("active", "expiring") and days is not None:
        left = plural(round(days), "day") if days >= 1 else "less than a day"
        until = when(token.get("expires_at"), local)
        return f"{TOKEN_STATE_WORDS[state]}: {left} left (until {until})"
    return TOKEN_STATE_WORDS.get(state, state) + token_validity(token, local)


def token_validity(token: dict[str, Any], local: bool = False) -> str:
    """What the expiry date says of a token Temu no longer accepts: it passed, or Temu
    stopped taking the token before it (refreshed, or the app's authorisation withdrawn)."""
    until, days = token.get("expires_at"), token.get("days_left")
    if not until:
        return ""
    if days is not None and days > 0:
        return f" (Temu stopped accepting it before its expiry date, {when(until, local)})"
    return f" (it was valid until {when(until, local)})"


def shipstation_words(account: dict[str, Any]) -> str:
    """Which API the shop speaks, and where its orders go: `V2, warehouse se-1, store 5`."""
    parts = [ShipStationApi(account["api"]).label]
    if account.get("warehouse"):
        parts.append(f"warehouse {account['warehouse']}")
    if account.get("store") is not None:
        parts.append(f"store {account['store']}")
    return ", ".join(parts)


def items_by_kind(result: dict[str, Any]) -> list[tuple[str, int]]:
    """A run's items for a person (its `counts`, so those past the list's limit count too),
    by kind, in the order they were found: [(kind, how many)]."""
    counts = result.get("counts") or {}
    found = Counter({k.removeprefix("attention_"): n for k, n in counts.items()
                     if k.startswith("attention_") and n})  # fmt: skip
    order = list(dict.fromkeys(item[0] for item in result.get("attention") or []))
    return sorted(found.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)


def items_list(result: dict[str, Any]) -> list[str]:
    """[`3 orders to ship now`, `1 confirmation Temu refused`]: what a run's items are."""
    return [needs_person_words(kind, n) for kind, n in items_by_kind(result)]


def items_words(result: dict[str, Any]) -> str:
    """`3 orders to ship now; 1 confirmation Temu refused` (what a run's items are)."""
    return "; ".join(items_list(result))


def needs_person_sentence(total: int, words: list[str]) -> str:
    """`Needs a person: 4 things: 3 orders late to ship; 1 confirmation Temu refused.` (the
    total said first only when there are several kinds), or `Nothing needs a person.`"""
    if not total:
        return "Nothing needs a person."
    counted = f"{plural(total, 'thing')}: " if len(words) > 1 else ""
    return f"Needs a person: {counted}{'; '.join(words)}."
