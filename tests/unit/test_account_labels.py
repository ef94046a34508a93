"""The label check's split: one listing of every store of a ShipStation account, each label
given to the shop whose order key it carries (acme's, not acme-2's), else to its store's."""

from __future__ import annotations

from dataclasses import replace

from domain.model import Label, order_key
from domain.sync.account_labels import split_labels
from tests.builders import label, temu_order


def keyed(shop_id: str | None, store: str | None = "1") -> Label:
    order = temu_order()
    key = order_key(shop_id, order.parent_order_sn) if shop_id else None
    return replace(label(order), order_key=key, store_id=store)


class TestSplit:
    def test_each_label_goes_to_the_shop_whose_order_key_it_carries(self):
        a, a2, b = keyed("acme"), keyed("acme-2"), keyed("bolt")
        split = split_labels([a, a2, b], {"acme": "1", "acme-2": "1", "bolt": "1"})
        assert split == {"acme": [a], "acme-2": [a2], "bolt": [b]}

    def test_a_shop_whose_name_starts_another_takes_only_its_own(self):
        a2 = keyed("acme-2")
        assert split_labels([a2], {"acme": "1", "acme-2": "2"}) == {"acme": [], "acme-2": [a2]}

    def test_a_label_keyed_to_no_shop_goes_to_the_shops_of_its_store(self):
        by_hand, other_store = keyed(None, store="2"), keyed(None, store="9")
        split = split_labels([by_hand, other_store], {"acme": "1", "bolt": "2"})
        assert split == {"acme": [], "bolt": [by_hand]}

    def test_a_shop_with_no_store_takes_every_label_keyed_to_no_shop(self):
        unkeyed, foreign = keyed(None, store="5"), replace(keyed(None), order_key="ebay-1")
        split = split_labels([unkeyed, foreign], {"acme": None, "bolt": "2"})
        assert split == {"acme": [unkeyed, foreign], "bolt": []}

    def test_another_shops_label_is_not_given_by_its_store(self):
        theirs = keyed("bolt", store="1")
        assert split_labels([theirs], {"acme": "1", "bolt": "2"}) == {"acme": [], "bolt": [theirs]}

    def test_a_label_of_a_shop_outside_the_account_goes_nowhere_else(self):
        stranger = keyed("zeta", store="7")
        assert split_labels([stranger], {"acme": "1"}) == {"acme": []}
