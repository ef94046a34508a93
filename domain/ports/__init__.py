"""The ports: what the use cases need from the world. Adapters implement them.

values (what crosses them), gateways (Temu, ShipStation), storage (unit of work and
repositories), runtime (clock, events, the Services bundle)."""

from __future__ import annotations

from domain.ports.gateways import (
    ShipStationGateway,
    TemuAuth,
    TemuGateway,
    TemuLogistics,
    TemuOrders,
)
from domain.ports.runtime import (
    Background,
    Clock,
    EventSink,
    Inline,
    NoEvents,
    Pending,
    Services,
    SystemClock,
)
from domain.ports.storage import (
    CarrierMappingRepository,
    CursorRepository,
    OrderRepository,
    ReportRepository,
    ShopRepository,
    TokenRepository,
    UnitOfWork,
)
from domain.ports.values import (
    ConfirmItem,
    ConfirmPackage,
    LabelPage,
    OrderPage,
    OrderReadFailure,
    OutgoingOrder,
    PushResult,
    ShipFrom,
    ShipmentRequest,
    ShipStationCarrier,
    ShopReport,
    Store,
    TemuCarrier,
    TemuShipment,
    TimeWindow,
    UnreadableRow,
    Warehouse,
)

__all__ = [
    "Background",
    "CarrierMappingRepository",
    "Clock",
    "ConfirmItem",
    "ConfirmPackage",
    "CursorRepository",
    "EventSink",
    "Inline",
    "LabelPage",
    "NoEvents",
    "OrderPage",
    "OrderReadFailure",
    "OrderRepository",
    "OutgoingOrder",
    "Pending",
    "PushResult",
    "ReportRepository",
    "Services",
    "ShipFrom",
    "ShipStationCarrier",
    "ShipStationGateway",
    "ShipStationOrderSummary",
    "ShipmentRequest",
    "ShopReport",
    "ShopRepository",
    "Store",
    "SystemClock",
    "TemuAuth",
    "TemuCarrier",
    "TemuGateway",
    "TemuLogistics",
    "TemuOrders",
    "TemuShipment",
    "TimeWindow",
    "TokenRepository",
    "UnitOfWork",
    "UnreadableRow",
    "Warehouse",
]
