"""Webhook subscriptions at ShipStation for `temuship serve --public-url URL`: each shop is
subscribed to its label event (V1 SHIP_NOTIFY, V2 label_created_v2) at
`URL/webhooks/shipstation/<shop>/<path token>`; the subscription id is kept (table `webhooks`).
A subscription pointing elsewhere (the URL changed) is replaced; one ShipStation no longer
lists is made again; `temuship disconnect` removes it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from adapters.db.repos.webhooks import SqlWebhookRepository, Webhook
from domain.ports import Services
from domain.shop import Shop
from flows.serve.accounts import Account, shipstation_api

log = logging.getLogger(__name__)
FRIENDLY_NAME = "temuship labels"
V1_EVENT, V2_EVENT = "SHIP_NOTIFY", "label_created_v2"


@dataclass(frozen=True)
class Hook:
    """A subscription as ShipStation lists it."""

    hook_id: str
    url: str


class Hooks(Protocol):
    """One ShipStation account's webhook subscriptions."""

    def list(self) -> list[Hook]: ...
    def create(self, url: str, store_id: int | None, name: str) -> str: ...
    def delete(self, hook_id: str) -> None: ...


@runtime_checkable
class V2WebhookApi(Protocol):
    """What the V2 client offers (adapters/shipstation/v2/api.py `ShipStationV2Api`): the raw
    rows of `GET/POST/DELETE /v2/environment/webhooks` (shipstation-v2.md §8.1)."""

    def list_webhooks(self) -> list[dict[str, Any]]: ...
    def create_webhook(
        self, *, name: str, event: str, url: str, store_id: int | None
    ) -> dict[str, Any]: ...
    def delete_webhook(self, webhook_id: str) -> None: ...


class V1Hooks:
    """V1's `/webhooks` through the V1 client (adapters/shipstation/client.py)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def list(self) -> list[Hook]:
        return [Hook(str(h["id"]), str(h["url"])) for h in self.client.list_webhooks()]

    def create(self, url: str, store_id: int | None, name: str) -> str:
        return str(self.client.subscribe(url, V1_EVENT, store_id, name))

    def delete(self, hook_id: str) -> None:
        self.client.unsubscribe(hook_id)


class V2Hooks:
    """V2's `/v2/environment/webhooks` through any client with the V2WebhookApi methods."""

    def __init__(self, api: V2WebhookApi) -> None:
        self.api = api

    def list(self) -> list[Hook]:
        rows = self.api.list_webhooks()
        return [Hook(str(_field(r, "webhook_id")), str(_field(r, "url") or "")) for r in rows]

    def create(self, url: str, store_id: int | None, name: str) -> str:
        made = self.api.create_webhook(name=name, event=V2_EVENT, url=url, store_id=store_id)
        return str(_field(made, "webhook_id"))

    def delete(self, hook_id: str) -> None:
        self.api.delete_webhook(hook_id)


def _field(row: Any, name: str) -> Any:
    """A field of a subscription: the V2 client reads them into objects (Webhook)."""
    return row.get(name) if isinstance(row, dict) else getattr(row, name, None)


def hooks_of(services: Services, shop: Shop) -> Hooks:
    """The shop's webhook calls: V1's client, or the V2 client under a V2 shop's gateway."""
    client: Any = services.shipstation_for(shop)
    if shipstation_api(shop) == "v1":
        return V1Hooks(client)
    if not isinstance(client, V2WebhookApi):
        client = getattr(client, "api", client)  # ShipStationV2Gateway.api: ShipStationV2Api
    if not isinstance(client, V2WebhookApi):
        raise TypeError(f"shop {shop.shop_id}: its ShipStation V2 client has no webhook calls")
    return V2Hooks(client)


def webhook_url(public_url: str, shop_id: str, path_token: str) -> str:
    return f"{public_url.rstrip('/')}/webhooks/shipstation/{shop_id}/{path_token}"


class Subscriptions:
    """Keeps every shop of an account subscribed at `public_url` (None: only the check)."""

    def __init__(
        self,
        services: Services,
        public_url: str | None,
        hooks_for: Callable[[Shop], Hooks] | None = None,
    ) -> None:
        self.services, self.public_url = services, public_url
        self.hooks_for = hooks_for or (lambda shop: hooks_of(services, shop))

    def keep(self, account: Account) -> int:
        """Subscribe each shop of the account that is not (or not at this URL); the number of
        requests made. A failure is kept on the shop's row (status shows it) and logged."""
        if self.public_url is None or not account.shop_ids:
            return 0
        shops = self._shops(account)
        if not shops:
            return 0
        hooks, calls = self.hooks_for(shops[0]), 1
        listed = {hook.hook_id: hook.url for hook in hooks.list()}
        for shop in shops:
            calls += self._keep_shop(hooks, shop, listed)
        return calls

    def _keep_shop(self, hooks: Hooks, shop: Shop, listed: dict[str, str]) -> int:
        row = self._row(shop)
        target = webhook_url(str(self.public_url), shop.shop_id, row.path_token)
        current = row.subscription_id
        if current is not None and current in listed and listed[current] == target:
            return 0
        calls = 0
        try:
            if current is not None and current in listed:  # it points elsewhere: replace it
                hooks.delete(current)
                calls += 1
            found = next((i for i, url in listed.items() if url == target), None)
            if found is None:
                found = hooks.create(target, shop.shipstation.store_id, FRIENDLY_NAME)
                calls += 1
                log.info("shop %s: subscribed to ShipStation's label webhook", shop.shop_id)
            row = row.subscribed(target, found, self._now())
        except Exception as error:  # kept on the row; the next check tries again
            row = row.unsubscribed(f"could not subscribe: {type(error).__name__}: {error}")
            log.warning("shop %s: %s", shop.shop_id, row.problem)
        self._save(row)
        return calls

    def remove(self, shop: Shop) -> bool:
        """Delete the shop's subscription at ShipStation (disconnect); True if there was one.
        Raises what the API says (the caller reports it)."""
        with self.services.uow() as uow:
            connection = getattr(uow, "connection", None)
            row = SqlWebhookRepository(connection).get(shop.shop_id) if connection else None
        if row is None or row.subscription_id is None:
            return False
        self.hooks_for(shop).delete(row.subscription_id)
        self._save(row.unsubscribed())
        return True

    def _shops(self, account: Account) -> list[Shop]:
        with self.services.uow() as uow:
            found = [uow.shops.get(shop_id) for shop_id in account.shop_ids]
        return [shop for shop in found if shop is not None]

    def _row(self, shop: Shop) -> Webhook:
        with self.services.uow() as uow:
            row = SqlWebhookRepository(_connection(uow)).ensure(shop.shop_id, shipstation_api(shop))
            uow.commit()
        return row

    def _save(self, row: Webhook) -> None:
        with self.services.uow() as uow:
            SqlWebhookRepository(_connection(uow)).save(row)
            uow.commit()

    def _now(self) -> datetime:
        return self.services.clock.now()


def _connection(uow: Any) -> Any:
    connection = getattr(uow, "connection", None)
    if connection is None:
        raise TypeError("webhook subscriptions need temuship's SQL database")
    return connection
