"""serve groups shops by ShipStation account: one account per key and base URL, never two keys
taken for one because their masked hints agree."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.secrets import Secret
from domain.shop import Region, ShipStationCredentials, Shop, TemuCredentials, v2_credentials
from flows.serve.accounts import group

TEMU = TemuCredentials("app", Secret("app-secret"), Secret("token"), Region.US)
NOW = datetime(2026, 12, 7, tzinfo=UTC)


def shop(name: str, shipstation) -> Shop:
    return Shop(name, TEMU, shipstation, NOW)


def test_two_v2_keys_with_the_same_last_four_characters_are_two_accounts():
    first = shop("a", v2_credentials(Secret("TEST_aaaaaaaa_same")))
    second = shop("b", v2_credentials(Secret("TEST_bbbbbbbb_same")))
    assert first.shipstation.api_key == second.shipstation.api_key  # the same masked hint
    assert sorted(a.shop_ids for a in group([first, second])) == [("a",), ("b",)]


def test_shops_on_one_v2_key_are_one_account():
    key = "TEST_cccccccc_key1"
    found = group([shop("a", v2_credentials(Secret(key))), shop("b", v2_credentials(Secret(key)))])
    assert [(a.api, a.shop_ids) for a in found] == [("v2", ("a", "b"))]


def test_v1_shops_are_grouped_by_their_key_and_base_url():
    one = ShipStationCredentials("key-1", Secret("s1"))
    other_url = ShipStationCredentials("key-1", Secret("s1"), base_url="http://127.0.0.1:9")
    found = group([shop("a", one), shop("b", one), shop("c", other_url)])
    assert sorted(a.shop_ids for a in found) == [("a", "b"), ("c",)]
