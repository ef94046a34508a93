"""Confirming shipments to the simulated Temu: packages, extra boxes, repeats, refusals."""

from __future__ import annotations

import pytest

from adapters.sandbox.temu.seed import WAREHOUSE
from adapters.sandbox.temu.state import CARRIERS
from domain.errors import BusinessError
from domain.ports import ConfirmItem, ConfirmPackage, ShipmentRequest

USPS = CARRIERS[0][0]


def open_order(sandbox, lines: int = 1):
    """A generated order awaiting shipment, with no pending buyer request, of `lines` lines."""
    sandbox.seed_orders(200, seed=21)
    return next(
        o
        for o in sandbox.orders.values()
        if o.status == 2 and not o.labels and len(o.lines) == lines
    )


def items(order, *indexes: int) -> tuple[ConfirmItem, ...]:
    chosen = [order.lines[i] for i in indexes] if indexes else order.lines
    return tuple(
        ConfirmItem(order.parent_order_sn, line.order_sn, line.quantity, line.goods_id, line.sku_id)
        for line in chosen
    )


def package(tracking: str, its: tuple[ConfirmItem, ...], extra=()) -> ConfirmPackage:
    return ConfirmPackage(USPS, tracking, WAREHOUSE, its, tuple(extra))


class TestConfirm:
    def test_one_package_ships_the_order(self, sandbox, client) -> None:
        order = open_order(sandbox, lines=2)
        before = order.updated_at
        sandbox.clock.advance(5)
        assert (
            client.confirm_shipment(ShipmentRequest((package("9400100000000001", items(order)),)))
            == ()
        )
        assert order.status == 4 and all(line.status == 4 for line in order.lines)
        assert order.shipped_at is not None and order.updated_at > before
        (line,) = order.lines[:1]
        shipped = client.shipments(order.parent_order_sn, line.order_sn)
        assert [s.tracking_number for s in shipped] == ["9400100000000001"]

    def test_one_package_holding_two_merged_orders_is_send_type_2(self, sandbox, client) -> None:
        sandbox.seed_orders(200, seed=21)
        first, second = [
            o for o in sandbox.orders.values() if o.status == 2 and not o.labels and o.address
        ][:2]
        merged = package("9400100000000077", items(first) + items(second))
        client.confirm_shipment(ShipmentRequest((merged,), merged=True))
        assert first.status == 4 and second.status == 4
        for order in (first, second):
            shipped = client.shipments(order.parent_order_sn, order.lines[0].order_sn)
            assert [s.tracking_number for s in shipped] == ["9400100000000077"]

    def test_several_packages_in_one_call(self, sandbox, client) -> None:
        order = open_order(sandbox, lines=2)
        request = ShipmentRequest(
            (
                package("1Z0000000000000001", items(order, 0)),
                package("1Z0000000000000002", items(order, 1)),
            )
        )
        client.confirm_shipment(request)
        assert order.status == 4
        second = client.shipments(order.parent_order_sn, order.lines[1].order_sn)
        assert [s.tracking_number for s in second] == ["1Z0000000000000002"]

    def test_extra_boxes_go_as_sub_send_requests(self, sandbox, client) -> None:
        order = open_order(sandbox)
        client.confirm_shipment(
            ShipmentRequest((package("MAIN0001", items(order), ["BOX0002", "BOX0003"]),))
        )
        shipped = client.shipments(order.parent_order_sn, order.lines[0].order_sn)
        assert {s.tracking_number for s in shipped} == {"MAIN0001", "BOX0002", "BOX0003"}

    def test_part_of_an_order_leaves_it_partially_shipped(self, sandbox, client) -> None:
        order = open_order(sandbox, lines=2)
        client.confirm_shipment(ShipmentRequest((package("PART0001", items(order, 0)),)))
        assert order.status == 41 and [line.status for line in order.lines] == [4, 2]

    def test_confirming_again_with_our_tracking_is_success(self, sandbox, client) -> None:
        order = open_order(sandbox)
        request = ShipmentRequest((package("AGAIN0001", items(order)),))
        client.confirm_shipment(request)
        assert client.confirm_shipment(request)  # 120012004, then read back: ours
        assert len(sandbox.shipments) == 1

    def test_already_shipped_with_another_tracking_is_refused(self, sandbox, client) -> None:
        order = open_order(sandbox)
        client.confirm_shipment(ShipmentRequest((package("FIRST0001", items(order)),)))
        with pytest.raises(BusinessError) as caught:
            client.confirm_shipment(ShipmentRequest((package("OTHER0001", items(order)),)))
        assert caught.value.code == 120012004

    @pytest.mark.parametrize(("tracking", "code"), [("BAD-TRACK", 120014020), ("", 120014001)])
    def test_bad_tracking_numbers_are_business_errors(
        self, sandbox, client, tracking, code
    ) -> None:
        order = open_order(sandbox)
        with pytest.raises(BusinessError) as caught:
            client.confirm_shipment(ShipmentRequest((package(tracking, items(order)),)))
        assert caught.value.code == code and order.status == 2

    def test_a_pending_cancellation_blocks_the_confirm(self, sandbox, client) -> None:
        order = open_order(sandbox)
        sandbox.set_label(order.parent_order_sn, "pending_buyer_cancellation")
        with pytest.raises(BusinessError) as caught:
            client.confirm_shipment(ShipmentRequest((package("CANCEL001", items(order)),)))
        assert caught.value.code == 120012030

    def test_a_used_tracking_number_is_refused(self, sandbox, client) -> None:
        first, second = [o for o in _open_orders(sandbox)][:2]
        client.confirm_shipment(ShipmentRequest((package("USED00001", items(first)),)))
        with pytest.raises(BusinessError) as caught:
            client.confirm_shipment(ShipmentRequest((package("USED00001", items(second)),)))
        assert caught.value.code == 120014004


def _open_orders(sandbox):
    sandbox.seed_orders(100, seed=4)
    return [o for o in sandbox.orders.values() if o.status == 2 and not o.labels]


class TestMergedParents:
    def test_one_package_of_two_parent_orders_goes_as_send_type_2(self, sandbox, client) -> None:
        first, second = _open_orders(sandbox)[:2]
        both = items(first) + items(second)
        client.confirm_shipment(ShipmentRequest((package("MERGED001", both),), merged=True))
        assert first.status == second.status == 4
        shipped = client.shipments(second.parent_order_sn, second.lines[0].order_sn)
        assert [s.tracking_number for s in shipped] == ["MERGED001"]
