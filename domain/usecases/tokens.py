"""Token checks: the sync gate, the daily watch, pausing on an API answer, re-authorisation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from domain.errors import PermissionMissing, ShopPaused, TokenError, TokenExpired, TokenLapsed
from domain.history import EventContext
from domain.model import Source
from domain.ports import Services, UnitOfWork
from domain.secrets import Secret
from domain.shop import Shop, TemuCredentials
from domain.token import Token, TokenInfo, TokenState
from domain.words import plural

REQUIRED_APIS = frozenset(
    {
        "bg.order.list.v2.get",
        "bg.order.shippinginfo.v2.get",
        "bg.logistics.warehouse.list.get",
        "bg.logistics.companies.get",
        "bg.logistics.shipment.v2.confirm",
        "bg.logistics.shipment.v2.get",
    }
)
OPTIONAL_APIS = frozenset({"bg.order.amount.query"})


def missing_apis_message(missing: frozenset[str]) -> str:
    return (
        f"the token lacks {plural(len(missing), 'API')} temuship calls: "
        f"{', '.join(sorted(missing))}. "
        "In Temu's seller centre, re-authorise the app with the order management and "
        "logistics/fulfilment permission packages ticked, then paste the new token."
    )


def require_apis(info: TokenInfo) -> None:
    """Refuse a token that lacks an API temuship calls (when Temu lists the token's scopes)."""
    missing = REQUIRED_APIS - info.scopes if info.scopes else frozenset()
    if missing:
        raise PermissionMissing(
            "Temu", missing_apis_message(missing), 3000032, ",".join(sorted(missing))
        )


def check_before_sync(uow: UnitOfWork, shop_id: str, ctx: EventContext) -> Token:
    """Before a sync: check the token against the clock; raise ShopPaused if unusable."""
    with uow:
        token = uow.tokens.get(shop_id)
        if token is None:
            raise ShopPaused(f"shop {shop_id} has no token: run `temuship connect`")
        before = token.state
        token.check_clock(ctx)
        lapsed = token.state is TokenState.EXPIRED and before is not TokenState.EXPIRED
        if lapsed:
            _pause(uow, shop_id, _expired_by_clock(token))
        uow.tokens.save(token)
        uow.commit()
    if lapsed:
        raise TokenLapsed(f"shop {shop_id} is paused: {_expired_by_clock(token)}")
    if not token.usable:
        raise ShopPaused(
            f"shop {shop_id} is paused: {token.reason or f'token {token.state.value}'}"
        )
    return token


def _expired_by_clock(token: Token) -> str:
    return (
        f"Temu access token expired on {token.expires_at:%Y-%m-%d %H:%M} UTC: "
        f"run `temuship reauthorize {token.shop_id} --access-token ...`"
    )


def pause_for(
    uow: UnitOfWork, shop_id: str, error: TokenError | PermissionMissing, ctx: EventContext
) -> bool:
    """A Temu answer says the token cannot be used: pause the shop. True if newly paused."""
    event = _event_for(error)
    with uow:
        token, shop = uow.tokens.get(shop_id), uow.shops.get(shop_id)
        was_usable = token is not None and token.usable
        if token is not None:
            token.api_said(event, ctx, f"Temu answered {error.code}: {error.message}")
            uow.tokens.save(token)
        if shop is not None:
            shop.paused_reason = _pause_reason(error, shop_id)
            uow.shops.save(shop)
        uow.commit()
    return was_usable


def _event_for(error: TokenError | PermissionMissing) -> str:
    if isinstance(error, TokenExpired):
        return "api_said_expired"
    if isinstance(error, PermissionMissing):
        return "api_said_permission_missing"
    return "api_said_revoked"


def _pause_reason(error: TokenError | PermissionMissing, shop_id: str) -> str:
    if isinstance(error, TokenExpired):
        return f"Temu access token expired: run `temuship reauthorize {shop_id} --access-token ...`"
    if isinstance(error, PermissionMissing):
        return missing_apis_message(frozenset({error.api_type}))
    return f"Temu access token rejected ({error.code}): re-authorise the app in Temu"


@dataclass(frozen=True)
class TokenReport:
    shop_id: str
    state: str
    days_left: float
    threshold: int | None
    newly_warned: bool
    newly_expired: bool


def watch_token(
    uow: UnitOfWork, shop_id: str, ctx: EventContext, warning_days: tuple[int, ...] | None = None
) -> TokenReport | None:
    """The daily look at one shop's token: days left, warnings once per threshold, expiry."""
    with uow:
        token = uow.tokens.get(shop_id)
        if token is None:
            return None
        if warning_days:
            token.warning_days = tuple(sorted(warning_days, reverse=True))
        before = token.state
        token.check_clock(ctx)
        threshold = token.warning_threshold(ctx.at) if token.usable else None
        newly_warned = threshold is not None and threshold != token.warned_days
        if newly_warned:
            token.warned_days = threshold
        newly_expired = token.state is TokenState.EXPIRED and before is not TokenState.EXPIRED
        if newly_expired:
            _pause(uow, shop_id, _expired_by_clock(token))
        uow.tokens.save(token)
        uow.commit()
    return TokenReport(
        shop_id, token.state.value, token.days_left(ctx.at), threshold, newly_warned, newly_expired
    )


def _pause(uow: UnitOfWork, shop_id: str, reason: str) -> None:
    shop = uow.shops.get(shop_id)
    if shop is not None and not shop.paused:
        shop.paused_reason = reason
        uow.shops.save(shop)


def start_reauthorization(uow: UnitOfWork, shop_id: str, ctx: EventContext) -> None:
    with uow:
        token = uow.tokens.get(shop_id)
        if token is not None and token.state is not TokenState.REAUTHORIZING:
            token.start_reauthorization(ctx)
            uow.tokens.save(token)
        uow.commit()


def accept_new_token(
    uow: UnitOfWork,
    shop_id: str,
    new_token: Secret,
    validate: Callable[[Secret], TokenInfo],
    ctx: EventContext,
) -> Token:
    """Validate a new token against Temu, store it, resume the shop. Raises if refused, and
    then nothing is written: the shop's token, its state and its pause stay exactly as they
    were (a healthy shop goes on syncing, a paused one stays paused); the caller shows Temu's
    answer to the person who gave the token."""
    info = validate(new_token)
    require_apis(info)
    with uow:
        token, shop = uow.tokens.get(shop_id), uow.shops.get(shop_id)
        if token is None or shop is None:
            raise ShopPaused(f"shop {shop_id} is not connected")
        token.accept_new_token(info, ctx)
        shop.temu = _with_token(shop, new_token)
        shop.paused_reason = None
        uow.shops.save(shop)
        uow.tokens.save(token)
        uow.commit()
    return token


def _with_token(shop: Shop, token: Secret) -> TemuCredentials:
    return replace(shop.temu, access_token=token)


def watch_shops(
    services: Services, warning_days: tuple[int, ...] | None = None
) -> list[TokenReport]:
    """The daily token watch over every shop: warn once per threshold (event
    `temuship.token.expiring`), pause the shops whose token expired (`temuship.token.expired`)."""
    with services.uow() as uow:
        shop_ids = uow.shops.ids()
    reports = []
    for shop_id in shop_ids:
        ctx = EventContext(services.clock.now(), Source.CLOCK)
        report = watch_token(services.uow(), shop_id, ctx, warning_days)
        if report is None:
            continue
        if report.newly_warned:
            payload = {"days_left": round(report.days_left, 1), "threshold": report.threshold}
            services.events.emit("temuship.token.expiring", shop_id, {"shop": shop_id, **payload})
        if report.newly_expired:
            services.events.emit(
                "temuship.token.expired", shop_id, {"shop": shop_id, "by": "clock"}
            )
        reports.append(report)
    return reports
