"""Connecting a shop reads the token's expiry, mall, region and scopes from Temu, and refuses a
token that lacks an API temuship calls, saying which and what to tick."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.sandbox.temu.model import ALL_SCOPES
from domain.shop import Shop
from domain.usecases.shops import Refused, connect
from domain.usecases.tokens import REQUIRED_APIS
from tests.flows.flow_support import World

NARROW = "upl-narrow-scope-token-000000000000000000000000000000000"


def test_connect_stores_what_temu_says_of_the_token(world: World):
    token = world.token()
    sandboxed = world.sandbox.temu.tokens[next(iter(world.sandbox.temu.tokens))]
    assert token.expires_at == datetime.fromtimestamp(sandboxed.expires_at, UTC)
    assert token.expiry_known and token.mall_id == sandboxed.mall_id and token.region_id == 211
    assert token.scopes >= REQUIRED_APIS


def test_a_token_without_the_logistics_apis_is_refused_with_the_list(world: World):
    lacking = {"bg.logistics.shipment.v2.confirm", "bg.logistics.companies.get"}
    world.sandbox.temu.add_token(NARROW, scopes=set(ALL_SCOPES - lacking))
    shop = Shop(
        "narrow-shop",
        world.sandbox.temu_credentials(NARROW),
        world.sandbox.shipstation_credentials(),
        created_at=world.services.clock.now(),
    )
    with pytest.raises(Refused) as refused:
        connect(world.services, shop)
    message = str(refused.value)
    assert all(api in message for api in lacking) and "seller centre" in message
    with world.services.uow() as uow:
        assert uow.shops.get("narrow-shop") is None
