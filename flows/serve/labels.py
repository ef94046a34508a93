"""What the label check of `temuship serve` does for one ShipStation account: for each of its
shops, the sync's label steps (read the labels since the shipment cursor, confirm them to
Temu) under the shop's lock, skipping a shop whose sync is running (it reads them itself).

This calls the sync's steps (domain/sync/steps.py) `open_gate`, `read_labels` and
`confirm_shipments`, one after another."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import domain.sync as sync
from domain.errors import PermissionMissing, ShopPaused, TokenError
from domain.ports import Services
from domain.sync import shop_state, steps

log = logging.getLogger(__name__)
RUN_ID = "serve-label-check"


@dataclass
class LabelCheck:
    """One check of one account: ShipStation requests made, labels read, confirmations sent,
    shops skipped (their sync was running, or they are paused) and failures."""

    requests: int = 0
    labels: int = 0
    confirmed: int = 0
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def confirm_new_labels(services: Services, shop_ids: list[str]) -> LabelCheck:
    """Confirm the new labels of these shops (one ShipStation account) now."""
    check = LabelCheck()
    for shop_id in shop_ids:
        with _requests_counted(services, shop_id, check), services.shop_lock(shop_id) as held:
            if not held:
                check.skipped.append(shop_id)
                continue
            _one_shop(services, shop_id, check)
    return check


def _one_shop(services: Services, shop_id: str, check: LabelCheck) -> None:
    request = sync.new_request(services, shop_id, run_id=RUN_ID)
    summary = sync.SyncSummary(shop_id)
    try:
        steps.open_gate(services, request)
        read = summary.add(steps.read_labels(services, request))
        sent = summary.add(steps.confirm_shipments(services, request))
    except ShopPaused:
        check.skipped.append(shop_id)
        return
    except (TokenError, PermissionMissing) as error:
        shop_state.pause(services, request, error, summary)
        check.failed.append((shop_id, str(error)))
        return
    except Exception as error:  # this shop fails alone; the next check or sync tries again
        log.warning("label check of shop %s failed: %s", shop_id, error)
        check.failed.append((shop_id, f"{type(error).__name__}: {error}"))
        return
    check.labels += read.count("labels_seen")
    check.confirmed += sent.count("confirmed")


@contextmanager
def _requests_counted(services: Services, shop_id: str, check: LabelCheck) -> Iterator[None]:
    """Add the ShipStation requests the shop's client made meanwhile to `check.requests`."""
    before = _requests(services, shop_id)
    try:
        yield
    finally:
        check.requests += max(0, _requests(services, shop_id) - before)


def _requests(services: Services, shop_id: str) -> int:
    try:  # the client the label steps use (one per shop and credentials, kept by wiring)
        client: Any = services.shipstation_for(steps.load_shop(services, shop_id))
    except Exception:  # no shop, no usable credentials: it makes no request
        return 0
    return int(getattr(getattr(client, "api", None), "requests", 0))
