"""A whole shop read through faults: every order once, addresses exactly where Temu has them."""

from __future__ import annotations

from collections import Counter

import pytest

from adapters.sandbox.temu.app import SandboxClock
from adapters.sandbox.temu.model import SHIPPABLE_ADDRESS_STATUSES
from domain.errors import ConfigError, PermissionMissing, TokenExpired, TokenRevoked
from domain.model import Address


def read_all(client) -> tuple[list, list]:
    pages = list(client.iter_orders(None))
    return [o for p in pages for o in p.orders], [f for p in pages for f in p.failures]


class TestReadingAShop:
    def test_2000_orders_through_faults_are_read_once_each(self, sandbox, client) -> None:
        sandbox.seed_orders(2000, seed=11)
        # Every third request misbehaves, one kind after another, pages and addresses alike.
        for kind, count in [("drop", 3), ("malformed", 3), ("5xx", 3), ("rate_limit", 3)]:
            sandbox.inject(kind, count, every=3)
        sandbox.inject("slow", 2, delay=0.05, every=3)

        orders, failures = read_all(client)
        client.ship_to([o.parent_order_sn for o in orders])

        sns = [o.parent_order_sn for o in orders]
        assert failures == [] and len(sns) == len(set(sns)) == 2000
        assert set(sns) == sandbox.order_sns()
        assert {o.status for o in orders} >= {1, 2, 3, 4, 5, 41, 51}
        assert any(len(o.lines) > 1 for o in orders) and any(o.pudo for o in orders)
        assert not sandbox.faults  # every injected fault was met and survived

    def test_addresses_come_where_temu_has_them_and_none_elsewhere(self, sandbox, client) -> None:
        sandbox.seed_orders(400, seed=5)
        sandbox.inject("5xx", 5, every=7)
        sandbox.inject("drop", 5, every=11)
        orders, _ = read_all(client)

        found = client.ship_to([o.parent_order_sn for o in orders])

        expected = {
            sn
            for sn, o in sandbox.orders.items()
            if o.status in SHIPPABLE_ADDRESS_STATUSES and o.address is not None
        }
        with_address = {sn for sn, value in found.items() if isinstance(value, Address)}
        assert with_address == expected
        kinds = Counter(type(value).__name__ for value in found.values())
        assert set(kinds) == {"Address", "NoneType"}
        missing = [sn for sn, o in sandbox.orders.items() if o.status == 2 and o.address is None]
        assert missing and all(found[sn] is None for sn in missing)

    def test_an_address_that_arrives_later_is_read(self, sandbox, client) -> None:
        sn = next(sn for sn, o in _seeded(sandbox).items() if o.status == 2 and o.address is None)
        assert client.ship_to([sn])[sn] is None
        sandbox.set_address(sn, {"receiptName": "Zoë Ørsted", "addressLine1": "1 Main St",
                                 "regionName1": "United States", "regionName2": "WA",
                                 "regionName3": "Seattle", "postCode": "98101"})  # fmt: skip
        address = client.ship_to([sn])[sn]
        assert isinstance(address, Address) and address.name == "Zoë Ørsted"
        assert address.country == "US"

    def test_a_status_change_bumps_the_order_into_a_later_window(self, sandbox, client) -> None:
        from datetime import timedelta

        from domain.ports import TimeWindow

        sn = next(iter(_seeded(sandbox)))
        sandbox.clock.advance(60)
        sandbox.set_status(sn, 3)
        now = sandbox.clock.now()
        window = TimeWindow(now - timedelta(seconds=5), now)
        orders = [o for p in client.iter_orders(window) for o in p.orders]
        assert [(o.parent_order_sn, o.status) for o in orders] == [(sn, 3)]


class TestSeveralMalls:
    def test_a_mall_reads_its_own_orders_and_those_of_every_mall_and_is_counted(
        self, sandbox, make_client
    ) -> None:
        sandbox.add_token("upl-other-mall", mall_id=sandbox.mall_id + 1)
        shared = set(sandbox.seed_orders(3, seed=1))
        own = set(sandbox.seed_orders(4, seed=2, mall_id=sandbox.mall_id))
        other = set(sandbox.seed_orders(5, seed=3, mall_id=sandbox.mall_id + 1))

        first, _ = read_all(make_client())
        second, _ = read_all(make_client("upl-other-mall"))

        assert {o.parent_order_sn for o in first} == shared | own
        assert {o.parent_order_sn for o in second} == shared | other
        by_mall = sandbox.requests_by_mall
        assert by_mall[sandbox.mall_id] >= 1 and by_mall[sandbox.mall_id + 1] >= 1
        assert sum(by_mall.values()) == sum(sandbox.requests.values())


class TestTokenAndConfig:
    def test_a_rotated_token_surfaces_as_token_expired(self, sandbox, client, make_client) -> None:
        new_token = sandbox.rotate_token()
        with pytest.raises(TokenExpired):
            client.token_info()
        assert make_client(token=new_token).token_info().mall_id is not None

    def test_the_http_401_form_of_expiry_is_token_expired_too(self, sandbox, client) -> None:
        sandbox.set_expiry_mode("http401")
        sandbox.expire_token()
        with pytest.raises(TokenExpired):
            list(client.iter_orders(None))

    def test_an_unknown_token_is_revoked(self, make_client) -> None:
        with pytest.raises(TokenRevoked):
            make_client(token="uplnotatoken").warehouses()

    def test_a_wrong_secret_fails_the_signature(self, make_client) -> None:
        with pytest.raises(ConfigError) as caught:
            make_client(secret="wrong-secret").warehouses()
        assert caught.value.code == 3000001

    def test_a_skewed_clock_is_refused(self, make_client) -> None:
        late = SandboxClock()
        late.advance(-600)
        with pytest.raises(ConfigError) as caught:
            make_client(clock=late).warehouses()
        assert caught.value.code == 3000012

    def test_amounts_without_the_permission_raise_permission_missing(self, sandbox, client) -> None:
        # Refused by default, as for a real app until Temu whitelists it (temu.md §3.4).
        sn = next(iter(_seeded(sandbox)))
        with pytest.raises(PermissionMissing) as caught:
            client.amounts(sn)
        assert caught.value.api_type == "bg.order.amount.query"
        sandbox.set_amounts_permission(True)
        assert client.amounts(sn).unit_prices
        sandbox.set_amounts_permission(False)
        with pytest.raises(PermissionMissing):
            client.amounts(sn)


def _seeded(sandbox) -> dict:
    sandbox.seed_orders(60, seed=3)
    return sandbox.orders
