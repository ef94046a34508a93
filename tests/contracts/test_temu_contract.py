"""TemuClient against the Temu sandbox, in process and served (see conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.sandbox.temu.model import SandboxOrder
from adapters.sandbox.temu.seed import WAREHOUSE
from adapters.sandbox.temu.state import CARRIERS, TemuSandbox
from adapters.temu import TemuClient
from domain.errors import BusinessError, ConfigError, PermissionMissing
from domain.model import Address, TemuOrder
from domain.money import Money
from domain.ports import ConfirmItem, ConfirmPackage, ShipmentRequest, TimeWindow

LIST = "bg.order.list.v2.get"
# temu.md §5, `result` of bg.order.shippinginfo.v2.get, as the doc lists it (not the sandbox's
# own list, so that the two are compared).
DOC_SHIPPING_INFO = {
    "receiptName", "receiptAdditionalName", "mobile", "backupMobile", "mail", "regionName1",
    "regionName2", "regionName3", "regionName4", "addressLine1", "addressLine2", "addressLine3",
    "addressLineAll", "postCode", "addressExtra", "taxCode", "taxCodeType", "warning",
}  # fmt: skip
DOC_ADDRESS_EXTRA = {
    "firstName", "lastName", "additionalFirstName", "additionalLastName", "contactlessDropPoint"
}  # fmt: skip


def read(client: TemuClient, window: TimeWindow | None, status: int | None = None) -> set[str]:
    return {o.parent_order_sn for p in client.iter_orders(window, status=status) for o in p.orders}


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def awaiting(temu: TemuSandbox) -> SandboxOrder:
    """An order awaiting shipment, with its address and no pending buyer request."""
    return next(o for o in temu.orders.values() if o.status == 2 and o.address and not o.labels)


class TestListing:
    def test_orders_by_update_window_are_those_updated_in_it(self, temu, temu_client) -> None:
        times = sorted(o.updated_at for o in temu.orders.values())
        start, end = times[len(times) // 4], times[3 * len(times) // 4]
        expected = {sn for sn, o in temu.orders.items() if start <= o.updated_at <= end}
        assert read(temu_client, TimeWindow(at(start), at(end))) == expected
        assert 0 < len(expected) < len(temu.orders)

    def test_orders_by_status(self, temu, temu_client) -> None:
        for status in (2, 4, 41):
            assert read(temu_client, None, status) == temu.order_sns({status})
        assert read(temu_client, None) == temu.order_sns()

    def test_a_creation_window_is_a_closed_pair(self, temu, temu_client) -> None:
        created = sorted(o.created_at for o in temu.orders.values())
        start, end = created[10], created[40]
        result = temu_client.call(
            LIST, {"pageSize": 100, "createAfter": start, "createBefore": end}
        )
        found = {item["parentOrderMap"]["parentOrderSn"] for item in result["pageItems"]}
        expected = {sn for sn, o in temu.orders.items() if start <= o.created_at <= end}
        assert found == expected and result["totalItemNum"] == len(expected) >= 31
        times = [item["parentOrderMap"]["parentOrderTime"] for item in result["pageItems"]]
        assert times == sorted(times, reverse=True)  # sortby createTime is the default

    def test_the_region_filter(self, temu, temu_client) -> None:
        assert temu_client.call(LIST, {"pageSize": 1, "regionId": 211})["totalItemNum"] == 120
        assert temu_client.call(LIST, {"pageSize": 1, "regionId": 210})["totalItemNum"] == 0

    def test_the_newest_change_comes_first_when_sorted_by_update(self, temu, temu_client) -> None:
        result = temu_client.call(LIST, {"pageSize": 100, "sortby": "updateTime"})
        times = [item["parentOrderMap"]["updateTime"] for item in result["pageItems"]]
        assert times == sorted(times, reverse=True)


class TestRefusals:
    @pytest.mark.parametrize(
        ("sent", "missing"),
        [
            ({"updateAtStart": 1735603200}, "updateAtEnd"),
            ({"createBefore": 1735603200}, "createAfter"),
            ({"parentConfirmTimeStart": 1735603200}, "parentConfirmTimeEnd"),
        ],
    )
    def test_half_a_window_is_error_140020013(self, temu_client, sent, missing) -> None:
        with pytest.raises(BusinessError) as caught:
            temu_client.call(LIST, {"pageNumber": 1, "pageSize": 10, **sent})
        assert caught.value.code == 140020013 and missing in caught.value.message

    @pytest.mark.parametrize(
        "window",
        [
            {"updateAtStart": 1735603200000, "updateAtEnd": 1735689600000},
            {"createAfter": 1735603200, "createBefore": 1735689600000},
        ],
    )
    def test_milliseconds_are_error_140020014(self, temu_client, window) -> None:
        with pytest.raises(BusinessError) as caught:
            temu_client.call(LIST, {"pageNumber": 1, "pageSize": 10, **window})
        assert caught.value.code == 140020014
        assert "second level timestamp" in caught.value.message

    def test_a_confirm_window_must_end_after_it_starts(self, temu_client) -> None:
        window = {"parentConfirmTimeStart": 1735689600, "parentConfirmTimeEnd": 1735603200}
        with pytest.raises(BusinessError) as caught:
            temu_client.call(LIST, window)
        assert caught.value.code == 140020012

    def test_more_than_20_parent_order_sns_are_refused(self, temu, temu_client) -> None:
        sns = sorted(temu.order_sns())
        assert {o.parent_order_sn for o in temu_client.orders_by_sn(sns[:20]).orders} == set(
            sns[:20]
        )
        with pytest.raises(ConfigError) as caught:
            temu_client.call(LIST, {"pageSize": 100, "parentOrderSnList": sns[:21]})
        assert caught.value.code == 3000000
        with pytest.raises(ValueError):  # the client does not even send it
            temu_client.orders_by_sn(sns[:21])


class TestShipTo:
    def test_the_ship_to_is_read_with_every_documented_field(self, temu, temu_client) -> None:
        order = awaiting(temu)
        raw = temu_client.call(
            "bg.order.shippinginfo.v2.get", {"parentOrderSn": order.parent_order_sn}
        )
        assert set(raw) == DOC_SHIPPING_INFO
        assert raw["addressExtra"] is None or set(raw["addressExtra"]) == DOC_ADDRESS_EXTRA
        assert set(raw["warning"]) == {"isRestriction", "reason"}
        address = temu_client.address(order.parent_order_sn)
        assert isinstance(address, Address) and order.address is not None
        kept = order.address
        assert (address.name, address.street1) == (kept["receiptName"], kept["addressLine1"])
        assert (address.country, address.postal_code) == ("US", kept["postCode"])

    def test_line_3_and_the_district_reach_the_address(self, temu, temu_client) -> None:
        sn = awaiting(temu).parent_order_sn
        temu.set_address(sn, {"receiptName": "Kim Min-jun", "regionName1": "Korea",
                              "regionName2": "Seoul", "regionName4": "Gangnam-gu",
                              "addressLine1": "1 Teheran-ro", "addressLine2": "Floor 3",
                              "addressLine3": "Suite 301", "postCode": "06236"})  # fmt: skip
        raw = temu_client.call("bg.order.shippinginfo.v2.get", {"parentOrderSn": sn})
        assert raw["addressLineAll"] == "1 Teheran-ro Floor 3 Suite 301"
        address = temu_client.address(sn)
        assert address is not None
        assert (address.street3, address.city, address.country) == ("Suite 301", "Gangnam-gu", "KR")

    def test_no_address_before_temu_has_one(self, temu, temu_client) -> None:
        sn = awaiting(temu).parent_order_sn
        temu.set_address(sn, None)
        assert temu_client.ship_to([sn]) == {sn: None}


class TestAmounts:
    def test_refused_by_default_then_granted_by_the_admin_switch(
        self, temu, temu_client, temu_wire
    ) -> None:
        order = awaiting(temu)
        sn = order.parent_order_sn
        assert "bg.order.amount.query" not in temu_client.token_info().scopes
        with pytest.raises(PermissionMissing) as caught:
            temu_client.amounts(sn)
        assert caught.value.code == 3000032

        assert temu_wire.admin("POST", "/amounts-permission", json={"enabled": True}).is_success
        amounts = temu_client.amounts(sn)
        expected = {line.order_sn: Money.from_minor(line.unit_price, "USD") for line in order.lines}
        assert dict(amounts.unit_prices) == expected
        assert "bg.order.amount.query" in temu_client.token_info().scopes

        temu.set_amounts_permission(False)
        with pytest.raises(PermissionMissing):
            temu_client.amounts(sn)

    def test_a_token_made_after_the_grant_has_it_too(self, temu, make_temu_client) -> None:
        temu.set_amounts_permission(True)
        sn = awaiting(temu).parent_order_sn
        assert make_temu_client(temu.rotate_token()).amounts(sn).unit_prices


class TestConfirm:
    def test_a_confirmed_shipment_ships_the_order_and_reads_back(self, temu, temu_client) -> None:
        order = awaiting(temu)
        items = tuple(
            ConfirmItem(order.parent_order_sn, line.order_sn, line.quantity, line.goods_id,
                        line.sku_id)
            for line in order.lines
        )  # fmt: skip
        package = ConfirmPackage(CARRIERS[0][0], "9400111899223344556677", WAREHOUSE, items)

        temu_client.confirm_shipment(ShipmentRequest((package,)))

        (seen,) = [o for o in temu_client.orders_by_sn([order.parent_order_sn]).orders]
        assert isinstance(seen, TemuOrder) and seen.status == 4
        shipped = temu_client.shipments(order.parent_order_sn, order.lines[0].order_sn)
        assert [s.tracking_number for s in shipped] == ["9400111899223344556677"]
        # Sent again (a retry after a lost answer): Temu has our tracking, so it is done.
        assert temu_client.confirm_shipment(ShipmentRequest((package,)))

    def test_a_used_tracking_number_is_a_business_error(self, temu, temu_client) -> None:
        first, second = [o for o in temu.orders.values() if o.status == 2 and not o.labels][:2]

        def request(order: SandboxOrder) -> ShipmentRequest:
            items = tuple(
                ConfirmItem(order.parent_order_sn, line.order_sn, line.quantity)
                for line in order.lines
            )
            return ShipmentRequest((ConfirmPackage(CARRIERS[0][0], "TRACK1", WAREHOUSE, items),))

        temu_client.confirm_shipment(request(first))
        with pytest.raises(BusinessError) as caught:
            temu_client.confirm_shipment(request(second))
        assert caught.value.code == 120014004
