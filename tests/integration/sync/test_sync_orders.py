"""Temu orders reach the simulated ShipStation with the seed's statuses, once, and stay in step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.sandbox.launcher import Sandbox
from tests.integration.sync.sync_helpers import (
    Cli,
    createorders_calls,
    item_keys,
    make_awaiting,
    multi_line,
    seed_awaiting,
    set_line_status,
    ss_order,
    ss_status,
)


def sync_ok(cli: Cli, shop: str) -> dict[str, int]:
    (result,) = cli.json("sync", shop)
    assert result["status"] == "ok", result
    return result["counts"]


class TestStatusMapping:
    def test_every_temu_status_lands_in_shipstation_as_the_seed_table_says(
        self, cli: Cli, sandbox: Sandbox, shop: str
    ) -> None:
        sns = seed_awaiting(sandbox, 40)
        sync_ok(cli, shop)
        assert {ss_status(sandbox, shop, sn) for sn in sns} == {"awaiting_shipment"}
        two = multi_line(sandbox, sns)
        one = [sn for sn in sns if sn not in two]
        wanted = {
            one[0]: (1, "on_hold"),
            one[1]: (2, "awaiting_shipment"),
            two[0]: (41, "awaiting_shipment"),
            two[1]: (51, "awaiting_shipment"),
            one[2]: (3, "cancelled"),
            one[3]: (4, "shipped"),
            one[4]: (5, "shipped"),
        }
        for sn, (code, _) in wanted.items():
            if code in (41, 51):
                set_line_status(sandbox, sn, code, code // 10)
            else:
                sandbox.temu.set_status(sn, code)

        counts = sync_ok(cli, shop)

        assert {sn: ss_status(sandbox, shop, sn) for sn in wanted} == {
            sn: status for sn, (_, status) in wanted.items()
        }
        # 2 stays as it was; 41 and 51 are sent again with only the lines still to ship (the
        # others are named in the internal notes), so nobody picks them again.
        assert counts["pushed"] == 6
        for sn in (two[0], two[1]):
            shipped = {ln.order_sn for ln in sandbox.temu.orders[sn].lines if ln.status in (4, 5)}
            order = ss_order(sandbox, shop, sn)
            assert order is not None and shipped
            assert not shipped & {i["lineItemKey"] for i in order["items"]}
            assert all(o in order["internalNotes"] for o in shipped)

    def test_an_order_carries_its_number_and_one_item_per_temu_line(
        self, cli: Cli, sandbox: Sandbox, shop: str
    ) -> None:
        sns = seed_awaiting(sandbox, 10)
        sync_ok(cli, shop)
        for sn in sns:
            order = sandbox.temu.orders[sn]
            assert ss_order(sandbox, shop, sn)["orderNumber"] == sn  # type: ignore[index]
            assert item_keys(sandbox, shop, sn) == {ln.order_sn: ln.quantity for ln in order.lines}

    def test_first_seen_cancelled_or_delivered_are_not_created_shipped_arrives_shipped(
        self, cli: Cli, sandbox: Sandbox, shop: str
    ) -> None:
        sns = seed_awaiting(sandbox, 4)
        for sn, code in zip(sns, (3, 4, 5, 2), strict=True):
            sandbox.temu.set_status(sn, code)
        sync_ok(cli, shop)
        assert [ss_status(sandbox, shop, sn) for sn in sns] == [
            None,
            "shipped",  # Temu gives a shipped order's ship-to: imported as shipped
            None,
            "awaiting_shipment",
        ]


class TestMissingShipTo:
    def test_an_order_without_a_ship_to_waits_and_is_imported_when_the_address_arrives(
        self, cli: Cli, sandbox: Sandbox, shop: str
    ) -> None:
        sns = seed_awaiting(sandbox, 12)
        waiting = sns[:3]
        for sn in waiting:
            sandbox.temu.set_address(sn, None)

        sync_ok(cli, shop)
        assert [ss_order(sandbox, shop, sn) for sn in waiting] == [None, None, None]
        (status,) = cli.json("status", shop)
        assert status["missing_ship_to"] == 3
        assert status["orders_by_state"] == {"awaiting_shipment": 9, "missing_ship_to": 3}

        make_awaiting(sandbox, waiting, seed=99)
        counts = sync_ok(cli, shop)

        assert [ss_status(sandbox, shop, sn) for sn in waiting] == ["awaiting_shipment"] * 3
        assert counts["pushed"] == 3
        shipped_to = ss_order(sandbox, shop, waiting[0])["shipTo"]  # type: ignore[index]
        assert shipped_to["name"] == sandbox.temu.orders[waiting[0]].address["receiptName"]  # type: ignore[index]
        (status,) = cli.json("status", shop)
        assert status["missing_ship_to"] == 0


class TestIdempotence:
    def test_a_second_sync_sends_nothing_to_shipstation(
        self, cli: Cli, sandbox: Sandbox, shop: str
    ) -> None:
        seed_awaiting(sandbox, 150)
        first = sync_ok(cli, shop)
        calls = createorders_calls(sandbox)
        assert (first["pushed"], calls) == (150, 2)

        second = sync_ok(cli, shop)
        again = sync_ok(cli, shop)

        assert createorders_calls(sandbox) == calls
        assert second.get("pushed", 0) == again.get("pushed", 0) == 0
        assert len(sandbox.shipstation.orders) == 150

    def test_a_reread_of_the_last_days_upserts_nothing_new(
        self, cli: Cli, sandbox: Sandbox, shop: str
    ) -> None:
        seed_awaiting(sandbox, 30)
        sync_ok(cli, shop)
        calls = createorders_calls(sandbox)
        since = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S")
        (result,) = cli.json("sync", shop, "--since", since)
        assert result["status"] == "ok"
        assert createorders_calls(sandbox) == calls
        assert len(sandbox.shipstation.orders) == 30


class TestTemuChanges:
    def test_an_order_cancelled_in_temu_is_cancelled_in_shipstation(
        self, cli: Cli, sandbox: Sandbox, shop: str
    ) -> None:
        sn, other = seed_awaiting(sandbox, 2)
        sync_ok(cli, shop)
        sandbox.temu.set_status(sn, 3)
        counts = sync_ok(cli, shop)
        assert (ss_status(sandbox, shop, sn), ss_status(sandbox, shop, other)) == (
            "cancelled",
            "awaiting_shipment",
        )
        assert counts["pushed"] == 1

    def test_a_shipped_status_after_a_cancellation_is_a_conflict_and_never_pushed(
        self, cli: Cli, sandbox: Sandbox, shop: str
    ) -> None:
        (sn,) = seed_awaiting(sandbox, 1)
        sync_ok(cli, shop)
        sandbox.temu.set_status(sn, 3)
        sync_ok(cli, shop)
        calls = createorders_calls(sandbox)
        sandbox.temu.set_status(sn, 4)

        (result,) = cli.json("sync", shop)

        assert ss_status(sandbox, shop, sn) == "cancelled"
        assert createorders_calls(sandbox) == calls
        assert [a[:2] for a in result["attention"]] == [["conflict", sn]]
        history = cli.json("history", sn)
        assert history[-1]["conflict"] is True
        assert history[-1]["temu_code"] == 4
