"""What a run leaves on the shop: its Temu cursor, its last good sync or last error, its sync
state (announced when it changes), and its pause when the token failed mid-run."""

from __future__ import annotations

from domain.errors import PermissionMissing, TokenError, TokenExpired
from domain.ports import Services
from domain.sync.outcome import RunStatus, SyncRequest, SyncSummary
from domain.sync.plan import TEMU_CURSOR
from domain.sync.steps import advance_cursor, announce
from domain.usecases import tokens


def commit_temu_cursor(services: Services, request: SyncRequest) -> None:
    """Every page was read: the Temu cursor moves to the run's start (a run over a window or
    named orders leaves it alone)."""
    if request.until is None and not request.parent_order_sns:
        advance_cursor(services, request, TEMU_CURSOR, request.started)


def finish(services: Services, shop_id: str, summary: SyncSummary) -> None:
    """Record a run that reached the shop: its last good sync, or its last error."""
    error = summary.reason if summary.status is not RunStatus.OK else None
    with services.uow() as uow:
        shop = uow.shops.get(shop_id)
        if shop is not None:
            if error is None:
                shop.last_sync_at = services.clock.now()
            shop.last_sync_error = error
            uow.shops.save(shop)
            uow.commit()


def record_state(services: Services, shop_id: str, summary: SyncSummary) -> None:
    """Keep the shop's sync state (ok / paused / failed ...); announce a change of it as
    `temuship.shop.<state>`."""
    with services.uow() as uow:
        shop = uow.shops.get(shop_id)
        if shop is None or shop.settings.get("sync_state") == summary.status.value:
            return
        shop.settings = {**shop.settings, "sync_state": summary.status.value}
        uow.shops.save(shop)
        uow.commit()
    event = f"temuship.shop.{summary.status.value}"
    announce(services, shop_id, event, {"reason": summary.reason or ""})


def pause(
    services: Services,
    request: SyncRequest,
    error: TokenError | PermissionMissing,
    summary: SyncSummary,
) -> None:
    """The token failed mid-run: pause the shop, say why, emit the event once."""
    ctx = request.ctx(services.clock)
    newly = tokens.pause_for(services.uow(), request.shop_id, error, ctx)
    summary.end(RunStatus.PAUSED, str(error))
    if newly:
        expired = isinstance(error, TokenExpired)
        name = "temuship.token.expired" if expired else "temuship.token.rejected"
        announce(services, request.shop_id, name, {"by": "api", "code": error.code})
    finish(services, request.shop_id, summary)
