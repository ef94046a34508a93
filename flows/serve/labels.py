"""What the label check of `temuship serve` does for one ShipStation account: the account's
check (domain/sync/account_labels.py: one listing of every store's new labels, split by shop,
each shop's share taken and confirmed by the sync's own steps under the shop's lock), and the
ShipStation requests it made, counted on the clients it used (the interval is reckoned from
them)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from domain.ports import Services
from domain.sync import steps
from domain.sync.account_labels import LabelCheck, check_account

log = logging.getLogger(__name__)


@dataclass
class AccountCheck(LabelCheck):
    """The account's check and the ShipStation requests it made."""

    requests: int = 0


def confirm_new_labels(services: Services, shop_ids: list[str]) -> AccountCheck:
    """Confirm the new labels of these shops (one ShipStation account) now."""
    with _requests_counted(services, shop_ids) as counted:
        check = check_account(services, shop_ids)
    for label, why in check.unreadable:
        log.warning("label check: ShipStation label %s not read: %s", label, why)
    return AccountCheck(**vars(check), requests=counted[0])


@contextmanager
def _requests_counted(services: Services, shop_ids: list[str]) -> Iterator[list[int]]:
    """The ShipStation requests the shops' clients made meanwhile, in `counted[0]` at the end
    (clients of one account share a key, but each shop has its own)."""
    counted = [0]
    before = {shop_id: _requests(services, shop_id) for shop_id in shop_ids}
    try:
        yield counted
    finally:
        counted[0] = sum(max(0, _requests(services, s) - n) for s, n in before.items())


def _requests(services: Services, shop_id: str) -> int:
    try:  # the client the label steps use (one per shop and credentials, kept by wiring)
        client: Any = services.shipstation_for(steps.load_shop(services, shop_id))
    except Exception:  # no shop, no usable credentials: it makes no request
        return 0
    return int(getattr(getattr(client, "api", None), "requests", 0))
