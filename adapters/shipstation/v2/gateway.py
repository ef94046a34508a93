"""ShipStationV2Gateway: the domain's ShipStationGateway over ShipStation API V2, for one shop.

V2 has no upsert. An order ShipStation has no id for is created (at most 100 a call) and its
id kept; a refusal of a second `external_shipment_id` (a crash between create and commit, a
shop moved from V1) is answered by looking the shipment up by that id and linking it, so a
second shipment is never made. A known shipment is sent whole with `PUT` only when its
content changed, and only while it is pending. Statuses go through their own endpoints:
Temu 1 -> hold (until a date, held again before it ends), 2/41/51 -> pending (restored from a
hold), 3 -> cancel, 4/5 when Temu shipped it -> a fulfillment with Temu's tracking number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from adapters.shipstation.v2.account_labels import AccountLabelReader
from adapters.shipstation.v2.api import ShipStationV2Api
from adapters.shipstation.v2.batch import ItemResult
from adapters.shipstation.v2.errors import NotFound, V2BusinessError
from adapters.shipstation.v2.ids import from_v2_id
from adapters.shipstation.v2.labels import LabelReader
from adapters.shipstation.v2.reading import V2Shipment
from adapters.shipstation.v2.wire import render_shipment
from domain.carriers import shipstation_code_for
from domain.errors import ExternalApiError
from domain.model import OrderState
from domain.order import Order
from domain.ports import (
    LabelPage,
    OutgoingOrder,
    PushResult,
    ShipFrom,
    ShipStationCarrier,
    Store,
)
from domain.shop import ShipStationApi, ShipStationCredentials

HOLD_DAYS = 30  # a Temu-1 order is held this long, and held again before the hold ends
STATUS_OF = {
    OrderState.ON_HOLD: "on_hold",
    OrderState.AWAITING_SHIPMENT: "pending",
    OrderState.AWAITING_PAYMENT: "pending",
    OrderState.SHIPPED: "shipped",
    OrderState.CANCELLED: "cancelled",
}
STATE_OF = {"pending": OrderState.AWAITING_SHIPMENT, "on_hold": OrderState.ON_HOLD,
            "cancelled": OrderState.CANCELLED, "label_purchased": OrderState.SHIPPED,
            "awaiting_payment": OrderState.AWAITING_PAYMENT}  # fmt: skip
DUPLICATE_CODES = frozenset({"identifier_conflict", "field_conflict", "duplicate"})
SHIP_BY = "ship_by_date"
PROBES = 3  # creates sent alone in one push to find out whether ship_by_date is taken


class ShipStationV2Gateway:
    """ShipStation V2 for one shop's orders (see the module's docstring)."""

    speaks = ShipStationApi.V2

    def __init__(
        self,
        credentials: ShipStationCredentials,
        shop_id: str,
        api: ShipStationV2Api,
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
    ) -> None:
        self.shop_id, self.api, self.today = shop_id, api, today
        self.store_id, self.warehouse_id = credentials.store_id, credentials.warehouse_id
        self.ship_by_on_create: bool | None = None  # found out on the first create
        self.reader = LabelReader(api, shop_id, credentials.store_id)
        self.account_reader = AccountLabelReader(api)

    def __repr__(self) -> str:
        return f"ShipStationV2Gateway(shop={self.shop_id!r}, {self.api!r})"

    # --- orders --------------------------------------------------------------------------

    def render(self, order: Order) -> dict[str, Any]:
        """The shipment, the status it must have and (when Temu shipped it) Temu's tracking:
        everything whose change is worth a call."""
        shipment = render_shipment(order, warehouse_id=self.warehouse_id, store_id=self.store_id)
        payload: dict[str, Any] = {"shipment": shipment, "status": STATUS_OF[order.state]}
        tracking = order.snapshot.tracking if order.snapshot else ()
        if order.state is OrderState.SHIPPED and tracking:
            payload["tracking"] = {"number": tracking[0].number, "carrier": tracking[0].carrier}
        return payload

    def push(self, orders: Sequence[OutgoingOrder]) -> list[PushResult]:
        created = self._create([o for o in orders if not o.remote_id])
        results = []
        for order in orders:
            try:
                results.append(self._settle(order, created.get(order.order_key)))
            except ExternalApiError as error:  # this order fails alone; the others go on
                results.append(PushResult(order.order_key, False, error=str(error)[:500]))
        return results

    def _create(self, orders: Sequence[OutgoingOrder]) -> dict[str, ItemResult]:
        """Create in batches. Whether the account takes ship_by_date on create is unconfirmed:
        until an answer says so, a shipment that carries one is first sent alone (at most
        PROBES a push). Created: it is taken. Refused naming ship_by_date: sent again without
        it (the ship-by put in the notes), and so from then on. Refused for another reason (a
        duplicate), or the answer lost: still unknown. A shipment of the batch refused for it
        after all is sent again without it."""
        found: dict[str, ItemResult] = {}
        rest = list(orders)
        for _ in range(PROBES):
            probe = self._probe_for(rest)
            if probe is None:
                break
            rest.remove(probe)
            found.update(self._probe(probe))
        found.update(self._send_creates(rest))
        refused = [o for o in rest if _names_ship_by(found.get(o.order_key))]
        if refused:
            self.ship_by_on_create = False
            found.update(self._send_creates(refused))
        return found

    def _probe_for(self, orders: Sequence[OutgoingOrder]) -> OutgoingOrder | None:
        if self.ship_by_on_create is not None:
            return None
        return next((o for o in orders if SHIP_BY in o.payload["shipment"]), None)

    def _probe(self, order: OutgoingOrder) -> dict[str, ItemResult]:
        answer = self._send_creates([order])
        result = answer.get(order.order_key)
        if _names_ship_by(result):
            self.ship_by_on_create = False
            return self._send_creates([order])
        if result is not None and result.ok:
            self.ship_by_on_create = True
        return answer

    def _send_creates(self, orders: Sequence[OutgoingOrder]) -> dict[str, ItemResult]:
        if not orders:
            return {}
        shipments = [self._for_create(dict(o.payload["shipment"])) for o in orders]
        return {r.ref: r for r in self.api.create_shipments(shipments).results}

    def _for_create(self, shipment: dict[str, Any]) -> dict[str, Any]:
        if self.ship_by_on_create is not False or SHIP_BY not in shipment:
            return shipment
        ship_by = shipment.pop(SHIP_BY)
        note = f"Temu ship-by {ship_by}"
        notes = shipment.get("internal_notes")
        shipment["internal_notes"] = f"{notes}\n{note}" if notes else note
        return shipment

    def _settle(self, order: OutgoingOrder, made: ItemResult | None) -> PushResult:
        """Bring one order to its content and status; `made`: the answer to its create."""
        remote, sent, fresh = order.remote_id, order.sent_state, False
        if made is not None:
            # Kept in V1's number space (se-123 -> 123), as every other id temuship stores.
            remote = from_v2_id(made.remote_id) if made.ok and made.remote_id else None
            if remote is None:
                linked = self._link(order, made)
                if isinstance(linked, PushResult):
                    return linked
                remote, sent = linked.remote_id, STATE_OF.get(linked.shipment_status)
            else:
                fresh, sent = True, OrderState.AWAITING_SHIPMENT
        assert remote is not None
        try:
            return self._to_status(order, remote, sent, fresh)
        except NotFound:  # gone from ShipStation (or an id from before a move): look it up
            again = self.api.find_shipment(order.order_key)
            if again is None:  # not there by its key either: made anew, once
                anew = _without_id(order)
                return self._settle(anew, self._create([anew])[order.order_key])
            state = STATE_OF.get(again.shipment_status)
            return self._to_status(order, again.remote_id, state, False, content_known=False)

    def _link(self, order: OutgoingOrder, made: ItemResult) -> V2Shipment | PushResult:
        """A create that was refused as a duplicate, or whose answer was lost: the shipment
        with our key, if ShipStation has it (never a second one)."""
        duplicate = made.error_code in DUPLICATE_CODES or any(
            "external_shipment_id" in e or "already exists" in e for e in made.errors
        )
        if not (duplicate or made.in_doubt):
            return PushResult(order.order_key, False, error="; ".join(made.errors) or "refused")
        found = self.api.find_shipment(order.order_key)
        if found is None:
            why = "; ".join(made.errors) or "ShipStation's answer to the create was lost"
            return PushResult(order.order_key, False, error=f"{why}; not found by its key")
        return found

    def _to_status(
        self,
        order: OutgoingOrder,
        remote: str,
        sent: OrderState | None,
        fresh: bool,
        content_known: bool = True,
    ) -> PushResult:
        target, at, until = order.state, None, None
        if target is OrderState.CANCELLED:
            if sent is not OrderState.CANCELLED:
                self._unless_already(remote, "cancelled", self.api.cancel_shipment)
        elif target is OrderState.ON_HOLD:
            if not fresh and self._changed(order, content_known):
                if sent is OrderState.ON_HOLD:  # a held shipment takes no PUT
                    self._unless_already(remote, "pending", self.api.restore_shipment)
                at = self._replace(order, remote)
            until = self.today() + timedelta(days=HOLD_DAYS)
            self.api.hold_shipment(remote, until)
        else:
            if sent is OrderState.ON_HOLD:
                self._unless_already(remote, "pending", self.api.restore_shipment)
            if not fresh and self._changed(order, content_known):
                at = self._replace(order, remote)
            if target is OrderState.SHIPPED:
                return self._fulfil(order, remote, at)
        at = at or self.api.http.answered_at  # ShipStation's clock, never ours
        return PushResult(order.order_key, True, remote, hold_until=until, at=at)

    def _unless_already(self, remote: str, status: str, call: Callable[[str], None]) -> None:
        """Cancel or restore; refused because the shipment is already so (a person cancelled
        or restored it in ShipStation, or its hold ended on its date), there is nothing to do.
        Any other refusal stands."""
        try:
            call(remote)
        except NotFound:
            raise
        except V2BusinessError as refused:
            try:
                now = self.api.get_shipment(remote).shipment_status
            except ExternalApiError:
                raise refused from None
            if now != status:
                raise

    @staticmethod
    def _changed(order: OutgoingOrder, content_known: bool) -> bool:
        """Whether the shipment differs from what ShipStation took (not known: it may)."""
        before = (order.sent_payload or {}).get("shipment")
        return not content_known or before != dict(order.payload["shipment"])

    def _replace(self, order: OutgoingOrder, remote: str) -> datetime | None:
        """PUT the whole shipment (the stricter reading: a field left out may be cleared)."""
        shipment = self._for_create(dict(order.payload["shipment"]))
        updated = self.api.update_shipment(remote, shipment)
        return updated.modified_at if updated is not None else None

    def _fulfil(self, order: OutgoingOrder, remote: str, at: datetime | None) -> PushResult:
        """Marked shipped with Temu's tracking (the plan sends no shipped order without one);
        a shipment ShipStation already shows as shipped is not fulfilled twice."""
        now = self.api.get_shipment(remote)
        if now.shipment_status not in ("pending", "on_hold"):
            return PushResult(order.order_key, True, remote, at=now.modified_at or at)
        tracking = order.tracking[0]
        fulfillment = {
            "shipment_id": now.shipment_id,
            "tracking_number": tracking.number,
            "carrier_code": shipstation_code_for(tracking.carrier),
            "ship_date": self.today().isoformat(),
            "notify_customer": False,
            "notify_order_source": False,
        }
        (result,) = self.api.create_fulfillments([fulfillment]).results
        if not result.ok:
            why = "; ".join(result.errors) or "ShipStation's answer was lost: check the order"
            return PushResult(order.order_key, False, remote, error=f"not marked shipped: {why}")
        return PushResult(order.order_key, True, remote, at=at or self.api.http.answered_at)

    # --- labels and the account -------------------------------------------------------------

    def labels_since(self, since: datetime) -> Iterator[LabelPage]:
        return self.reader.created_since(since)

    def voided_since(self, since: datetime) -> Iterator[LabelPage]:
        return self.reader.voided_since(since)

    def account_labels_since(self, since: datetime) -> Iterator[LabelPage]:
        """Every store's labels bought or voided since a time: one walk, newest change first."""
        return self.account_reader.changed_since(since)

    def account_voids_since(self, since: datetime) -> Iterator[LabelPage]:
        """None: `account_labels_since` lists labels by their last change, voids included."""
        return iter(())

    def stores(self) -> list[Store]:
        """V2 has no list of stores (shipstation-v2.md §7)."""
        return []

    def warehouses(self) -> list[ShipFrom]:
        return [ShipFrom(w.warehouse_id, w.name, w.is_default) for w in self.api.warehouses()]

    def carriers(self) -> list[ShipStationCarrier]:
        return [carrier.carrier for carrier in self.api.carriers()]

    def close(self) -> None:
        self.api.close()


def _names_ship_by(result: ItemResult | None) -> bool:
    return result is not None and not result.ok and any(SHIP_BY in e for e in result.errors)


def _without_id(order: OutgoingOrder) -> OutgoingOrder:
    """The order as if ShipStation never had it (it is not there any more)."""
    return replace(order, remote_id=None, sent_state=None, sent_payload=None)
