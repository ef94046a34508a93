"""`temuship sync --plan`: the sync use case itself, run on ports that send nothing.

Reads go to Temu and ShipStation as in a real sync; the two writes (ShipStation's
`createorders`, Temu's shipment confirmation) are recorded instead of sent and answered as
accepted; events are recorded; the store is the services' throwaway one (`plan_store`: a snapshot,
or a transaction rolled back at the end). What a plan lists is therefore exactly what the same sync
would have sent at that moment.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

from domain.errors import TemushipError
from domain.ports import (
    Inline,
    OutgoingOrder,
    PushResult,
    Services,
    ShipmentRequest,
    ShipStationGateway,
    TemuGateway,
    UnitOfWork,
)
from domain.shop import Shop
from domain.sync.outcome import RunStatus, SyncRequest, SyncSummary
from domain.sync.run import sync_shop


@dataclass
class Recorder:
    """What a dry run would have sent."""

    orders: list[OutgoingOrder] = field(default_factory=list)
    confirmations: list[ShipmentRequest] = field(default_factory=list)
    events: list[tuple[str, str]] = field(default_factory=list)

    def emit(self, event: str, shop_id: str, payload: dict[str, Any]) -> None:
        self.events.append((event, shop_id))


class _Delegate:
    def __init__(self, inner: Any, recorder: Recorder) -> None:
        self._inner, self._recorder = inner, recorder

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _ShipStationSendsNothing(_Delegate):
    def push(self, orders: Sequence[OutgoingOrder]) -> list[PushResult]:
        self._recorder.orders += list(orders)
        return [PushResult(o.order_key, True, o.remote_id) for o in orders]


class _TemuConfirmsNothing(_Delegate):
    def confirm_shipment(self, request: ShipmentRequest) -> tuple[str, ...]:
        self._recorder.confirmations.append(request)
        return ()


def sending_nothing(
    services: Services, throwaway_uow: Callable[[], UnitOfWork], recorder: Recorder
) -> Services:
    """The same ports, with both writes and every event recorded, on a throwaway store."""

    def temu_for(shop: Shop) -> TemuGateway:
        return cast(TemuGateway, _TemuConfirmsNothing(services.temu_for(shop), recorder))

    def shipstation_for(shop: Shop) -> ShipStationGateway:
        inner = services.shipstation_for(shop)
        return cast(ShipStationGateway, _ShipStationSendsNothing(inner, recorder))

    return replace(
        services,
        uow=throwaway_uow,
        temu_for=temu_for,
        shipstation_for=shipstation_for,
        events=recorder,
        background=Inline(),
    )


@dataclass
class PlanReport:
    shop_id: str
    summary: SyncSummary
    recorder: Recorder

    @property
    def blocked(self) -> str | None:
        if self.summary.status in (RunStatus.PAUSED, RunStatus.FAILED, RunStatus.SKIPPED):
            return self.summary.reason or self.summary.status.value
        return None

    @property
    def to_shipstation(self) -> list[tuple[str, str]]:
        """(parent order, the status ShipStation would be given) for every order sent."""
        return [(o.parent_order_sn, o.state.value) for o in self.recorder.orders]

    @property
    def new_to_shipstation(self) -> int:
        """How many of them ShipStation has no id for yet (V2 creates those; V1 upserts all)."""
        return sum(1 for o in self.recorder.orders if not o.remote_id)

    @property
    def to_temu(self) -> list[tuple[str, str, int]]:
        """(tracking number, parent order, lines) for every package of every confirmation."""
        return [
            (package.tracking_number, package.items[0].parent_order_sn, len(package.items))
            for request in self.recorder.confirmations
            for package in request.packages
            if package.items
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "shop": self.shop_id, "blocked": self.blocked, "counts": dict(self.summary.counts),
            "shipstation_orders": [{"order": sn, "status": st} for sn, st in self.to_shipstation],
            "temu_confirmations": [{"tracking": t, "order": sn, "lines": n}
                                   for t, sn, n in self.to_temu],
            "attention": [a.as_list() for a in self.summary.attention],
        }  # fmt: skip


def plan_shop(services: Services, request: SyncRequest) -> PlanReport:
    """Run the sync of one shop on ports that send nothing and a store whose writes vanish;
    report what it would have sent."""
    if services.plan_store is None:
        raise TemushipError("these services have no throwaway store for a plan")
    recorder = Recorder()
    with services.plan_store() as throwaway_uow:
        summary = sync_shop(sending_nothing(services, throwaway_uow, recorder), request)
    return PlanReport(request.shop_id, summary, recorder)
