"""The labels of every store of a V2 account, for the label check of `temuship serve`: one walk
of `GET /v2/labels` newest change first (no store, no status filter), stopped at the first
label last changed before the time asked, gives the labels bought and those voided since, for
every shop of the account at once (shipstation-v2.md §5.1: labels have no modified-date filter,
so the walk's order is the filter).

A label carries no items: its lines come from its shipment, read once per label while this
reader lives (a label keeps the lines it was bought for; the walk overlaps the last one, and a
shipment read per label per walk would take the key's budget every minute)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

from adapters.shipstation.v2.api import ShipStationV2Api
from adapters.shipstation.v2.ids import from_v2_id
from adapters.shipstation.v2.labels import label_page
from adapters.shipstation.v2.reading import ReadPage, V2Label
from domain.errors import ExternalApiError
from domain.model import Label, LabelLine
from domain.ports import LabelPage, UnreadableRow

KEEP_LABELS = 5000  # labels whose lines are kept
OUR_KEYS = "temu-"  # every shop's order keys start so (domain.model.order_key)

Lines = tuple[tuple[LabelLine, ...], str | None]  # a label's lines and its store


class AccountLabelReader:
    """Labels of every store changed since a time; each names its order key and store."""

    def __init__(self, api: ShipStationV2Api) -> None:
        self.api = api
        self._known: OrderedDict[str, Lines] = OrderedDict()
        self.shipment_reads = 0

    def changed_since(self, since: datetime) -> Iterator[LabelPage]:
        pages = self.api.labels(sort_by="modified_at", sort_dir="desc")
        for page in pages:
            recent = tuple(row for row in page.rows if changed(row) >= since)
            yield self._page(ReadPage(recent, page.failures, page.number, page.has_more))
            if any(changed(row) < since for row in page.rows):
                return

    def _page(self, page: ReadPage[V2Label]) -> LabelPage:
        return label_page(page, self._label)

    def _label(self, row: V2Label) -> Label | UnreadableRow | None:
        """The label with its lines and store; None when it is no shop's (another system's
        order key, or no item naming a Temu line on a shipment temuship did not make)."""
        key, label_id = row.label.order_key, row.label.shipment_id
        if key is not None and not key.startswith(OUR_KEYS):
            return None
        known = self._known.get(label_id)
        if known is None:
            if row.shipment_id is None:
                return UnreadableRow(label_id, "the label names no shipment")
            try:
                shipment = self.api.get_shipment(row.shipment_id)
            except ExternalApiError as error:
                return UnreadableRow(label_id, f"its shipment was not read: {error}")
            self.shipment_reads += 1
            known = shipment.label_lines()[0], from_v2_id(shipment.store_id or "") or None
            self._keep(label_id, known)
        lines, store = known
        if not lines:
            if key is None:
                return None
            return UnreadableRow(label_id, f"shipment {row.shipment_id}: no item names a Temu line")
        return replace(row.with_lines(lines), store_id=store)

    def _keep(self, label_id: str, known: Lines) -> None:
        self._known[label_id] = known
        while len(self._known) > KEEP_LABELS:
            self._known.popitem(last=False)


def changed(row: V2Label) -> datetime:
    """When a label last changed: the latest of its stamps (not every answer gives each)."""
    stamps = (row.modified_at, row.voided_at, row.label.created_at)
    return max(stamp for stamp in stamps if stamp is not None)
