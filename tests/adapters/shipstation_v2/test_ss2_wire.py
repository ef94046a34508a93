"""render_shipment: the whole V2 shipment, field by field; and the id conversions."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from adapters.sandbox.shipstation.demo import demo_order, demo_temu_order
from adapters.shipstation.mapping import render_order
from adapters.shipstation.v2 import from_v2_id, render_shipment, to_v2_id
from domain.digest import payload_digest
from domain.errors import InvalidPayload
from domain.model import OrderState, Pudo
from domain.money import Money


def rendered(
    n: int = 1, shop: str = "shop-1", warehouse: str | None = "se-5", store: Any = "77", **changes
) -> dict[str, Any]:
    order = demo_order(shop, demo_temu_order(n, **changes))
    return render_shipment(order, warehouse_id=warehouse, store_id=store)


class TestIdentity:
    def test_keys_number_and_creation_fields(self) -> None:
        payload = rendered(1)
        assert payload["external_shipment_id"] == "temu-shop-1-PO-211-00000000000000001"
        assert payload["shipment_number"] == "PO-211-00000000000000001"
        assert payload["create_sales_order"] is True
        assert payload["shipment_status"] == "pending"
        assert (payload["warehouse_id"], payload["store_id"]) == ("se-5", "77")

    def test_a_numeric_store_id_is_sent_as_text_and_none_left_out(self) -> None:
        assert rendered(1, store=123456)["store_id"] == "123456"
        assert "store_id" not in rendered(1, store=None)
        assert "warehouse_id" not in rendered(1, warehouse=None)

    def test_an_order_key_longer_than_50_is_refused_not_truncated(self) -> None:
        with pytest.raises(InvalidPayload, match="at most 20 characters fits"):
            rendered(1, shop="a-shop-name-that-is-too-long")
        assert len(rendered(1, shop="s" * 20)["external_shipment_id"]) == 50

    @pytest.mark.parametrize("status", [1, 2, 3, 4])
    def test_the_status_is_never_in_the_payload_whatever_the_orders_state(
        self, status: int
    ) -> None:
        payload = rendered(1, status=status)
        assert payload["shipment_status"] == "pending"
        assert not {"hold_until_date", "tags", "shipment_id"} & payload.keys()

    def test_an_order_without_ship_to_cannot_be_rendered(self) -> None:
        order = demo_order("shop-1", demo_temu_order(1, ship_to=None))
        assert order.state is OrderState.MISSING_SHIP_TO
        with pytest.raises(InvalidPayload):
            render_shipment(order, warehouse_id="se-5", store_id=None)


class TestShipTo:
    def test_the_address_maps_field_by_field(self) -> None:
        ship_to = rendered(4)["ship_to"]
        assert ship_to == {
            "name": "Buyer 4",
            "phone": "5125550100-1234",
            "address_line1": "104 Main St",
            "city_locality": "Austin",
            "state_province": "TX",
            "postal_code": "78701",
            "country_code": "US",
            "address_residential_indicator": "unknown",
        }

    def test_optional_lines_company_and_email_are_sent_when_known(self) -> None:
        base = demo_temu_order(1).ship_to
        assert base is not None
        full = replace(base, street2="Apt 2", street3="c/o", company="ACME", email="b@x.example")
        ship_to = rendered(1, ship_to=full)["ship_to"]
        assert (ship_to["address_line2"], ship_to["address_line3"]) == ("Apt 2", "c/o")
        assert (ship_to["company_name"], ship_to["email"]) == ("ACME", "b@x.example")

    def test_without_a_phone_from_temu_the_phone_is_left_out(self) -> None:
        base = demo_temu_order(1).ship_to
        assert base is not None
        no_phone = replace(base, phone=None)
        ship_to = rendered(1, ship_to=no_phone)["ship_to"]
        assert "phone" not in ship_to and None not in ship_to.values()


class TestItemsAndMoney:
    def test_items_carry_the_temu_line_sku_price_image_and_options(self) -> None:
        item = rendered(1)["items"][1]
        assert item == {
            "external_order_item_id": "211-00000000001001",
            "sku": "SKU-1",
            "name": "Item 1 of order 1",
            "quantity": 2,
            "unit_price": 9.99,
            "image_url": "https://img.example.com/1/1.jpg",
            "options": [{"name": "Color", "value": "Black"}, {"name": "Size", "value": "1"}],
        }

    def test_amount_and_shipping_paid_are_money_objects(self) -> None:
        payload = rendered(1)
        assert payload["amount_paid"] == {"currency": "usd", "amount": 30.97}  # 8.99+2x9.99+2
        assert payload["shipping_paid"] == {"currency": "usd", "amount": 2.0}
        assert '"amount": 30.97' in json.dumps(payload)

    def test_without_prices_no_unit_price_and_no_amount_paid(self) -> None:
        lines = tuple(replace(ln, unit_price=None) for ln in demo_temu_order(1).lines)
        payload = rendered(1, lines=lines, shipping_amount=None)
        assert [("unit_price" in item) for item in payload["items"]] == [False, False]
        assert "amount_paid" not in payload and "shipping_paid" not in payload

    def test_one_unpriced_line_leaves_amount_paid_out_rather_than_wrong(self) -> None:
        first, second = demo_temu_order(1).lines
        payload = rendered(1, lines=(first, replace(second, unit_price=None)))
        assert "amount_paid" not in payload and payload["items"][0]["unit_price"] == 8.99

    def test_prices_in_two_currencies_give_no_total(self) -> None:
        first, second = demo_temu_order(1).lines
        euro = replace(second, unit_price=Money(Decimal("3.50"), "EUR"))
        assert "amount_paid" not in rendered(1, lines=(first, euro))

    def test_a_partly_shipped_order_carries_only_the_lines_left_to_ship(self) -> None:
        first, second = demo_temu_order(1).lines
        payload = rendered(1, status=41, lines=(replace(first, status=4), second))
        assert [i["external_order_item_id"] for i in payload["items"]] == [second.order_sn]
        assert (
            f"Already shipped by Temu, not listed here: {first.order_sn}"
            in (payload["internal_notes"])
        )

    def test_cancelled_lines_are_not_sent_nor_paid(self) -> None:
        first, second = demo_temu_order(1).lines
        payload = rendered(1, lines=(first, replace(second, status=3, quantity=0)))
        assert [i["external_order_item_id"] for i in payload["items"]] == [first.order_sn]
        assert payload["amount_paid"]["amount"] == 10.99  # 8.99 + shipping 2.00


class TestDatesNotesAndCustomFields:
    def test_ship_by_is_iso_utc(self) -> None:
        assert rendered(1)["ship_by_date"] == "2025-03-05T17:16:02Z"
        assert "ship_by_date" not in rendered(1, ship_by=None)

    def test_deliver_by_pudo_and_region_fill_the_custom_fields_as_v1_does(self) -> None:
        pudo = Pudo(3, drop_point="LOCKER-7", warnings=("check ID",))
        payload = rendered(3, pudo=pudo)
        v1 = render_order(demo_order("shop-1", demo_temu_order(3, pudo=pudo)), None)
        assert payload["advanced_options"] == {
            "custom_field1": "deliver_by=2025-03-10T10:18:02-07:00",
            "custom_field2": "pudo=customer pickup; drop point LOCKER-7; check ID",
            "custom_field3": "temu_region=211",
        }
        assert payload["advanced_options"]["custom_field1"] == v1["advancedOptions"]["customField1"]
        assert payload["internal_notes"] == v1["internalNotes"]
        assert "LOCKER-7" in payload["internal_notes"]

    def test_a_custom_field_longer_than_100_is_clipped(self) -> None:
        pudo = Pudo(2, drop_point="D" * 150)
        field = rendered(1, pudo=pudo)["advanced_options"]["custom_field2"]
        assert len(field) == 100 and field.endswith("…")

    def test_without_deliver_by_pudo_or_region_no_custom_fields_nor_notes(self) -> None:
        payload = rendered(1, deliver_by=None, pudo=None, region_id=None)
        assert payload["advanced_options"] == {} and "internal_notes" not in payload


class TestDeterminism:
    def test_rendering_twice_gives_the_same_digest(self) -> None:
        assert payload_digest(rendered(5)) == payload_digest(rendered(5))
        assert json.dumps(rendered(5)) == json.dumps(rendered(5))

    def test_a_change_of_what_is_sent_changes_the_digest(self) -> None:
        assert payload_digest(rendered(5)) != payload_digest(rendered(5, warehouse="se-6"))
        assert payload_digest(rendered(5)) != payload_digest(rendered(5, region_id=212))


class TestIds:
    @pytest.mark.parametrize(
        ("v2", "stored"),
        [("se-123", "123"), ("se-0", "0"), ("se-abc", "se-abc"), ("se-12-ab", "se-12-ab"),
         ("456", "456")],
    )  # fmt: skip
    def test_from_v2_id_keeps_v1_numbers_and_other_ids_whole(self, v2: str, stored: str) -> None:
        assert from_v2_id(v2) == stored

    @pytest.mark.parametrize(
        ("stored", "v2"), [("123", "se-123"), (123, "se-123"), ("se-abc", "se-abc")]
    )
    def test_to_v2_id_is_the_inverse(self, stored: Any, v2: str) -> None:
        assert to_v2_id(stored) == v2
        assert to_v2_id(from_v2_id(v2)) == v2

    @pytest.mark.parametrize(
        "bad", ["", "se-", "abc", "se_12", "12.5", "se-" + "1" * 70, True, None]
    )
    def test_anything_else_is_refused(self, bad: Any) -> None:
        with pytest.raises(InvalidPayload):
            to_v2_id(bad)
        if isinstance(bad, str):
            with pytest.raises(InvalidPayload):
                from_v2_id(bad)
