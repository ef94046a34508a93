"""An operator's mistake is refused before anything is written, with the cause and the fix in
a few lines and the exit code of bad usage (2): every case asserts the exit code, that no
traceback is shown, that the cause is named, and that no row of any table changed."""

from __future__ import annotations

import socket
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from adapters.sandbox.launcher import Sandbox
from domain.sync import plan
from flows.cli.rules import MAX_BACKFILL_DAYS, NAME_RULE
from tests.integration.cli.helpers import api_calls, every_row, refused
from tests.integration.sync.sync_helpers import Cli, database_rows, flat, seed_awaiting

WIDEST_WINDOW_DAYS = plan.WIDEST.days  # an empty Temu window grows to this, no wider


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TestConnect:
    def test_a_second_name_for_the_same_temu_mall_is_refused_naming_the_first(
        self, cli: Cli, shop: str, database_url: str
    ):
        before = every_row(database_url)
        refused(cli.connect(f"{shop}-b"), 2, "already connected as shop", shop, "--replace",
                "twice")  # fmt: skip
        assert every_row(database_url) == before

    def test_a_second_name_with_replace_is_refused_too(
        self, cli: Cli, shop: str, database_url: str
    ):
        before = every_row(database_url)
        refused(cli.connect(f"{shop}-b", "--replace"), 2, "already connected as shop", shop)
        assert every_row(database_url) == before

    def test_the_same_name_again_needs_replace_and_replacing_keeps_the_orders(
        self, cli: Cli, sandbox: Sandbox, shop: str, database_url: str
    ):
        seed_awaiting(sandbox, 5)
        assert cli("sync", shop).exit_code == 0
        before, calls = every_row(database_url, bookkeeping=True), api_calls(sandbox)
        refused(cli.connect(shop), 2, "already connected", "--replace")
        assert every_row(database_url, bookkeeping=True) == before
        assert api_calls(sandbox) == calls  # refused before either API was asked
        kept = database_rows(database_url, shop)
        assert cli.connect(shop, "--replace").exit_code == 0
        after = database_rows(database_url, shop)
        assert after["orders"] == kept["orders"]
        assert after["order_history"] == kept["order_history"]
        assert after["sync_cursors"] == kept["sync_cursors"]

    def test_replacing_a_paused_shop_with_a_token_temu_refuses_leaves_it_paused(
        self, cli: Cli, sandbox: Sandbox, shop: str, database_url: str
    ):
        sandbox.temu.expire_token()
        assert cli("sync", shop).exit_code == 1
        before = every_row(database_url)
        refused(cli.connect(shop, "--replace"), 1, "Temu refused the credentials")
        assert every_row(database_url) == before
        (status,) = cli.json_exit("status", shop, code=0)
        assert status["paused"]

    @pytest.mark.parametrize("option", ["--temu-url", "--shipstation-url"])
    @pytest.mark.parametrize("url", ["ftp://example.test", "example.test", "http:/no-host"])
    def test_an_api_url_must_be_http_and_is_named(
        self, cli: Cli, sandbox: Sandbox, database_url: str, option: str, url: str
    ):
        before, calls = every_row(database_url, bookkeeping=True), api_calls(sandbox)
        result = cli.connect("shop-url", **{option: url})
        refused(result, 2, option, url, "http:// or https://")
        assert every_row(database_url, bookkeeping=True) == before
        assert api_calls(sandbox) == calls

    @pytest.mark.parametrize("option", ["--temu-url", "--shipstation-url"])
    def test_an_unreachable_api_says_could_not_reach_and_nothing_is_saved(
        self, cli: Cli, sandbox: Sandbox, database_url: str, option: str
    ):
        url = f"http://127.0.0.1:{closed_port()}"
        before = every_row(database_url)
        text = refused(cli.connect(f"shop-{uuid.uuid4().hex[:8]}", **{option: url}), 1,
                       f"could not reach {url}", "nothing was saved")  # fmt: skip
        assert "refused the credentials" not in text
        assert every_row(database_url) == before

    @pytest.mark.parametrize("days", ["-1", str(MAX_BACKFILL_DAYS + 1), "9999"])
    def test_the_backfill_has_a_documented_range(
        self, cli: Cli, sandbox: Sandbox, database_url: str, days: str
    ):
        before, calls = every_row(database_url, bookkeeping=True), api_calls(sandbox)
        refused(cli.connect("shop-far", **{"--backfill-days": days}), 2, "--backfill-days",
                f"must be between 0 and {MAX_BACKFILL_DAYS} days, not {days}")  # fmt: skip
        assert every_row(database_url, bookkeeping=True) == before
        assert api_calls(sandbox) == calls
        assert f"(0 to {MAX_BACKFILL_DAYS})" in flat(cli("connect", "--help").output)

    @pytest.mark.parametrize("name", ["Shop", "_shop", "shop_a", "a" * 64, "shop.a"])
    def test_a_name_outside_the_rule_is_refused_with_the_rule_its_help_gives(
        self, cli: Cli, sandbox: Sandbox, database_url: str, name: str
    ):
        before, calls = every_row(database_url, bookkeeping=True), api_calls(sandbox)
        refused(cli.connect(name), 2, f"Shop names use {NAME_RULE}")
        assert every_row(database_url, bookkeeping=True) == before
        assert api_calls(sandbox) == calls
        assert f"A name for the shop: {NAME_RULE}" in flat(cli("connect", "--help").output)

    @pytest.mark.parametrize(
        "mistake", [("Shop",), ("shop-a", "--temu-url", "ftp://x"), ("shop-a", "--region", "mars")]
    )
    def test_on_a_new_machine_a_refused_connect_makes_no_database(
        self, tmp_path, monkeypatch: pytest.MonkeyPatch, mistake: tuple[str, ...]
    ):
        """The input is checked before the data directory or its database is made."""
        from typer.testing import CliRunner

        from flows import wiring
        from flows.cli.app import app

        wiring._from_environment.cache_clear()  # as a new `temuship` process starts
        home = tmp_path / "home"
        env = {"TEMUSHIP_HOME": str(home), "COLUMNS": "200"}
        monkeypatch.delenv("TEMUSHIP_DATABASE_URL", raising=False)
        keys = ("--app-key", "--app-secret", "--access-token", "--shipstation-key",
                "--shipstation-secret")  # fmt: skip
        args = ["connect", *mistake, *(x for key in keys for x in (key, "x"))]
        result = CliRunner().invoke(app, args, env=env, catch_exceptions=False)
        assert result.exit_code == 2, result.output
        assert not home.exists() or not any(home.iterdir()), sorted(home.iterdir())
        assert wiring._from_environment.cache_info().currsize == 0  # no services were built

    def test_a_name_at_the_edge_of_the_rule_is_taken(self, cli: Cli):
        assert cli.connect("0" + "a-" * 31).exit_code == 0  # 63 characters


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

    def test_disconnect_asks_and_no_removes_nothing(self, cli: Cli, shop: str, database_url: str):
        before = every_row(database_url)
        answered = _with_input(cli, "n\n", "disconnect", shop)
        refused(answered, 1, f"Remove shop {shop}", "Nothing was removed")
        assert every_row(database_url) == before

    def test_an_unknown_shop_is_refused(self, cli: Cli, database_url: str):
        before = every_row(database_url)
        refused(cli("disconnect", "no-such-shop", "--yes"), 2, "no shop named")
        assert every_row(database_url) == before


