import pytest

from domain.model import OrderState
from domain.order import Order
from domain.status import NO_TEMU_STATUS, STATUS_RULES, rule_for, target_state
from tests.builders import address, ctx, temu_order

SEED_TABLE = [
    (1, OrderState.ON_HOLD),
    (2, OrderState.AWAITING_SHIPMENT),
    (41, OrderState.AWAITING_SHIPMENT),
    (6, OrderState.AWAITING_SHIPMENT),
    (51, OrderState.AWAITING_SHIPMENT),
    (7, OrderState.AWAITING_SHIPMENT),
    (3, OrderState.CANCELLED),
    (4, OrderState.SHIPPED),
    (5, OrderState.SHIPPED),
]


class TestStatusTable:
    @pytest.mark.parametrize(("code", "expected"), SEED_TABLE)
    def test_every_seed_row_maps_to_its_shipstation_status(self, code, expected):
        assert target_state(code) is expected

    def test_the_table_holds_exactly_the_seed_rows(self):
        assert {(r.code, r.target) for r in STATUS_RULES} == set(SEED_TABLE)

    def test_no_temu_status_maps_to_awaiting_payment(self):
        assert OrderState.AWAITING_PAYMENT in NO_TEMU_STATUS
        assert all(r.target is not OrderState.AWAITING_PAYMENT for r in STATUS_RULES)

    @pytest.mark.parametrize("code", [0, 8, 42, 99, -1])
    def test_an_unknown_code_has_no_rule(self, code):
        assert rule_for(code) is None


class TestStatusRulesDriveTheOrder:
    @pytest.mark.parametrize(("code", "expected"), SEED_TABLE)
    def test_a_new_order_with_an_address_lands_in_the_mapped_state(self, code, expected):
        order = Order("shop", "PO-1")
        order.observe(temu_order("PO-1", code, ship_to=address()), ctx())
        assert order.state is expected

    @pytest.mark.parametrize("code", [8, 42, 99])
    def test_an_unknown_code_is_held_and_reported_not_guessed(self, code):
        order = Order("shop", "PO-1")
        order.observe(temu_order("PO-1", 2, ship_to=address()), ctx())
        entry = order.observe(temu_order("PO-1", code, ship_to=address()), ctx())
        assert order.state is OrderState.ON_HOLD
        assert order.held_reason and str(code) in order.held_reason
        assert entry is not None and entry.temu_code == code
        assert not order.importable
