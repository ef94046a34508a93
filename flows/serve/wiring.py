"""What `temuship serve` builds from the services: the receiver's view of each shop, the
subscriptions, and the label check of one account (subscriptions kept, labels confirmed, the
interval recorded for `temuship status`)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from adapters.db.repos.webhooks import SqlWebhookRepository
from adapters.webhooks.receiver import Endpoint
from domain.ports import Services
from flows.serve.accounts import Account, account_of, base_url, shipstation_api
from flows.serve.subscriptions import Subscriptions

log = logging.getLogger("flows.serve")
SUBSCRIPTIONS_EVERY_S = 600.0


def endpoints(services: Services) -> Callable[[str], Endpoint | None]:
    """The receiver's lookup: a shop's path token, API, base URL and account (None for a shop
    unknown or never given a token). Nothing is decrypted."""

    def endpoint_of(shop_id: str) -> Endpoint | None:
        with services.uow() as uow:
            shop = uow.shops.get(shop_id, decrypt=False)
            row = SqlWebhookRepository(uow.connection).get(shop_id) if shop else None  # type: ignore[attr-defined]
        if shop is None or row is None:
            return None
        return Endpoint(shop_id, row.path_token, shipstation_api(shop), base_url(shop),
                        account_of(shop))  # fmt: skip

    return endpoint_of


def subscriptions_for(services: Services, public_url: str | None) -> Subscriptions:
    return Subscriptions(services, public_url)


def label_check(
    services: Services,
    subscriptions: Subscriptions,
    check_labels: Callable[[Account], Any],
    monotonic: Callable[[], float] = time.monotonic,
) -> Callable[[Account], int]:
    """One account's check: its subscriptions kept (with --public-url; listed at most every
    SUBSCRIPTIONS_EVERY_S, so a subscription deleted on ShipStation's side is made again
    within that), then `check_labels`; the ShipStation requests both made (what the interval
    is reckoned from)."""

    kept: dict[str, float] = {}

    def check(account: Account) -> int:
        calls = 0
        last = kept.get(account.account_id)
        if last is None or monotonic() - last >= SUBSCRIPTIONS_EVERY_S:
            kept[account.account_id] = monotonic()
            try:
                calls = subscriptions.keep(account)
            except Exception as error:  # the labels are still checked; the next check tries
                log.warning("%s: webhook subscriptions not checked: %s", account, error)
        result = check_labels(account)
        for shop_id, why in getattr(result, "failed", []):
            log.warning("label check of shop %s: %s", shop_id, why)
        return calls + int(getattr(result, "requests", 0))

    return check


def record_interval(services: Services, account: Account, interval_s: float, at: Any) -> None:
    """Keep the account's interval on its shops' rows, for `temuship status`."""
    with services.uow() as uow:
        repo = SqlWebhookRepository(uow.connection)  # type: ignore[attr-defined]
        for shop_id in account.shop_ids:
            try:
                repo.ensure(shop_id, account.api)
            except LookupError:  # disconnected meanwhile
                continue
        repo.checked(list(account.shop_ids), round(interval_s), at)
        uow.commit()
