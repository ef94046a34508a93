"""What the turns of `sync-all-shops` leave on each shop: since when every turn has skipped it
because its last run was still in flight (a backlog, a stuck run), so `temuship status` can
say so. Two times per shop, kept beside its cursors: when a turn first skipped it, and when
a turn last started a run for it after skips."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from domain.ports import CursorRepository, Services

SKIPPED_SINCE = "turns_skipped_since"
STARTED_AFTER_SKIPS = "turn_started_after_skips"


def record_turn(services: Services, started: Iterable[str], skipped: Iterable[str]) -> None:
    """A turn started runs for `started` and skipped `skipped`: a skip opens (or continues)
    the shop's streak, a start closes it."""
    now = services.clock.now()
    with services.uow() as uow:
        for shop_id in skipped:
            if not _in_streak(uow.cursors, shop_id):
                uow.cursors.set(shop_id, SKIPPED_SINCE, now)
        for shop_id in started:
            if _in_streak(uow.cursors, shop_id):
                uow.cursors.set(shop_id, STARTED_AFTER_SKIPS, now)
        uow.commit()


def skipped_since(services: Services, shop_id: str) -> datetime | None:
    """Since when every turn has skipped the shop (None: the last turn started its run)."""
    with services.uow() as uow:
        if _in_streak(uow.cursors, shop_id):
            return uow.cursors.get(shop_id, SKIPPED_SINCE)
    return None


def _in_streak(cursors: CursorRepository, shop_id: str) -> bool:
    since, ended = cursors.get(shop_id, SKIPPED_SINCE), cursors.get(shop_id, STARTED_AFTER_SKIPS)
    return since is not None and (ended is None or since > ended)
