"""The `temuship` commands a person runs: exit codes, status, history, check, carriers, plan."""

from __future__ import annotations

import uuid

from adapters.sandbox.launcher import Sandbox
from domain.model import order_key
from tests.integration.sync.sync_helpers import (
    Cli,
    createorders_calls,
    database_rows,
    flat,
    make_awaiting,
    seed_awaiting,
    ss_status,
)

CONFIRM = "bg.logistics.shipment.v2.confirm"
RUN_ID = 36  # a Prefect flow run id is a UUID


def second_shop(cli: Cli, sandbox: Sandbox) -> str:
    """Another shop (another Temu mall) of the same app, with a token of its own."""
    token = "upl" + uuid.uuid4().hex + uuid.uuid4().hex[:20]
    sandbox.temu.add_token(token, mall_id=sandbox.temu.mall_id + 1)
    name = f"shop-{uuid.uuid4().hex[:10]}"
    result = cli.connect(name, **{"--access-token": token})
    assert result.exit_code == 0, result.output
    return name


class TestSyncExitCodes:
    def test_a_good_sync_exits_0_and_prints_what_it_did(
        self, cli: Cli, sandbox: Sandbox, shop: str
    ) -> None:
        seed_awaiting(sandbox, 5)
        result = cli("sync", shop)
        assert result.exit_code == 0, result.output
        text = flat(result.stdout)
        assert f"{shop}: done: 5 Temu orders read" in text and "(s)" not in text

    def test_an_expired_token_exits_non_zero_naming_the_shop_and_why(
        self, cli: Cli, sandbox: Sandbox, shop: str
    ) -> None:
        seed_awaiting(sandbox, 5)
        other = second_shop(cli, sandbox)
        sandbox.temu.expire_token()  # the first shop's token only

        # Every shop by default; PostgreSQL holds this session's other tests' shops, so
        # there the two are named.
        on_own_file = cli.database_url.startswith("sqlite")
        result = cli("sync") if on_own_file else cli("sync", shop, other)

        assert result.exit_code == 1
        text = flat(result.stdout)
        assert f"{shop}: the shop is paused" in text
        assert "expired" in text.split(f"{shop}: ", 1)[1]
        assert f"{other}: done:" in text and f"reauthorize {shop} --access-token" in text
        (expired,) = cli.json("status", shop)
        assert (expired["paused"], expired["token"]["state"]) == (True, "expired")
        # Temu stopped taking it long before its date: the terminal says so, not "365 days".
        told = flat(cli("status", shop).stdout)
        assert "Temu token expired (Temu stopped accepting it before its expiry date" in told
        assert "days left" not in told.split("Temu token", 1)[1].split("Last good sync", 1)[0]
        (fine,) = cli.json("status", other)
        assert (fine["paused"], fine["sync_state"]) == (False, "ok")

    def test_an_expiry_told_as_http_401_stops_the_shop_the_same_way(
        self, cli: Cli, sandbox: Sandbox, shop: str
    ) -> None:
        seed_awaiting(sandbox, 5)
        sandbox.temu.set_expiry_mode("http401")
        sandbox.temu.expire_token()
        (result,) = cli.json_exit("sync", shop, code=1)
        assert result["status"] == "paused"
        assert "expired" in result["reason"]
        assert sandbox.shipstation.orders == {}

    def test_an_unknown_shop_is_refused_with_exit_2(self, cli: Cli, shop: str) -> None:
        result = cli("sync", "no-such-shop")
        assert result.exit_code == 2
        assert "no shop named no-such-shop" in flat(result.stderr)


class TestStatusAndHistory:
    def test_status_json_tells_token_last_sync_and_orders_by_state(
        self, cli: Cli, sandbox: Sandbox, shop: str
    ) -> None:
        sandbox.temu.set_amounts_permission(True)  # the app was approved for amounts
        sns = seed_awaiting(sandbox, 6)
        sandbox.temu.set_address(sns[0], None)
        cli.json("sync", shop)

        (status,) = cli.json("status", shop)

        assert status["shop"] == shop
        assert status["token"]["state"] == "active"
        assert status["token"]["expiry_from_temu"] is True
        assert status["sync_state"] == "ok"
        assert status["last_successful_sync"] is not None
        assert status["orders_by_state"] == {"awaiting_shipment": 5, "missing_ship_to": 1}
        assert status["prices"] == "read"

    def test_history_json_lists_an_orders_changes_oldest_first_with_their_runs(
        self, cli: Cli, sandbox: Sandbox, shop: str
    ) -> None:
        # history is not per shop; Temu order numbers are unique, and so is this test's
        (sn,) = seed_awaiting(sandbox, 1, seed=uuid.uuid4().int)
        sandbox.temu.set_address(sn, None)
        cli.json("sync", shop)
        make_awaiting(sandbox, [sn])
        cli.json("sync", shop)
        sandbox.temu.set_status(sn, 3)
        cli.json("sync", shop)

        history = cli.json("history", sn)

        steps = [(h["from"], h["to"], h["event"], h["source"], h["temu_code"]) for h in history]
        assert steps == [
            ("new", "missing_ship_to", "temu_status_seen", "temu", 2),
            ("missing_ship_to", "awaiting_shipment", "address_arrived", "temu", 2),
            ("awaiting_shipment", "awaiting_shipment", "pushed_to_shipstation", "shipstation", 2),
            ("awaiting_shipment", "cancelled", "temu_status_seen", "temu", 3),
            ("cancelled", "cancelled", "pushed_to_shipstation", "shipstation", 3),
        ]
        assert [h["at"] for h in history] == sorted(h["at"] for h in history)
        runs = [h["run_id"] for h in history]
        assert all(len(run) == RUN_ID for run in runs)
        assert len({runs[0], runs[1], runs[3]}) == 3  # three sync runs
        assert history[-1]["reason"] == "sent as cancelled"
        assert "reason" in history[0]

    def test_history_of_an_unknown_order_exits_2(self, cli: Cli, shop: str) -> None:
        result = cli("history", "PO-211-00000000000000000")
        assert result.exit_code == 2
        assert "no history for PO-211-00000000000000000" in flat(result.stderr)


