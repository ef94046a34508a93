"""V1's webhook answers (shipstation.md §5.1): `POST /webhooks/subscribe` gives `{"id": N}`;
`GET /webhooks` gives `{"webhooks": [...]}` with PascalCase fields (ShipStation's sample), or a
bare array (one client types it so: both are read)."""

from __future__ import annotations

from typing import Any

from domain.errors import UnexpectedAnswer

API = "ShipStation"


def parse_subscription_id(answer: Any) -> int:
    found = answer.get("id") if isinstance(answer, dict) else None
    if isinstance(found, bool) or not isinstance(found, int | str) or not str(found).isdigit():
        raise UnexpectedAnswer(API, "the subscribe answer has no webhook id")
    return int(found)


def parse_webhooks(answer: Any) -> list[dict[str, Any]]:
    rows = answer.get("webhooks") if isinstance(answer, dict) else answer
    if not isinstance(rows, list):
        raise UnexpectedAnswer(API, "the webhook list is not a list")
    return [_webhook(row) for row in rows if isinstance(row, dict) and _id(row) is not None]


def _id(row: dict[str, Any]) -> Any:
    return row.get("WebHookID", row.get("webhookId", row.get("id")))


def _webhook(row: dict[str, Any]) -> dict[str, Any]:
    def field(*names: str) -> Any:
        return next((row[n] for n in names if n in row), None)

    return {
        "id": str(_id(row)),
        "url": str(field("Url", "url", "target_url") or ""),
        "event": field("HookType", "event"),
        "store_id": field("StoreID", "storeId", "store_id"),
        "name": field("Name", "name", "friendly_name"),
        "active": field("Active", "active"),
    }
