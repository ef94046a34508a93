"""An operator's mistake is refused before anything is written, with the cause and the fix in
a few lines and the exit code of bad usage (2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.sandbox.launcher import Sandbox
from tests.integration.sync.sync_helpers import Cli, database_rows, flat, seed_awaiting


def refused(result, code: int, *words: str) -> str:
    text = flat(result.output)
    assert result.exit_code == code, text
    assert "Traceback" not in text
    for word in words:
        assert word in text, text
    return text


class TestConnect:
    def test_a_second_name_for_the_same_temu_mall_is_refused_naming_the_first(
        self, cli: Cli, shop: str, database_url: str
    ):
        refused(cli.connect(f"{shop}-b"), 2, "already connected as shop", shop, "--replace")
        assert database_rows(database_url, f"{shop}-b") == database_rows(database_url, "-")

    def test_the_same_name_again_needs_replace_and_replacing_keeps_the_orders(
        self, cli: Cli, sandbox: Sandbox, shop: str, database_url: str
    ):
        seed_awaiting(sandbox, 5)
        assert cli("sync", shop).exit_code == 0
        before = database_rows(database_url, shop)
        refused(cli.connect(shop), 2, "already connected", "--replace")
        assert database_rows(database_url, shop) == before
        assert cli.connect(shop, "--replace").exit_code == 0
        after = database_rows(database_url, shop)
        assert after["orders"] == before["orders"]
        assert after["order_history"] == before["order_history"]
        assert after["sync_cursors"] == before["sync_cursors"]

    def test_an_api_url_must_be_http_and_is_named(self, cli: Cli, database_url: str):
        result = cli.connect("shop-ftp", **{"--temu-url": "ftp://example.test"})
        refused(result, 2, "--temu-url", "ftp://example.test")
        assert database_rows(database_url, "shop-ftp")["shops"] == []

    def test_the_backfill_has_a_documented_range(self, cli: Cli):
        refused(cli.connect("shop-far", **{"--backfill-days": "9999"}), 2, "--backfill-days", "365")


class TestDisconnect:
    def test_disconnect_keeps_orders_and_history_unless_asked(
        self, cli: Cli, sandbox: Sandbox, shop: str, database_url: str
    ):
        seed_awaiting(sandbox, 3)
        assert cli("sync", shop).exit_code == 0
        assert cli("disconnect", shop, "--yes").exit_code == 0
        rows = database_rows(database_url, shop)
        assert rows["shops"] == [] and rows["tokens"] == []
        assert len(rows["orders"]) == 3 and rows["order_history"]

    def test_disconnect_with_delete_orders_leaves_nothing_of_the_shop(
        self, cli: Cli, sandbox: Sandbox, shop: str, database_url: str
    ):
        seed_awaiting(sandbox, 3)
        assert cli("sync", shop).exit_code == 0
        assert cli("disconnect", shop, "--yes", "--delete-orders").exit_code == 0
        assert not any(database_rows(database_url, shop).values())

    def test_an_unknown_shop_is_refused(self, cli: Cli):
        refused(cli("disconnect", "no-such-shop", "--yes"), 2, "no shop named")


class TestCarriers:
    def test_map_for_an_unknown_shop_is_refused(self, cli: Cli):
        refused(cli("carriers", "no-such-shop", "--map", "ups=1"), 2, "no shop named")

    def test_map_to_a_carrier_temu_does_not_have_is_refused_and_nothing_is_written(
        self, cli: Cli, shop: str, database_url: str
    ):
        refused(cli("carriers", shop, "--map", "ups=999999999"), 2, "Temu has no carrier")
        assert database_rows(database_url, shop)["carrier_mappings"] == []

    def test_unmap_removes_an_override(
        self, cli: Cli, sandbox: Sandbox, shop: str, database_url: str
    ):
        (carrier, *_) = cli.json("carriers", shop)
        temu_id = next(c["temu_id"] for c in cli.json("carriers", shop) if c["temu_id"])
        assert cli("carriers", shop, "--map", f"{carrier['shipstation']}={temu_id}").exit_code == 0
        assert len(database_rows(database_url, shop)["carrier_mappings"]) == 1
        assert cli("carriers", shop, "--unmap", carrier["shipstation"]).exit_code == 0
        assert database_rows(database_url, shop)["carrier_mappings"] == []


class TestReauthorize:
    def test_a_refused_token_leaves_a_healthy_shop_syncing(self, cli: Cli, shop: str):
        before = cli.json("status", shop)[0]["token"]["state"]
        text = refused(cli("reauthorize", shop, "--access-token", "not-a-token"), 1)
        assert "goes on syncing" in text
        (status,) = cli.json("status", shop)
        assert status["token"]["state"] == before and not status["paused"]
        assert cli("sync", shop).exit_code == 0

    def test_a_refused_token_leaves_a_paused_shop_paused(
        self, cli: Cli, sandbox: Sandbox, shop: str
    ):
        sandbox.temu.expire_token()
        assert cli("sync", shop).exit_code == 1
        before = cli.json("status", shop)[0]
        text = refused(cli("reauthorize", shop, "--access-token", "not-a-token"), 1)
        assert "stays paused" in text
        after = cli.json("status", shop)[0]
        assert after["paused"] and after["token"]["state"] == before["token"]["state"]


class TestSince:
    def test_a_since_in_the_future_is_refused(self, cli: Cli, shop: str, database_url: str):
        later = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
        before = database_rows(database_url, shop)
        refused(cli("sync", shop, "--since", later), 2, "in the future")
        assert database_rows(database_url, shop) == before

    def test_a_since_years_back_costs_in_proportion_to_the_orders_not_the_days(
        self, cli: Cli, sandbox: Sandbox, shop: str
    ):
        seed_awaiting(sandbox, 5)
        assert cli("sync", shop).exit_code == 0
        before = sandbox.temu.requests["bg.order.list.v2.get"]
        (result,) = cli.json("sync", shop, "--since", "2015-01-01")
        calls = sandbox.temu.requests["bg.order.list.v2.get"] - before
        days = (datetime.now(UTC) - datetime(2015, 1, 1, tzinfo=UTC)).days
        assert result["status"] == "ok" and result["counts"]["orders_seen"] >= 5
        assert calls < days / 40, (calls, days)
