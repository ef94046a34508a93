"""The label check of one ShipStation account (`temuship serve`): one listing of the new labels
of every store of the account, whatever its number of shops, split by shop, and each shop's
share taken by the sync's own steps (`take_labels`, `confirm_shipments`) under the shop's
lock. A shop whose sync runs is skipped: its labels stay after its shipment cursor, which the
check leaves where it was, so that sync, the next check or the next sync reads them.

The listing starts at the oldest shipment cursor of the shops checked (less the overlap the
sync allows), so it covers every one of them. V1 lists voids apart: they are read when the
oldest cursor is VOIDS_EVERY old (a cursor moves only past labels and voids both read);
V2's listing holds its voids."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.errors import PermissionMissing, ShopPaused, TokenError
from domain.model import Label, keyed_to
from domain.ports import LabelPage, Services
from domain.shop import ShipStationApi, Shop
from domain.sync import shop_state, steps
from domain.sync.outcome import SyncSummary
from domain.sync.plan import SHIPMENT_CURSOR, shipment_start
from domain.sync.run import new_request

RUN_ID = "serve-label-check"
VOIDS_EVERY = timedelta(minutes=10)  # V1: how old the oldest cursor gets before voids are read


@dataclass
class LabelCheck:
    """One check of one account: labels listed, labels taken by shops, confirmations sent,
    shops skipped (their sync was running, they are paused or never synced) and failures."""

    listed: int = 0
    labels: int = 0
    confirmed: int = 0
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (label, why): each
    # shop's sync reports them on its shop; the check only says so
    voids_read: bool = False
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def split_labels(
    labels: Iterable[Label], stores: Mapping[str, str | None]
) -> dict[str, list[Label]]:
    """Each shop's labels, by shop (`stores`: each shop's ShipStation store, None: any). A
    label goes to the shop whose orders its key names; one keyed to no shop of the account
    goes to the shops of its store (as a listing of that store would give it them)."""
    split: dict[str, list[Label]] = {shop_id: [] for shop_id in stores}
    for label in labels:
        owner = next((s for s in stores if keyed_to(label.order_key, s)), None)
        if owner is not None:
            split[owner].append(label)
            continue
        for shop_id, store in stores.items():
            if store is None or (label.store_id is not None and label.store_id == store):
                split[shop_id].append(label)
    return split


def check_account(services: Services, shop_ids: Iterable[str]) -> LabelCheck:
    """Confirm the new labels of these shops (one ShipStation account) now: one listing."""
    check = LabelCheck()
    shops, cursors = _checkable(services, list(shop_ids), check)
    if not shops:
        return check
    read_at = services.clock.now()
    oldest = min(cursors.values())
    since = shipment_start(oldest, read_at, timedelta(0))
    gateway = services.shipstation_for(shops[0])
    labels = _listed(gateway.account_labels_since(since), check)
    check.voids_read = gateway.speaks is ShipStationApi.V2 or read_at - oldest >= VOIDS_EVERY
    voids = _listed(gateway.account_voids_since(since), check) if check.voids_read else []
    stores = {shop.shop_id: _store(shop) for shop in shops}
    label_split, void_split = split_labels(labels, stores), split_labels(voids, stores)
    for shop in shops:
        pages = (_page(label_split[shop.shop_id]), _page(void_split[shop.shop_id]))
        _one_shop(services, shop.shop_id, pages, read_at if check.voids_read else None, check)
    return check


def _checkable(
    services: Services, shop_ids: list[str], check: LabelCheck
) -> tuple[list[Shop], dict[str, datetime]]:
    """The shops to check and their shipment cursors: not paused, and synced once (a shop's
    first sync reads its labels since its backfill days)."""
    with services.uow() as uow:
        found = {shop_id: uow.shops.get(shop_id) for shop_id in shop_ids}
        cursors = {shop_id: uow.cursors.get(shop_id, SHIPMENT_CURSOR) for shop_id in shop_ids}
    shops = []
    for shop_id in shop_ids:
        shop, cursor = found[shop_id], cursors[shop_id]
        if shop is None or shop.paused or cursor is None:
            check.skipped.append(shop_id)
            continue
        shops.append(shop)
    return shops, {s.shop_id: cursors[s.shop_id] for s in shops}  # type: ignore[misc]


def _listed(pages: Iterable[LabelPage], check: LabelCheck) -> list[Label]:
    labels: list[Label] = []
    for page in pages:
        labels += page.labels
        check.listed += len(page.labels)
        check.unreadable += [(row.key or "?", row.reason) for row in page.failures]
    return labels


def _page(labels: list[Label]) -> list[LabelPage]:
    return [LabelPage(tuple(labels), 1, False)] if labels else []


def _store(shop: Shop) -> str | None:
    store = shop.shipstation.store_id
    return str(store) if store is not None else None


def _one_shop(
    services: Services,
    shop_id: str,
    pages: tuple[list[LabelPage], list[LabelPage]],
    read_at: datetime | None,
    check: LabelCheck,
) -> None:
    """The shop's labels taken and its confirmations sent, under its lock; its cursor moved
    to `read_at` only when it was. A shop whose sync runs is skipped (that sync reads them)."""
    with services.shop_lock(shop_id) as held:
        if not held:
            check.skipped.append(shop_id)
            return
        request = new_request(services, shop_id, run_id=RUN_ID)
        summary = SyncSummary(shop_id)
        try:
            steps.open_gate(services, request)
            taken = summary.add(steps.take_labels(services, request, *pages, read_at))
            sent = summary.add(steps.confirm_shipments(services, request))
        except ShopPaused:
            check.skipped.append(shop_id)
            return
        except (TokenError, PermissionMissing) as error:
            shop_state.pause(services, request, error, summary)
            check.failed.append((shop_id, str(error)))
            return
        except Exception as error:  # this shop fails alone; the next check or sync tries again
            check.failed.append((shop_id, f"{type(error).__name__}: {error}"))
            return
    check.labels += taken.count("labels_seen")
    check.confirmed += sent.count("confirmed")
