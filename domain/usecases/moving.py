"""A shop's ShipStation account changed, keeping everything: new credentials (a new key pair,
or V1 -> V2), the Temu side untouched, the cursors, orders, history, pending confirmations and
the store kept.

What ShipStation has of each order is known by the payload last sent; after a move to the
other API that payload is in the old wire. An order whose last payload was still what it would
be sent now is given the new wire's payload and digest, so nothing is sent again for the move
alone; ShipStation's ids carry over (V1 orderId N is V2 shipment se-N, V1 shipmentId M is
label se-M: the V2 gateway keeps ids in V1's number space), and a V2 gateway finds any other
order again by its key (external_shipment_id = orderKey) rather than creating it twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from domain.digest import payload_digest
from domain.errors import ExternalApiError, InvalidPayload
from domain.order import Order
from domain.ports import ShipStationGateway
from domain.ports.runtime import Services
from domain.shop import ShipStationApi, ShipStationCredentials, Shop

PAGE = 200


@dataclass(frozen=True)
class Moved:
    """What a change of ShipStation credentials did."""

    shop_id: str
    before: ShipStationApi
    after: ShipStationApi
    carried: int  # orders whose payload ShipStation has was re-said in the new wire
    left: int  # orders that will be sent (their payload differed already)


def new_shipstation_account(
    services: Services, shop: Shop, credentials: ShipStationCredentials
) -> Moved:
    """Give a connected shop new ShipStation credentials (checked by the caller) in one
    transaction with its orders' payloads re-said for the new API."""
    before = shop.shipstation
    if credentials.store_id is None:
        credentials = replace(credentials, store_id=before.store_id)
    moved = replace(shop, shipstation=credentials)
    old, new = services.shipstation_for(shop), services.shipstation_for(moved)
    carried = left = 0
    with services.uow() as uow:
        after: str | None = None
        while page := uow.orders.sent_orders(shop.shop_id, PAGE, after):
            changed = []
            for order in page:
                if _resaid(order, old, new):
                    changed.append(order)
                else:
                    left += 1
            carried += len(changed)
            uow.orders.save_many(changed)
            after = page[-1].parent_order_sn
        uow.shops.save(moved)
        uow.commit()
    return Moved(shop.shop_id, before.api, credentials.api, carried, left)


def _resaid(order: Order, old: ShipStationGateway, new: ShipStationGateway) -> bool:
    if not order.importable:
        return False
    try:
        current = payload_digest(old.render(order)) == order.pushed_digest
        payload = new.render(order)
    except (InvalidPayload, ExternalApiError):
        return False
    if not current:
        return False
    order.pushed_payload, order.pushed_digest = payload, payload_digest(payload)
    return True
