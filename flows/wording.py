"""How temuship puts a time, a token's validity and a shop's ShipStation account into words,
the same on the terminal (`temuship status`) and in the Prefect artifacts. No Prefect import:
`status` must not pay for one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.shop import ShipStationApi


def when_utc(iso: str | None) -> str:
    """An ISO time as `2026-12-01 14:00 UTC`; `never` for none; anything else as given."""
    if not iso:
        return "never"
    try:
        return f"{datetime.fromisoformat(iso):%Y-%m-%d %H:%M} UTC"
    except ValueError:
        return iso


def token_validity(token: dict[str, Any]) -> str:
    """What the expiry date says of a token Temu no longer accepts: it passed, or Temu
    stopped taking the token before it (refreshed, or the app's authorisation withdrawn)."""
    until, days = token.get("expires_at"), token.get("days_left")
    if not until:
        return ""
    if days is not None and days > 0:
        return f" (Temu stopped accepting it before its expiry date, {when_utc(until)})"
    return f" (it was valid until {when_utc(until)})"


def shipstation_words(account: dict[str, Any]) -> str:
    """Which API the shop speaks, and where its orders go: `V2, warehouse se-1, store 5`."""
    parts = [ShipStationApi(account["api"]).label]
    if account.get("warehouse"):
        parts.append(f"warehouse {account['warehouse']}")
    if account.get("store") is not None:
        parts.append(f"store {account['store']}")
    return ", ".join(parts)
