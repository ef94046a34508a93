"""ShipStation V2 adapter pieces: the HTTP sender, paging, errors, the shipment payload, the
readers, and ShipStationV2Api (one method per call) on top of them."""

from adapters.shipstation.v2.api import DEFAULT_BASE_URL, RESTORE_PATH, ShipStationV2Api
from adapters.shipstation.v2.batch import BatchAnswer, ItemResult
from adapters.shipstation.v2.errors import (
    NotFound,
    OutcomeUnknown,
    V2AuthenticationFailed,
    V2BusinessError,
    V2ConfigError,
    V2RateLimited,
    V2TransientError,
)
from adapters.shipstation.v2.ids import from_v2_id, to_v2_id
from adapters.shipstation.v2.reading import V2Carrier, V2Label, V2Shipment, Warehouse, Webhook
from adapters.shipstation.v2.wire import render_shipment

__all__ = [
    "DEFAULT_BASE_URL",
    "RESTORE_PATH",
    "BatchAnswer",
    "ItemResult",
    "NotFound",
    "OutcomeUnknown",
    "ShipStationV2Api",
    "V2AuthenticationFailed",
    "V2BusinessError",
    "V2Carrier",
    "V2ConfigError",
    "V2Label",
    "V2RateLimited",
    "V2Shipment",
    "V2TransientError",
    "Warehouse",
    "Webhook",
    "from_v2_id",
    "render_shipment",
    "to_v2_id",
]
