"""ShipStation labels become exactly the right confirmations on the simulated Temu, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.sandbox.launcher import Sandbox
from domain.model import order_key
from tests.integration.sync.sync_helpers import (
    Cli,
    ConfirmCall,
    multi_line,
    seed_awaiting,
    ss_status,
    temu_shipments,
)


def sync_ok(cli: Cli, shop: str, *options: str) -> dict[str, int]:
    (result,) = cli.json("sync", shop, *options)
    assert result["status"] == "ok", result
    return result["counts"]


def imported_order(cli: Cli, sandbox: Sandbox, shop: str) -> tuple[str, list[str]]:
    """One order of two or more lines, imported into ShipStation: its sn and line sns."""
    sns = seed_awaiting(sandbox, 30)
    sync_ok(cli, shop)
    sn = multi_line(sandbox, sns)[0]
    return sn, [line.order_sn for line in sandbox.temu.orders[sn].lines]


def label(sandbox: Sandbox, shop: str, sn: str, *packages: dict[str, int] | None) -> list[str]:
    """Buy labels in the simulated ShipStation; their tracking numbers."""
    made = sandbox.shipstation.create_labels(order_key(shop, sn), packages or (None,))
    return [m["trackingNumber"] for m in made]


def lines(sandbox: Sandbox, sn: str, *order_sns: str) -> dict[str, int]:
    order = sandbox.temu.orders[sn]
    return {ln.order_sn: ln.quantity for ln in order.lines if ln.order_sn in order_sns}


def rerun_everything(cli: Cli, shop: str) -> None:
    sync_ok(cli, shop)
    since = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S")
    sync_ok(cli, shop, "--since", since)


class TestLabels:
    def test_a_label_for_the_whole_order_is_one_confirmation_of_every_line(
        self, cli: Cli, sandbox: Sandbox, shop: str, confirm_calls: list[ConfirmCall]
    ) -> None:
        sn, line_sns = imported_order(cli, sandbox, shop)
        (tracking,) = label(sandbox, shop, sn)

        counts = sync_ok(cli, shop)

        assert [(c.send_type, c.lines(), c.tracking(), c.error) for c in confirm_calls] == [
            (0, sorted(line_sns), [tracking], None)
        ]
        assert counts["confirmed"] == 1
        assert sandbox.temu.orders[sn].status == 4
        assert temu_shipments(sandbox, sn) == sorted((ln, tracking) for ln in line_sns)
        assert ss_status(sandbox, shop, sn) == "shipped"

    def test_a_partial_label_confirms_only_its_lines_and_the_rest_follow_later(
        self, cli: Cli, sandbox: Sandbox, shop: str, confirm_calls: list[ConfirmCall]
    ) -> None:
        sn, (first, *rest) = imported_order(cli, sandbox, shop)
        (t1,) = label(sandbox, shop, sn, lines(sandbox, sn, first))
        sync_ok(cli, shop)
        assert sandbox.temu.orders[sn].status == 41
        assert ss_status(sandbox, shop, sn) == "awaiting_shipment"
        (status,) = cli.json("status", shop)
        assert status["orders_by_state"]["awaiting_shipment"] == 30

        (t2,) = label(sandbox, shop, sn)  # the lines not yet labelled
        sync_ok(cli, shop)

        assert [(c.send_type, c.lines(), c.tracking()) for c in confirm_calls] == [
            (0, [first], [t1]),
            (0, sorted(rest), [t2]),
        ]
        assert sandbox.temu.orders[sn].status == 4
        assert temu_shipments(sandbox, sn) == sorted([(first, t1)] + [(ln, t2) for ln in rest])

    def test_several_packages_of_one_order_go_to_temu_in_one_call_of_sendtype_1(
        self, cli: Cli, sandbox: Sandbox, shop: str, confirm_calls: list[ConfirmCall]
    ) -> None:
        sn, (first, *rest) = imported_order(cli, sandbox, shop)
        t1, t2 = label(sandbox, shop, sn, lines(sandbox, sn, first), lines(sandbox, sn, *rest))

        sync_ok(cli, shop)

        (call,) = confirm_calls
        assert (call.send_type, call.lines(), call.tracking(), call.error) == (
            1,
            sorted([first, *rest]),
            sorted([t1, t2]),
            None,
        )
        by_package = {p["trackingNumber"]: sorted(i["orderSn"] for i in p["orderSendInfoList"])
                      for p in call.packages}  # fmt: skip
        assert by_package == {t1: [first], t2: sorted(rest)}
        assert sandbox.temu.orders[sn].status == 4

    def test_no_confirmation_is_sent_twice_across_reruns(
        self, cli: Cli, sandbox: Sandbox, shop: str, confirm_calls: list[ConfirmCall]
    ) -> None:
        sns = seed_awaiting(sandbox, 20)
        sync_ok(cli, shop)
        for sn in sns[:8]:
            label(sandbox, shop, sn)
        sync_ok(cli, shop)
        shipped = temu_shipments(sandbox)
        assert len(confirm_calls) == 8

        rerun_everything(cli, shop)

        assert len(confirm_calls) == 8
        assert temu_shipments(sandbox) == shipped
        (status,) = cli.json("status", shop)
        assert status["confirmations_by_status"] == {"confirmed": 8}

    def test_a_label_with_an_unmapped_carrier_waits_until_the_carrier_is_mapped(
        self, cli: Cli, sandbox: Sandbox, shop: str, confirm_calls: list[ConfirmCall]
    ) -> None:
        (sn,) = seed_awaiting(sandbox, 1)
        sync_ok(cli, shop)
        sandbox.shipstation.create_labels(order_key(shop, sn), carrier_code="ontrac")
        (result,) = cli.json("sync", shop)
        ((kind, _, reason),) = result["attention"]
        assert kind == "confirmation_waiting"
        assert "--map ontrac=" in reason
        assert confirm_calls == []

        mapped = cli("carriers", shop, "--map", "ontrac=998264744")
        assert mapped.exit_code == 0, mapped.output
        sync_ok(cli, shop)

        (call,) = confirm_calls
        assert call.packages[0]["carrierId"] == 998264744
        assert sandbox.temu.orders[sn].status == 4
