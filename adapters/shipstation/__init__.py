"""ShipStation V1 adapter: pushes Temu orders with createorders and reads labels back."""

from adapters.shipstation.client import ShipStationClient
from adapters.shipstation.mapping import render_order
from adapters.shipstation.pacing import RateState, RetryPolicy

__all__ = ["RateState", "RetryPolicy", "ShipStationClient", "render_order"]
