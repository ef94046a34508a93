"""`temuship sync --plan` is the sync itself on ports that send nothing: run on the same sandbox
state, the plan lists exactly what the sync then sends to each API, and writes nothing."""

from __future__ import annotations

import time
from typing import Any

import pytest

from adapters.sandbox.launcher import Sandbox
from domain.model import order_key
from tests.integration.sync.sync_helpers import (
    Cli,
    ConfirmCall,
    database_rows,
    multi_line,
    seed_awaiting,
)


@pytest.fixture
def received_orders(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(orderNumber, orderStatus) of every order the simulated ShipStation is sent."""
    received: list[tuple[str, str]] = []
    real = sandbox.shipstation.create_orders

    def recording(body: Any) -> Any:
        if isinstance(body, list):
            received.extend((str(o.get("orderNumber")), str(o.get("orderStatus"))) for o in body)
        return real(body)

    monkeypatch.setattr(sandbox.shipstation, "create_orders", recording)
    return received


def planned(cli: Cli, shop: str) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    (report,) = cli.json("sync", shop, "--plan")
    assert report["blocked"] is None, report
    orders = {(o["order"], o["status"]) for o in report["shipstation_orders"]}
    confirmations = {(c["tracking"], c["order"]) for c in report["temu_confirmations"]}
    return orders, confirmations


def sent(
    cli: Cli, shop: str, received: list[tuple[str, str]], calls: list[ConfirmCall]
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    received.clear()
    calls.clear()
    (result,) = cli.json("sync", shop)
    assert result["status"] == "ok", result
    confirmations = {
        (p["trackingNumber"], i["parentOrderSn"])
        for call in calls
        for p in call.packages
        for i in p["orderSendInfoList"][:1]
    }
    return set(received), confirmations


class TestPlanEqualsSync:
    def test_a_first_sync_sends_exactly_what_its_plan_listed_and_the_plan_wrote_nothing(
        self,
        cli: Cli,
        sandbox: Sandbox,
        shop: str,
        database_url: str,
        received_orders: list[tuple[str, str]],
        confirm_calls: list[ConfirmCall],
    ):
        sandbox.temu.seed_orders(60, seed=3)
        before = database_rows(database_url, shop)
        plan = planned(cli, shop)
        assert database_rows(database_url, shop) == before
        assert received_orders == [] and confirm_calls == []
        assert plan[0], "the plan lists orders to send"
        assert sent(cli, shop, received_orders, confirm_calls) == plan

    def test_labels_voids_and_status_changes_are_planned_as_the_sync_then_sends_them(
        self,
        cli: Cli,
        sandbox: Sandbox,
        shop: str,
        received_orders: list[tuple[str, str]],
        confirm_calls: list[ConfirmCall],
    ):
        sns = seed_awaiting(sandbox, 30)
        (first,) = cli.json("sync", shop)
        assert first["status"] == "ok", first
        ss = sandbox.shipstation
        several = multi_line(sandbox, sns)
        ss.create_labels(order_key(shop, sns[0]))
        line = sandbox.temu.orders[several[0]].lines[0]
        ss.create_labels(order_key(shop, several[0]), [{line.order_sn: line.quantity}])
        (voided,) = ss.create_labels(order_key(shop, sns[1]))
        ss.void_label(voided["shipmentId"])
        sandbox.temu.set_status(sns[2], 3)
        seed_awaiting(sandbox, 5, seed=9)  # new orders, plus their first import
        time.sleep(1.1)  # Temu's update times are in seconds
        plan = planned(cli, shop)
        assert plan[1], "the plan lists confirmations to send"
        assert sent(cli, shop, received_orders, confirm_calls) == plan
