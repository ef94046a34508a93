"""Reading V2 rows: every field, timestamps and money, and a bad row failing alone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import respx

from adapters.shipstation.reading import ReadFailure
from adapters.shipstation.v2 import ShipStationV2Api, V2Label, V2Shipment
from adapters.shipstation.v2.reading import instant, parse_label, parse_shipment, parse_webhooks
from domain.errors import UnexpectedAnswer
from domain.model import LabelLine
from domain.money import Money
from tests.adapters.shipstation_v2.conftest import label_row, page, shipment_row


def a_shipment(raw: dict[str, Any]) -> V2Shipment:
    parsed = parse_shipment(raw)
    assert isinstance(parsed, V2Shipment), parsed
    return parsed


def a_label(raw: dict[str, Any]) -> V2Label:
    parsed = parse_label(raw)
    assert isinstance(parsed, V2Label), parsed
    return parsed


class TestShipment:
    def test_every_field_we_use(self) -> None:
        shipment = a_shipment(shipment_row(1, hold_until_date="2026-03-09"))
        assert shipment.shipment_id == "se-1001" and shipment.remote_id == "1001"
        assert shipment.external_shipment_id == "temu-shop-1-PO-1"
        assert shipment.shipment_number == "PO-1"
        assert shipment.shipment_status == "pending" and shipment.status_known
        assert shipment.created_at == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
        assert shipment.modified_at == datetime(2026, 3, 1, 10, 5, 0, 123000, tzinfo=UTC)
        assert (shipment.store_id, shipment.warehouse_id) == ("se-77", "se-5")
        assert shipment.hold_until_date == date(2026, 3, 9)
        assert [(i.external_order_item_id, i.sku, i.quantity) for i in shipment.items] == [
            ("211-1-a", "SKU-A", 2),
            ("211-1-b", "SKU-B", 1),
        ]
        assert shipment.raw["shipment_id"] == "se-1001"

    def test_an_unknown_status_is_kept_as_text(self) -> None:
        shipment = a_shipment(shipment_row(1, shipment_status="awaiting_carrier_pickup"))
        assert shipment.shipment_status == "awaiting_carrier_pickup"
        assert not shipment.status_known

    def test_the_lines_a_label_ships_come_from_the_items(self) -> None:
        items = [
            {"external_order_item_id": "sn-1", "sku": "A", "quantity": 2},
            {"external_order_item_id": "sn-1", "sku": "A", "quantity": 1},
            {"external_order_item_id": None, "sku": "GIFT", "quantity": 1},
            {"external_order_item_id": "sn-2", "sku": "B", "quantity": 0},
        ]
        lines, unkeyed = a_shipment(shipment_row(1, items=items)).label_lines()
        assert lines == (LabelLine("sn-1", 3),)
        assert [i.sku for i in unkeyed] == ["GIFT"]

    @pytest.mark.parametrize(
        ("changes", "reason"),
        [
            ({"shipment_id": None}, "shipment_id"),
            ({"shipment_id": "order-1"}, "not a V2 id"),
            ({"shipment_status": ""}, "shipment_status"),
            ({"modified_at": "yesterday"}, "modified_at 'yesterday' is not a date"),
            ({"items": [{"sku": "A", "quantity": -1}]}, "items.0.quantity"),
            ({"items": [{"sku": "A", "quantity": True}]}, "items.0.quantity"),
            ({"items": "none"}, "items"),
        ],
    )
    def test_a_row_that_cannot_be_used_is_a_failure_naming_it(
        self, changes: dict[str, Any], reason: str
    ) -> None:
        failure = parse_shipment(shipment_row(1, **changes))
        assert isinstance(failure, ReadFailure) and failure.what == "shipment"
        assert reason in failure.reason

    def test_a_row_that_is_not_an_object_fails_alone(self) -> None:
        failure = parse_shipment(["se-1"])
        assert isinstance(failure, ReadFailure) and "a list" in failure.reason


class TestLabel:
    def test_every_field_we_use(self) -> None:
        read = a_label(label_row(1))
        label = read.label
        assert label.shipment_id == "5001"  # label_id se-5001, in V1's number space
        assert read.shipment_id == "se-1001" and read.status == "completed"
        assert label.tracking_number == "9400000000000000000001"
        assert (label.carrier_code, label.service_code) == ("stamps_com", "usps_priority_mail")
        assert label.created_at == datetime(2026, 3, 1, 11, 0, tzinfo=UTC)
        assert label.ship_date == date(2026, 3, 2)
        assert label.shipment_cost == Money(Decimal("7.45"), "USD")
        assert label.order_key == "temu-shop-1-PO-1"
        assert label.voided is False and read.voided_at is None
        assert label.lines == ()

    def test_the_caller_fills_the_lines_from_the_shipment(self) -> None:
        read = a_label(label_row(1))
        lines, _ = a_shipment(shipment_row(1)).label_lines()
        assert read.with_lines(lines).lines == (LabelLine("211-1-a", 2), LabelLine("211-1-b", 1))

    @pytest.mark.parametrize(
        "changes",
        [
            {"voided": True, "voided_at": "2026-03-01T12:30:00-05:00"},
            {"voided": None, "voided_at": "2026-03-01T17:30:00Z"},
            {"status": "voided"},
        ],
    )
    def test_a_voided_label_is_voided(self, changes: dict[str, Any]) -> None:
        read = a_label(label_row(1, **changes))
        assert read.label.voided
        if changes.get("voided_at"):
            assert read.voided_at == datetime(2026, 3, 1, 17, 30, tzinfo=UTC)

    def test_no_cost_is_none_and_a_zero_cost_is_zero(self) -> None:
        assert a_label(label_row(1, shipment_cost=None)).label.shipment_cost is None
        zero = {"currency": "usd", "amount": 0}
        assert a_label(label_row(1, shipment_cost=zero)).label.shipment_cost == Money.of(0, "USD")

    @pytest.mark.parametrize(
        ("changes", "reason"),
        [
            ({"tracking_number": ""}, "tracking_number"),
            ({"carrier_code": None}, "carrier_code"),
            ({"created_at": "not a time"}, "created_at"),
            ({"label_id": "L-1"}, "not a V2 id"),
            ({"shipment_cost": {"currency": "usd", "amount": -1}}, "shipment_cost.amount"),
            ({"shipment_cost": {"currency": "dollars", "amount": 1}}, "shipment_cost.currency"),
            ({"shipment_cost": 7.45}, "shipment_cost"),
        ],
    )
    def test_a_label_that_cannot_be_used_is_a_failure_naming_it(
        self, changes: dict[str, Any], reason: str
    ) -> None:
        failure = parse_label(label_row(1, **changes))
        assert isinstance(failure, ReadFailure) and reason in failure.reason

    def test_an_unreadable_ship_date_is_dropped_not_the_label(self) -> None:
        assert a_label(label_row(1, ship_date="soon")).label.ship_date is None


class TestTimestamps:
    @pytest.mark.parametrize(
        ("text", "moment"),
        [
            ("2026-08-12T19:44:39.447Z", datetime(2026, 8, 12, 19, 44, 39, 447000, tzinfo=UTC)),
            ("2026-08-12T19:44:39Z", datetime(2026, 8, 12, 19, 44, 39, tzinfo=UTC)),
            ("2026-08-12T12:44:39-07:00", datetime(2026, 8, 12, 19, 44, 39, tzinfo=UTC)),
            ("2026-08-12T21:44:39+0200", datetime(2026, 8, 12, 19, 44, 39, tzinfo=UTC)),
            ("2026-08-12T19:44:39.4471234Z", datetime(2026, 8, 12, 19, 44, 39, 447123, tzinfo=UTC)),
            ("2026-08-12T19:44:39", datetime(2026, 8, 12, 19, 44, 39, tzinfo=UTC)),
        ],
    )
    def test_iso_times_with_z_offsets_or_none_are_utc(self, text: str, moment: datetime) -> None:
        assert instant(text) == moment

    @pytest.mark.parametrize("text", ["", "2026-08-12", "12/08/2026 19:44", "2026-13-40T00:00:00Z"])
    def test_anything_else_is_not_a_time(self, text: str) -> None:
        assert instant(text) is None


class TestPagesOfRows:
    def test_a_bad_label_fails_alone_and_the_page_goes_on(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        rows = [label_row(1), label_row(2, tracking_number=None), "junk", label_row(3)]
        router.get("/v2/labels").respond(200, json=page("labels", rows))
        (read,) = api.labels()
        assert [r.label.shipment_id for r in read.rows] == ["5001", "5003"]
        assert [(f.what, f.key) for f in read.failures] == [("label", "se-5002"), ("label", None)]

    def test_a_bad_shipment_fails_alone(self, router: respx.Router, api: ShipStationV2Api) -> None:
        rows = [shipment_row(1), shipment_row(2, modified_at="later"), shipment_row(3)]
        router.get("/v2/shipments").respond(200, json=page("shipments", rows))
        (read,) = api.shipments()
        assert [s.shipment_id for s in read.rows] == ["se-1001", "se-1003"]
        assert [f.key for f in read.failures] == ["se-1002"]
        assert "modified_at" in read.failures[0].reason


class TestWebhooks:
    def test_a_bare_list_or_an_envelope(self) -> None:
        hook = {"webhook_id": 64, "url": "https://me.example/h", "event": "track_event_v2"}
        assert parse_webhooks([hook])[0].webhook_id == "64"
        assert parse_webhooks({"webhooks": [hook]})[0].event == "track_event_v2"
        assert parse_webhooks([]) == []

    def test_a_webhook_without_url_fails_the_call(self) -> None:
        with pytest.raises(UnexpectedAnswer, match="url"):
            parse_webhooks([{"webhook_id": "1", "event": "x"}])