def _with_input(cli: Cli, answer: str, *args: str) -> object:
    from flows import wiring
    from flows.cli.app import app
    from tests.integration.sync.sync_helpers import fast_temu

    env = {"TEMUSHIP_DATABASE_URL": cli.database_url, "TEMUSHIP_HOME": str(cli.home),
           "COLUMNS": "200"}  # fmt: skip
    with wiring.using(wiring.bootstrap(cli.database_url, temu_for=fast_temu)):
        return cli.runner.invoke(app, list(args), input=answer, env=env, catch_exceptions=False)


class TestCarriers:
    @pytest.mark.parametrize("flag", [("--map", "ups=1"), ("--unmap", "ups")])
    def test_map_or_unmap_for_an_unknown_shop_is_refused(
        self, cli: Cli, database_url: str, flag: tuple[str, str]
    ):
        before = every_row(database_url, bookkeeping=True)
        refused(cli("carriers", "no-such-shop", *flag), 2, "no shop named", "no-such-shop")
        assert every_row(database_url, bookkeeping=True) == before

    def test_map_to_a_carrier_temu_does_not_have_is_refused_and_nothing_is_written(
        self, cli: Cli, shop: str, database_url: str
    ):
        before = every_row(database_url)
        refused(cli("carriers", shop, "--map", "ups=999999999"), 2, "Temu has no carrier",
                "999999999", f"temuship carriers {shop}")  # fmt: skip
        assert every_row(database_url) == before

    def test_one_unknown_carrier_refuses_the_whole_command(
        self, cli: Cli, shop: str, database_url: str
    ):
        temu_id = next(c["temu_id"] for c in cli.json("carriers", shop) if c["temu_id"])
        before = every_row(database_url)
        result = cli("carriers", shop, "--map", f"ups={temu_id}", "--map", "fedex=999999999")
        refused(result, 2, "Temu has no carrier 999999999")
        assert every_row(database_url) == before

    def test_unmap_of_a_code_without_override_is_refused(
        self, cli: Cli, shop: str, database_url: str
    ):
        before = every_row(database_url)
        refused(cli("carriers", shop, "--unmap", "ups"), 2, f"{shop} has no override for ups")
        assert every_row(database_url) == before

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
    """A token Temu refuses leaves the shop's token and pause exactly as they were: nothing
    is written (Temu's answer is shown to whoever gave the token)."""

    def test_a_refused_token_leaves_a_healthy_shop_syncing(
        self, cli: Cli, shop: str, database_url: str
    ):
        (before_status,) = cli.json("status", shop)
        before = every_row(database_url)
        text = refused(cli("reauthorize", shop, "--access-token", "not-a-token"), 1,
                       f"Temu refused the new token for {shop}", "goes on syncing")  # fmt: skip
        assert "not-a-token" not in text
        assert every_row(database_url) == before
        (status,) = cli.json("status", shop)
        assert status["token"] == before_status["token"] and not status["paused"]
        assert cli("sync", shop).exit_code == 0

    def test_a_refused_token_leaves_a_paused_shop_paused(
        self, cli: Cli, sandbox: Sandbox, shop: str, database_url: str
    ):
        sandbox.temu.expire_token()
        assert cli("sync", shop).exit_code == 1
        (before_status,) = cli.json("status", shop)
        before = every_row(database_url)
        refused(cli("reauthorize", shop, "--access-token", "not-a-token"), 1,
                f"Temu refused the new token for {shop}", "stays paused")  # fmt: skip
        assert every_row(database_url) == before
        (after,) = cli.json("status", shop)
        assert after["paused"] and after["token"] == before_status["token"]
        assert after["paused_reason"] == before_status["paused_reason"]

    def test_temu_unreachable_decides_nothing_and_writes_nothing(self, cli: Cli, database_url: str):
        name = f"shop-{uuid.uuid4().hex[:10]}"
        with Sandbox() as gone:
            urls = {"--temu-url": gone.temu_url, "--shipstation-url": gone.shipstation_url}
            assert cli.connect(name, **urls).exit_code == 0
        before = every_row(database_url)
        text = refused(cli("reauthorize", name, "--access-token", "x" * 40), 1,
                       "Temu did not answer", f"could not reach {gone.temu_url}",
                       "goes on syncing")  # fmt: skip
        assert "refused" not in text
        assert every_row(database_url) == before


