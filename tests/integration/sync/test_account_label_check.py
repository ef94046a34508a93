"""The label check of `temuship serve` against the simulated APIs over real HTTP: three shops
on one ShipStation account (one a name that starts another's), labels bought for two; one check
makes one listing (the simulated ShipStation's counters) and confirms both to Temu; a shop
whose sync runs is skipped, keeps its cursor, and its label is confirmed by the next check."""

from __future__ import annotations

import uuid

from adapters.db.engine import engine_for
from adapters.db.locks import shop_lock
from adapters.sandbox.launcher import Sandbox
from domain.model import order_key
from flows import wiring
from flows.serve.labels import confirm_new_labels
from tests.integration.sync.sync_helpers import Cli, fast_temu, seed_awaiting, temu_shipments


def listings(sandbox: Sandbox) -> int:
    return int(sandbox.shipstation.counters.calls["GET /shipments"])


def three_shops(cli: Cli, sandbox: Sandbox) -> tuple[list[str], list[str]]:
    """Three synced shops on the sandbox's one ShipStation account, and three Temu orders."""
    sns = seed_awaiting(sandbox, 3)
    base = f"acct-{uuid.uuid4().hex[:8]}"
    shops = [base, f"{base}-2", f"{base}-b"]
    for n, name in enumerate(shops):
        token = f"upl{name.replace('-', '')}{n}".ljust(40, "x")
        sandbox.temu.add_token(token, mall_id=sandbox.temu.mall_id + 1 + n)  # a mall each
        assert cli.connect(name, **{"--access-token": token}).exit_code == 0
        assert cli("sync", name).exit_code == 0
    return shops, sns


def buy(sandbox: Sandbox, shop: str, sn: str) -> str:
    (made,) = sandbox.shipstation.create_labels(order_key(shop, sn))
    return str(made["trackingNumber"])


def test_one_listing_confirms_the_labels_of_two_shops_to_temu(cli: Cli, sandbox: Sandbox):
    shops, sns = three_shops(cli, sandbox)
    first, second = buy(sandbox, shops[0], sns[0]), buy(sandbox, shops[1], sns[1])
    services = wiring.bootstrap(cli.database_url, temu_for=fast_temu)
    before = listings(sandbox)
    check = confirm_new_labels(services, shops)
    assert listings(sandbox) - before == 1, sandbox.shipstation.counters.snapshot()
    assert (check.labels, check.confirmed, check.failed) == (2, 2, [])
    assert {t for _, t in temu_shipments(sandbox, sns[0])} == {first}
    assert {t for _, t in temu_shipments(sandbox, sns[1])} == {second}
    assert temu_shipments(sandbox, sns[2]) == []


def test_a_shop_whose_sync_runs_is_confirmed_by_the_next_check(cli: Cli, sandbox: Sandbox):
    shops, sns = three_shops(cli, sandbox)
    tracking = buy(sandbox, shops[2], sns[2])
    services = wiring.bootstrap(cli.database_url, temu_for=fast_temu)
    with shop_lock(engine_for(cli.database_url), shops[2]) as held:
        assert held
        check = confirm_new_labels(services, shops)
    assert check.skipped == [shops[2]] and temu_shipments(sandbox, sns[2]) == []
    again = confirm_new_labels(services, shops)
    assert again.confirmed == 1
    assert {t for _, t in temu_shipments(sandbox, sns[2])} == {tracking}
