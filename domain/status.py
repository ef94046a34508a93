"""The seed's status rules, as data: Temu parent status code -> ShipStation status."""

from __future__ import annotations

from dataclasses import dataclass

from domain.model import LOCKED_STATES, OrderState


@dataclass(frozen=True, slots=True)
class StatusRule:
    code: int
    temu_name: str
    target: OrderState


STATUS_RULES: tuple[StatusRule, ...] = (
    StatusRule(1, "PENDING", OrderState.ON_HOLD),
    StatusRule(2, "UN_SHIPPING (awaiting shipment)", OrderState.AWAITING_SHIPMENT),
    StatusRule(41, "PARTIALLY SHIPPED", OrderState.AWAITING_SHIPMENT),
    StatusRule(6, "PARTIALLY SHIPPED (ShipStation's code)", OrderState.AWAITING_SHIPMENT),
    StatusRule(51, "PARTIALLY DELIVERED", OrderState.AWAITING_SHIPMENT),
    StatusRule(7, "PARTIALLY DELIVERED (ShipStation's code)", OrderState.AWAITING_SHIPMENT),
    StatusRule(3, "CANCELED", OrderState.CANCELLED),
    StatusRule(4, "SHIPPED", OrderState.SHIPPED),
    StatusRule(5, "DELIVERED (RECEIPTED)", OrderState.SHIPPED),
)

NO_TEMU_STATUS = frozenset({OrderState.AWAITING_PAYMENT})
"""ShipStation statuses no Temu status maps to (N/A in the seed)."""

OPEN_TARGETS = frozenset(rule.target for rule in STATUS_RULES) - LOCKED_STATES
"""What a Temu code may ask for that is not locked: such an order is imported with its ship-to."""

_BY_CODE = {rule.code: rule for rule in STATUS_RULES}


def rule_for(code: int) -> StatusRule | None:
    """The rule for a Temu code, or None: an unknown code is held and reported, never guessed."""
    return _BY_CODE.get(code)


def target_state(code: int) -> OrderState | None:
    rule = rule_for(code)
    return rule.target if rule else None


def codes_for(targets: frozenset[OrderState | None]) -> tuple[int, ...]:
    """The Temu codes whose rule leads to one of `targets`, in the table's order."""
    return tuple(rule.code for rule in STATUS_RULES if rule.target in targets)


def describe(code: int | None) -> str:
    if code is None:
        return "-"
    rule = rule_for(code)
    return f"{code} {rule.temu_name}" if rule else f"{code} (unknown Temu status)"