class TestSince:
    @pytest.mark.parametrize("plan", [(), ("--plan",), ("--plan", "--json")])
    def test_a_since_in_the_future_is_refused(
        self, cli: Cli, sandbox: Sandbox, shop: str, database_url: str, plan: tuple[str, ...]
    ):
        later = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
        before, calls = every_row(database_url, bookkeeping=True), api_calls(sandbox)
        refused(cli("sync", shop, "--since", later, *plan), 2, "--since", "in the future")
        assert every_row(database_url, bookkeeping=True) == before
        assert api_calls(sandbox) == calls

    @pytest.mark.parametrize(
        ("since", "plan"), [("2015-01-01", False), ("2015-01-01", True), ("1970-01-01", True)]
    )
    def test_a_since_years_back_costs_windows_as_wide_as_empty_days_allow(
        self, cli: Cli, sandbox: Sandbox, shop: str, since: str, plan: bool
    ):
        """Temu calls counted: empty windows widen (to 90 days), so 56 years are about 230
        calls, 11 years about 50, not one a day (4,350 for 2015 once)."""
        seed_awaiting(sandbox, 5)
        assert cli("sync", shop).exit_code == 0
        before = sandbox.temu.requests["bg.order.list.v2.get"]
        (result,) = cli.json("sync", shop, "--since", since, *(["--plan"] if plan else []))
        calls = sandbox.temu.requests["bg.order.list.v2.get"] - before
        days = (datetime.now(UTC) - datetime.fromisoformat(since).replace(tzinfo=UTC)).days
        assert result["blocked"] is None if plan else result["status"] == "ok"
        assert result["counts"]["orders_seen"] >= 5
        assert calls <= days // WIDEST_WINDOW_DAYS + 12, (calls, days)
