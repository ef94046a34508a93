"""Webhook subscriptions with --public-url, against a fake of ShipStation's webhook calls (the
V2 client's Protocol; V1's calls are respx-tested in tests/adapters/shipstation)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from adapters.db import SqlUnitOfWork, make_engine
from adapters.db.repos.webhooks import SqlWebhookRepository
from domain.ports import Services
from flows.serve.accounts import accounts
from flows.serve.report import label_line
from flows.serve.subscriptions import Subscriptions, V2Hooks, V2WebhookApi
from tests.fakes import FakeShipStation, FakeTemu
from tests.integration.db.test_db_shops import a_shop

URL = "https://temuship.example"


class FakeV2Webhooks:
    """`/v2/environment/webhooks` in memory."""

    def __init__(self) -> None:
        self.hooks: dict[str, dict[str, Any]] = {}
        self.made = 0

    def list_webhooks(self) -> list[dict[str, Any]]:
        return list(self.hooks.values())

    def create_webhook(
        self, *, name: str, event: str, url: str, store_id: int | None
    ) -> dict[str, Any]:
        self.made += 1
        hook = {"webhook_id": f"se-{self.made}", "url": url, "event": event, "name": name,
                "store_id": store_id}  # fmt: skip
        self.hooks[hook["webhook_id"]] = hook
        return hook

    def delete_webhook(self, webhook_id: str) -> None:
        del self.hooks[webhook_id]


@pytest.fixture
def services(tmp_path: Path) -> Services:
    engine = make_engine(f"sqlite:///{tmp_path / 'temuship.db'}")
    temu, shipstation = FakeTemu(), FakeShipStation()
    made = Services(uow=lambda: SqlUnitOfWork(engine), temu_for=lambda shop: temu,
                    shipstation_for=lambda shop: shipstation,
                    shop_lock=lambda shop_id: nullcontext(True))  # fmt: skip
    with made.uow() as uow:
        for name in ("acme", "beta"):
            shop = a_shop(name)
            shop.settings = {"shipstation_api": "v2"}
            uow.shops.save(shop)
        uow.commit()
    return made


@pytest.fixture
def api() -> FakeV2Webhooks:
    return FakeV2Webhooks()


def subscriptions(services: Services, api: FakeV2Webhooks, url: str = URL) -> Subscriptions:
    return Subscriptions(services, url, hooks_for=lambda shop: V2Hooks(api))


def rows(services: Services) -> dict[str, Any]:
    with services.uow() as uow:
        return {r.shop_id: r for r in SqlWebhookRepository(uow.connection).all()}  # type: ignore[attr-defined]


def test_the_fake_has_the_v2_clients_calls(api: FakeV2Webhooks) -> None:
    assert isinstance(api, V2WebhookApi)


def test_each_shop_of_the_account_is_subscribed_once_at_its_own_path(services, api):
    (account,) = accounts(services)
    assert subscriptions(services, api).keep(account) == 3  # one list, two subscriptions
    kept = rows(services)
    for shop in ("acme", "beta"):
        row = kept[shop]
        assert row.target_url == f"{URL}/webhooks/shipstation/{shop}/{row.path_token}"
        assert api.hooks[row.subscription_id]["event"] == "label_created_v2"
        assert len(row.path_token) >= 43
    assert kept["acme"].path_token != kept["beta"].path_token
    assert subscriptions(services, api).keep(account) == 1  # listed, nothing to do


def test_a_subscription_gone_at_shipstation_is_made_again(services, api):
    (account,) = accounts(services)
    subscriptions(services, api).keep(account)
    gone = rows(services)["acme"].subscription_id
    api.delete_webhook(gone)
    subscriptions(services, api).keep(account)
    again = rows(services)["acme"]
    assert again.subscription_id != gone and again.subscription_id in api.hooks
    assert len(api.hooks) == 2


def test_a_new_public_url_replaces_the_old_subscriptions(services, api):
    (account,) = accounts(services)
    subscriptions(services, api).keep(account)
    subscriptions(services, api, "https://elsewhere.example").keep(account)
    assert sorted(h["url"].split("/webhooks")[0] for h in api.hooks.values()) == [
        "https://elsewhere.example", "https://elsewhere.example"
    ]  # fmt: skip


def test_a_refusal_is_kept_on_the_shop_and_shown(services):
    class Refusing(FakeV2Webhooks):
        def create_webhook(self, **kwargs: Any) -> dict[str, Any]:
            raise RuntimeError("409 webhook_event_type_conflict")

    (account,) = accounts(services)
    subscriptions(services, Refusing()).keep(account)
    ok, line = label_line(services, "acme")
    assert not ok and "webhook_event_type_conflict" in line


def test_remove_deletes_the_subscription_at_shipstation(services, api):
    (account,) = accounts(services)
    subscriptions(services, api).keep(account)
    with services.uow() as uow:
        shop = uow.shops.get("acme")
    assert subscriptions(services, api).remove(shop)
    assert rows(services)["acme"].subscription_id is None
    assert len(api.hooks) == 1


def test_status_masks_the_path_token(services, api):
    (account,) = accounts(services)
    subscriptions(services, api).keep(account)
    token = rows(services)["acme"].path_token
    ok, line = label_line(services, "acme")
    assert ok and token not in line and f"****{token[-4:]}" in line


def test_without_a_public_url_nothing_is_subscribed(services, api):
    (account,) = accounts(services)
    keep: Callable[..., int] = Subscriptions(services, None, lambda s: V2Hooks(api)).keep
    assert keep(account) == 0 and api.hooks == {}


def test_a_v2_shops_subscription_goes_through_the_v2_client_under_its_gateway(services):
    """The real V2 client reads subscriptions into Webhook objects, not dicts."""
    from adapters.shipstation.v2.reading import Webhook
    from flows.serve.subscriptions import hooks_of

    class V2Client(FakeV2Webhooks):
        def list_webhooks(self):  # type: ignore[override]
            return [Webhook(h["webhook_id"], h["url"], h["event"]) for h in self.hooks.values()]

        def create_webhook(self, **fields):  # type: ignore[override]
            made = super().create_webhook(**fields)
            return Webhook(made["webhook_id"], made["url"], made["event"])

    class Gateway:
        api = V2Client()

    with services.uow() as uow:
        shop = uow.shops.get("acme")
    hooks = hooks_of(replace(services, shipstation_for=lambda s: Gateway()), shop)
    made = hooks.create("https://x.example/h", None, "temuship labels")
    assert [(h.hook_id, h.url) for h in hooks.list()] == [(made, "https://x.example/h")]
