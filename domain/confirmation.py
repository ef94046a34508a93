"""The shipment confirmation outbox row: one per ShipStation shipment, sent to Temu once."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from domain.model import Label, LabelLine
from domain.money import Money


class ConfirmationStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    CONFIRMED = "confirmed"
    FAILED = "failed"
    VOIDED = "voided"


OPEN_CONFIRMATION_STATES = frozenset({ConfirmationStatus.PENDING, ConfirmationStatus.SENT})
VOIDED_AFTER_SENDING = "voided_after_sending"


@dataclass(slots=True)
class ShipmentConfirmation:
    shipment_id: str
    shop_id: str
    parent_order_sn: str
    tracking_number: str
    carrier_code: str
    lines: tuple[LabelLine, ...]
    created_at: datetime
    service_code: str | None = None
    extra_tracking: tuple[str, ...] = ()
    status: ConfirmationStatus = ConfirmationStatus.PENDING
    attempts: int = 0
    error_code: str | None = None
    last_error: str | None = None
    temu_carrier_id: int | None = None
    warehouse_id: str | None = None
    settled_at: datetime | None = None
    warnings: tuple[str, ...] = field(default=())
    shipment_cost: Money | None = None

    @classmethod
    def for_label(
        cls, shop_id: str, parent_order_sn: str, label: Label, lines: tuple[LabelLine, ...]
    ) -> ShipmentConfirmation:
        return cls(
            shipment_id=label.shipment_id,
            shop_id=shop_id,
            parent_order_sn=parent_order_sn,
            tracking_number=label.tracking_number,
            carrier_code=label.carrier_code,
            service_code=label.service_code,
            lines=lines,
            created_at=label.created_at,
            shipment_cost=label.shipment_cost,
        )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CONFIRMATION_STATES

    @property
    def voided_in_doubt(self) -> bool:
        """Its label was voided while its sending was in doubt (the run that sent it stopped
        before Temu's answer): never sent again; Temu's own record says whether it arrived."""
        return self.status is ConfirmationStatus.SENT and self.error_code == VOIDED_AFTER_SENDING

    def wait(self, reason: str, code: str | None = None) -> None:
        """Stay pending, with the reason a person can act on (unmapped carrier, rate limit...)."""
        self.error_code = code
        self.last_error = reason

    def record_attempt(self, carrier_id: int, warehouse_id: str) -> None:
        self.attempts += 1
        self.temu_carrier_id = carrier_id
        self.warehouse_id = warehouse_id
        self.status = ConfirmationStatus.SENT

    def settle_confirmed(self, at: datetime, warnings: tuple[str, ...] = ()) -> None:
        self.status = ConfirmationStatus.CONFIRMED
        self.settled_at = at
        self.error_code = None
        self.last_error = None
        self.warnings = warnings

    def settle_failed(self, at: datetime, code: str | None, message: str) -> None:
        self.status = ConfirmationStatus.FAILED
        self.settled_at = at
        self.error_code = code
        self.last_error = message

    def retry_later(self, code: str | None, message: str) -> None:
        self.status = ConfirmationStatus.PENDING
        self.error_code = code
        self.last_error = message

    def void(self, at: datetime) -> None:
        self.status = ConfirmationStatus.VOIDED
        self.settled_at = at

    def with_extra_tracking(self, tracking_number: str) -> ShipmentConfirmation:
        return replace(self, extra_tracking=(*self.extra_tracking, tracking_number))
