"""render(): the whole V1 payload, Pacific dates across DST, exact prices, stable digests."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from adapters.sandbox.shipstation.demo import demo_order, demo_temu_order
from adapters.shipstation.dates import from_pacific, to_pacific, to_pacific_query
from adapters.shipstation.mapping import render_order
from domain.digest import payload_digest
from domain.errors import InvalidPayload
from domain.model import OrderState, Pudo
from domain.money import Money


def rendered(n: int = 1, store_id: int | None = 777, **changes: object) -> dict:
    return render_order(demo_order("shop-1", demo_temu_order(n, **changes)), store_id)


class TestPacificDates:
    def test_winter_instant_is_written_in_pst_without_offset(self) -> None:
        assert to_pacific(datetime(2025, 1, 15, 20, 0, 1, tzinfo=UTC)) == (
            "2025-01-15T12:00:01.0000000"
        )

    def test_summer_instant_is_written_in_pdt(self) -> None:
        assert to_pacific(datetime(2025, 7, 15, 20, 0, tzinfo=UTC)) == "2025-07-15T13:00:00.0000000"

    def test_spring_forward_night_converts_both_ways(self) -> None:
        before = datetime(2025, 3, 9, 9, 59, 59, tzinfo=UTC)  # 01:59:59 PST
        after = datetime(2025, 3, 9, 10, 0, 0, tzinfo=UTC)  # 03:00:00 PDT
        assert to_pacific(before) == "2025-03-09T01:59:59.0000000"
        assert to_pacific(after) == "2025-03-09T03:00:00.0000000"
        assert from_pacific(to_pacific(before)) == before
        assert from_pacific(to_pacific(after)) == after

    def test_fall_back_night_converts_both_ways_outside_the_repeated_hour(self) -> None:
        pdt = datetime(2025, 11, 2, 7, 30, tzinfo=UTC)  # 00:30 PDT
        pst = datetime(2025, 11, 2, 10, 30, tzinfo=UTC)  # 02:30 PST
        assert to_pacific(pdt) == "2025-11-02T00:30:00.0000000"
        assert from_pacific("2025-11-02T00:30:00.0000000") == pdt
        assert from_pacific("2025-11-02T02:30:00.0000000") == pst

    def test_ambiguous_hour_reads_as_its_first_occurrence(self) -> None:
        assert from_pacific("2025-11-02T01:30:00.0000000") == datetime(
            2025, 11, 2, 8, 30, tzinfo=UTC
        )

    @pytest.mark.parametrize(
        "text",
        ["2015-07-16T14:00:34.823", "2015-07-16T14:00:34.8230000", "2015-07-16 14:00:34.823"],
    )
    def test_three_or_seven_fractional_digits_parse_alike(self, text: str) -> None:
        assert from_pacific(text) == datetime(2015, 7, 16, 21, 0, 34, 823000, tzinfo=UTC)

    def test_an_explicit_offset_is_honoured(self) -> None:
        assert from_pacific("2025-03-03T09:15:02.000Z") == datetime(
            2025, 3, 3, 9, 15, 2, tzinfo=UTC
        )

    def test_query_dates_are_pacific_to_the_second(self) -> None:
        moment = datetime(2025, 3, 3, 17, 0, 5, 999999, tzinfo=UTC)
        assert to_pacific_query(moment) == "2025-03-03 09:00:05"


class TestRender:
    def test_identity_status_and_dates(self) -> None:
        payload = rendered(1)
        assert payload["orderNumber"] == "PO-211-00000000000000001"
        assert payload["orderKey"] == "temu-shop-1-PO-211-00000000000000001"
        assert payload["orderStatus"] == "awaiting_shipment"
        assert payload["orderDate"] == "2025-03-03T09:16:02.0000000"  # 17:16:02 UTC, PST
        assert payload["shipByDate"] == "2025-03-05T09:16:02.0000000"

    def test_on_hold_and_cancelled_orders_carry_their_state(self) -> None:
        assert rendered(1, status=1)["orderStatus"] == "on_hold"
        assert rendered(1, status=3)["orderStatus"] == "cancelled"

    def test_ship_to_is_the_address_and_bill_to_is_name_only(self) -> None:
        payload = rendered(4)
        assert payload["shipTo"]["street1"] == "104 Main St"
        assert payload["shipTo"]["postalCode"] == "78701"
        assert payload["billTo"]["name"] == "Buyer 4"
        assert [v for k, v in payload["billTo"].items() if k != "name"] == [None] * 10

    def test_items_carry_order_sn_sku_image_options_and_exact_prices(self) -> None:
        item = rendered(1)["items"][1]
        assert item["lineItemKey"] == "211-00000000001001"
        assert (item["sku"], item["quantity"], item["unitPrice"]) == ("SKU-1", 2, 9.99)
        assert item["imageUrl"] == "https://img.example.com/1/1.jpg"
        assert item["options"] == [
            {"name": "Color", "value": "Black"},
            {"name": "Size", "value": "1"},
        ]

    def test_prices_reach_json_as_their_exact_decimal_text(self) -> None:
        order = demo_temu_order(1)
        line = replace(order.lines[0], unit_price=Money(Decimal("19.99"), "USD"))
        payload = rendered(1, lines=(line,), shipping_amount=Money(Decimal("0.10"), "USD"))
        text = json.dumps(payload)
        assert '"unitPrice": 19.99' in text and '"shippingAmount": 0.1' in text

    def test_unknown_prices_are_left_out_as_null(self) -> None:
        order = demo_temu_order(1)
        lines = tuple(replace(line, unit_price=None) for line in order.lines)
        payload = rendered(1, lines=lines, shipping_amount=None)
        assert [i["unitPrice"] for i in payload["items"]] == [None, None]
        assert payload["shippingAmount"] is None

    def test_cancelled_lines_are_not_sent_on_an_open_order(self) -> None:
        lines = demo_temu_order(1).lines
        cancelled = (lines[0], replace(lines[1], status=3, quantity=0))
        assert [i["lineItemKey"] for i in rendered(1, lines=cancelled)["items"]] == [
            lines[0].order_sn
        ]

    def test_deliver_by_and_pudo_go_to_custom_fields_and_notes(self) -> None:
        payload = rendered(3, pudo=Pudo(3, drop_point="LOCKER-7", warnings=("check ID",)))
        options = payload["advancedOptions"]
        assert options["customField1"] == "deliver_by=2025-03-10T10:18:02-07:00"
        assert options["customField2"] == "pudo=customer pickup; drop point LOCKER-7; check ID"
        assert options["customField3"] == "temu_region=211"
        assert "Temu deliver-by 2025-03-10T10:18:02-07:00" in payload["internalNotes"]
        assert "LOCKER-7" in payload["internalNotes"]

    def test_source_and_store_are_set(self) -> None:
        options = rendered(1, store_id=777)["advancedOptions"]
        assert (options["source"], options["storeId"]) == ("Temu", 777)
        assert "storeId" not in rendered(1, store_id=None)["advancedOptions"]

    def test_rendering_twice_gives_the_same_digest(self) -> None:
        assert payload_digest(rendered(5)) == payload_digest(rendered(5))
        assert payload_digest(rendered(5)) != payload_digest(rendered(5, status=1))

    def test_an_order_without_ship_to_cannot_be_rendered(self) -> None:
        order = demo_order("shop-1", demo_temu_order(1, ship_to=None))
        assert order.state is OrderState.MISSING_SHIP_TO
        with pytest.raises(InvalidPayload):
            render_order(order, 1)
