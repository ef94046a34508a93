"""Each shop's webhook path token and ShipStation subscription (table `webhooks`), and what the
label check of `temuship serve` last did for it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select, update

from adapters.db.tables import SHOPS, WEBHOOKS
from adapters.db.upsert import dialect_insert

TOKEN_BYTES = 32  # 43 URL-safe characters


@dataclass(frozen=True)
class Webhook:
    """One shop's row. `subscription_id` None: not subscribed (labels come by the check)."""

    shop_id: str
    path_token: str
    api: str = "v1"
    subscription_id: str | None = None
    target_url: str | None = None
    subscribed_at: datetime | None = None
    problem: str | None = None
    check_interval_s: int | None = None
    checked_at: datetime | None = None

    def subscribed(self, target_url: str, subscription_id: str, at: datetime) -> Webhook:
        return replace(self, subscription_id=subscription_id, target_url=target_url,
                       subscribed_at=at, problem=None)  # fmt: skip

    def unsubscribed(self, problem: str | None = None) -> Webhook:
        return replace(self, subscription_id=None, target_url=None, subscribed_at=None,
                       problem=problem)  # fmt: skip


FIELDS = tuple(f.name for f in fields(Webhook))


class SqlWebhookRepository:
    """The `webhooks` rows, in the caller's transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, shop_id: str) -> Webhook | None:
        row = self._connection.execute(select(WEBHOOKS).where(WEBHOOKS.c.shop_id == shop_id))
        found = row.mappings().first()
        return Webhook(**{f: found[f] for f in FIELDS}) if found else None

    def all(self) -> list[Webhook]:
        rows = self._connection.execute(select(WEBHOOKS).order_by(WEBHOOKS.c.shop_id))
        return [Webhook(**{f: r[f] for f in FIELDS}) for r in rows.mappings()]

    def ensure(self, shop_id: str, api: str) -> Webhook:
        """The shop's row, made with a new random path token if it has none; LookupError for a
        shop that is not connected (nothing is made)."""
        shop = select(SHOPS.c.shop_id).where(SHOPS.c.shop_id == shop_id)
        if self._connection.execute(shop).first() is None:
            raise LookupError(f"no shop named {shop_id!r}")
        token = secrets.token_urlsafe(TOKEN_BYTES)
        stmt = dialect_insert(self._connection, WEBHOOKS).values(
            shop_id=shop_id, path_token=token, api=api
        )
        self._connection.execute(stmt.on_conflict_do_nothing(index_elements=["shop_id"]))
        found = self.get(shop_id)
        assert found is not None  # inserted just now, or there before
        return found

    def save(self, webhook: Webhook) -> None:
        values: dict[str, Any] = {f: getattr(webhook, f) for f in FIELDS if f != "shop_id"}
        self._connection.execute(
            update(WEBHOOKS).where(WEBHOOKS.c.shop_id == webhook.shop_id).values(values)
        )

    def checked(self, shop_ids: list[str], interval_s: int, at: datetime) -> None:
        """The label check ran for these shops at `at`; the next comes `interval_s` later."""
        self._connection.execute(
            update(WEBHOOKS)
            .where(WEBHOOKS.c.shop_id.in_(shop_ids))
            .values(check_interval_s=interval_s, checked_at=at)
        )

    def delete(self, shop_id: str) -> None:
        self._connection.execute(delete(WEBHOOKS).where(WEBHOOKS.c.shop_id == shop_id))