class TestCheck:
    def test_check_passes_every_line_for_a_good_shop(
        self, cli: Cli, sandbox: Sandbox, shop: str
    ) -> None:
        result = cli("check", shop)
        assert result.exit_code == 0, result.output
        text = flat(result.stdout)
        for item in ("temu token", "shipstation store", "temu orders", "shipstation labels"):
            assert f"✔ {item}" in text
        assert "✘" not in text

    def test_check_fails_on_an_expired_token_and_says_so(
        self, cli: Cli, sandbox: Sandbox, shop: str
    ) -> None:
        sandbox.temu.expire_token()
        result = cli("check", shop)
        assert result.exit_code == 1
        text = flat(result.stdout)
        assert "✘ temu token" in text and "expired" in text
        assert "✔ shipstation store" in text


class TestCarriers:
    def test_carriers_map_sets_an_override_that_the_table_shows(self, cli: Cli, shop: str) -> None:
        before = {row["shipstation"]: row for row in cli.json("carriers", shop)}
        assert before["stamps_com"]["temu_name"] == "USPS"
        assert before["stamps_com"]["how"] == "by name"

        rows = cli.json("carriers", shop, "--map", "ontrac=998264744")

        mapped = {row["shipstation"]: row for row in rows}["ontrac"]
        assert (mapped["temu_id"], mapped["temu_name"], mapped["how"]) == (
            998264744,
            "UPS",
            "override",
        )

    def test_a_malformed_map_is_refused(self, cli: Cli, shop: str) -> None:
        result = cli("carriers", shop, "--map", "ontrac=ups")
        assert result.exit_code == 2
        assert "CODE=TEMU_CARRIER_ID" in flat(result.stderr)


class TestPlan:
    def test_plan_shows_what_would_be_sent_and_sends_or_writes_nothing(
        self, cli: Cli, sandbox: Sandbox, shop: str
    ) -> None:
        first, cancelled, labelled = seed_awaiting(sandbox, 3)
        cli.json("sync", shop)
        new = seed_awaiting(sandbox, 4, seed=8)
        sandbox.temu.set_status(cancelled, 3)
        (shipment,) = sandbox.shipstation.create_labels(order_key(shop, labelled))
        calls, confirms = createorders_calls(sandbox), sandbox.temu.requests[CONFIRM]
        rows = database_rows(cli.database_url, shop)

        (plan,) = cli.json("sync", shop, "--plan")

        assert createorders_calls(sandbox) == calls
        assert sandbox.temu.requests[CONFIRM] == confirms
        assert database_rows(cli.database_url, shop) == rows
        assert sorted((o["order"], o["status"]) for o in plan["shipstation_orders"]) == sorted(
            [(sn, "awaiting_shipment") for sn in new] + [(cancelled, "cancelled")]
        )
        assert [(c["tracking"], c["order"]) for c in plan["temu_confirmations"]] == [
            (shipment["trackingNumber"], labelled)
        ]
        assert ss_status(sandbox, shop, cancelled) == "awaiting_shipment"
        assert ss_status(sandbox, shop, first) == "awaiting_shipment"

    def test_plan_of_a_shop_with_an_expired_token_says_it_would_not_sync(
        self, cli: Cli, sandbox: Sandbox, shop: str
    ) -> None:
        sandbox.temu.expire_token()
        cli("sync", shop)
        result = cli("sync", shop, "--plan")
        assert result.exit_code == 0
        assert "would not sync" in flat(result.stdout)


class TestConnect:
    def test_connect_refuses_a_bad_temu_secret_and_saves_nothing(self, cli: Cli) -> None:
        name = f"shop-{uuid.uuid4().hex[:10]}"
        result = cli.connect(name, **{"--app-secret": "not-the-secret"})
        assert result.exit_code == 1
        text = flat(result.stderr)
        assert "Not connected: Temu refused the credentials" in text and "sign" in text
        assert cli("status", name).exit_code == 2  # no such shop

    def test_connect_refuses_an_unknown_temu_token(self, cli: Cli) -> None:
        result = cli.connect(f"shop-{uuid.uuid4().hex[:10]}", **{"--access-token": "upl" * 19})
        assert result.exit_code == 1
        assert "Temu refused the credentials" in flat(result.stderr)

    def test_connect_refuses_bad_shipstation_credentials(self, cli: Cli) -> None:
        name = f"shop-{uuid.uuid4().hex[:10]}"
        result = cli.connect(name, **{"--shipstation-secret": "wrong"})
        assert result.exit_code == 1
        assert "Not connected: ShipStation refused the credentials" in flat(result.stderr)
        assert cli("status", name).exit_code == 2  # no such shop

    def test_connect_tells_the_token_expiry_and_store(self, cli: Cli, sandbox: Sandbox) -> None:
        result = cli.connect(f"shop-{uuid.uuid4().hex[:10]}")
        assert result.exit_code == 0
        text = flat(result.stdout)
        assert "Connected" in text and "ShipStation store 123456" in text
        assert "(as Temu says)" in text and "stored encrypted" in text
