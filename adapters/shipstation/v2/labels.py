"""V2 labels as the domain's labels: a label carries no items, so its lines come from the
shipment it belongs to (one read per shipment, kept while the reader lives: every read takes a
slot of the key's budget). Only the shop's labels are given: those whose external_shipment_id
is one of the shop's order keys, or whose shipment is in the shop's store."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import datetime

from adapters.shipstation.reading import ReadFailure, unreadable
from adapters.shipstation.v2.api import ShipStationV2Api
from adapters.shipstation.v2.ids import from_v2_id
from adapters.shipstation.v2.reading import ReadPage, V2Label, V2Shipment
from domain.errors import ExternalApiError
from domain.model import Label, keyed_to
from domain.ports import LabelPage, UnreadableRow

KEEP_SHIPMENTS = 2000  # shipments kept (their items) during one walk


class LabelReader:
    """The shop's labels (and voids) since a time, each with the lines it ships."""

    def __init__(self, api: ShipStationV2Api, shop_id: str, store_id: int | None) -> None:
        self.api, self.store = api, str(store_id) if store_id is not None else None
        self.shop_id = shop_id
        self._shipments: OrderedDict[str, V2Shipment] = OrderedDict()
        self.shipment_reads = 0

    def created_since(self, since: datetime) -> Iterator[LabelPage]:
        self._shipments.clear()  # a shipment's items are read once per walk
        pages = self.api.labels(created_at_start=since, sort_by="created_at", sort_dir="asc")
        for page in pages:
            yield self._page(page)

    def voided_since(self, since: datetime) -> Iterator[LabelPage]:
        """Voids: labels have no modified-date filter, so voided ones are read newest change
        first until one last changed before `since` (a void is a change: every later one
        was voided before `since` too). A label voided before `since` but changed after it
        (its refund moved on) is passed over, not the end of the walk."""
        self._shipments.clear()
        pages = self.api.labels(label_status="voided", sort_by="modified_at", sort_dir="desc")
        for page in pages:
            recent = tuple(v for v in page.rows if (v.voided_at or since) >= since)
            yield self._page(ReadPage(recent, page.failures, page.number, page.has_more))
            changes = [_changed(v) for v in page.rows]
            if any(when is not None and when < since for when in changes):
                return

    def _page(self, page: ReadPage[V2Label]) -> LabelPage:
        return label_page(page, self._label)

    def _label(self, row: V2Label) -> Label | UnreadableRow | None:
        """The label with its lines; None when it is not the shop's."""
        key = row.label.order_key
        if key is not None and not self._ours(key):
            return None  # another shop's order, or one temuship did not make
        if row.shipment_id is None:
            return UnreadableRow(row.label.shipment_id, "the label names no shipment")
        try:
            shipment = self._shipment(row.shipment_id)
        except ExternalApiError as error:
            return UnreadableRow(row.label.shipment_id, f"its shipment was not read: {error}")
        store = from_v2_id(shipment.store_id or "")
        if key is None and (self.store is None or store != self.store):
            return None
        lines, unkeyed = shipment.label_lines()
        if not lines:
            why = f"shipment {shipment.shipment_id}: no item names a Temu line ({len(unkeyed)})"
            return UnreadableRow(row.label.shipment_id, why)
        return row.with_lines(lines)

    def _ours(self, key: str) -> bool:
        return keyed_to(key, self.shop_id)

    def _shipment(self, shipment_id: str) -> V2Shipment:
        found = self._shipments.get(shipment_id)
        if found is None:
            found = self.api.get_shipment(shipment_id)
            self.shipment_reads += 1
            self._shipments[shipment_id] = found
            while len(self._shipments) > KEEP_SHIPMENTS:
                self._shipments.popitem(last=False)
        return found


def _changed(label: V2Label) -> datetime | None:
    """When a voided label last changed: modified_at, else its void (not always given)."""
    return label.modified_at or label.voided_at


__all__ = ["LabelReader", "ReadFailure"]


def label_page(
    page: ReadPage[V2Label], label: Callable[[V2Label], Label | UnreadableRow | None]
) -> LabelPage:
    """A page of labels read: `label` of each row (None: not ours, left out), a row it cannot
    read failing alone beside the page's own failures."""
    labels: list[Label] = []
    failures = [unreadable(f) for f in page.failures]
    for row in page.rows:
        found = label(row)
        if isinstance(found, UnreadableRow):
            failures.append(found)
        elif found is not None:
            labels.append(found)
    return LabelPage(tuple(labels), page.number, page.has_more, tuple(failures))
