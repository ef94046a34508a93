"""How a shop's labels reach temuship, for `temuship status` and `temuship check`: its webhook
subscription (the URL's path token masked) and the interval of serve's label check."""

from __future__ import annotations

from typing import Any

from adapters.db.repos.webhooks import SqlWebhookRepository, Webhook
from domain.ports import Services
from domain.secrets import mask


def webhook_of(services: Services, shop_id: str) -> Webhook | None:
    with services.uow() as uow:
        connection = getattr(uow, "connection", None)
        return SqlWebhookRepository(connection).get(shop_id) if connection is not None else None


def shown_url(url: str, token: str) -> str:
    return url.replace(token, mask(token)) if token else url


def label_status(services: Services, shop_id: str) -> dict[str, Any]:
    """The shop's webhook and label check as data (`status --json`), no secret in it."""
    row = webhook_of(services, shop_id)
    if row is None:
        return {"webhook": None, "check_interval_s": None, "checked_at": None}
    webhook = None
    if row.subscription_id is not None:
        since = row.subscribed_at.isoformat() if row.subscribed_at else None
        url = shown_url(row.target_url or "", row.path_token)
        webhook = {"api": row.api, "id": row.subscription_id, "url": url, "since": since}
    return {
        "webhook": webhook,
        "webhook_problem": row.problem,
        "check_interval_s": row.check_interval_s,
        "checked_at": row.checked_at.isoformat() if row.checked_at else None,
    }


def check_interval(services: Services, shop_id: str) -> int | None:
    """Seconds between serve's label checks of the shop's ShipStation account (None: serve
    has not checked it)."""
    row = webhook_of(services, shop_id)
    return row.check_interval_s if row is not None else None


def label_line(services: Services, shop_id: str) -> tuple[bool, str]:
    """(no problem, the line): how the shop's labels reach temuship."""
    row = webhook_of(services, shop_id)
    if row is not None and row.subscription_id is not None:
        url = shown_url(row.target_url or "", row.path_token)
        said = f"webhook subscribed ({row.api.upper()} id {row.subscription_id}) at {url}"
    else:
        said = "no webhook (`temuship serve --public-url URL` subscribes one)"
    if row is not None and row.check_interval_s is not None and row.checked_at is not None:
        said += (f"; checked every {row.check_interval_s} s by temuship serve, last "
                 f"{row.checked_at:%Y-%m-%d %H:%M} UTC")  # fmt: skip
    else:
        said += "; read by each sync (temuship serve also checks every minute)"
    problem = row.problem if row is not None else None
    return problem is None, f"labels: {said}" + (f"; {problem}" if problem else "")
