"""Connecting a shop: both sides validated by the caller, then saved with its token."""

from __future__ import annotations

from domain.history import EventContext
from domain.ports import UnitOfWork
from domain.services.tokens import require_apis
from domain.shop import Shop
from domain.token import Token, TokenInfo


def connect(uow: UnitOfWork, shop: Shop, info: TokenInfo, ctx: EventContext) -> Token:
    """Save a validated shop and its token; refuse a token that lacks an API we call."""
    require_apis(info)
    token = Token.from_info(shop.shop_id, info, ctx.at)
    with uow:
        existing = uow.shops.get(shop.shop_id)
        if existing is not None:
            shop.created_at = existing.created_at
            shop.last_sync_at = existing.last_sync_at
            shop.amounts_permission = existing.amounts_permission
        shop.paused_reason = None
        uow.shops.save(shop)
        uow.tokens.save(token)
        uow.commit()
    return token
