"""The Temu access token's lifecycle, as a state machine defined once as data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from transitions import Machine

from domain import machine_kit
from domain.history import EventContext, HistoryEntry
from domain.machine_kit import MachineView

DEFAULT_LIFETIME = timedelta(days=90)
DEFAULT_WARNING_DAYS: tuple[int, ...] = (14, 7, 3, 1)


class TokenState(StrEnum):
    ACTIVE = "active"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    REAUTHORIZING = "reauthorizing"
    REVOKED = "revoked"
    MISSING_PERMISSION = "missing_permission"


T = TokenState
USABLE = frozenset({T.ACTIVE, T.EXPIRING})
BROKEN = [T.ACTIVE, T.EXPIRING, T.EXPIRED, T.REVOKED, T.MISSING_PERMISSION]

# fmt: off
TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "clock_checked", "source": [T.ACTIVE, T.EXPIRING], "dest": T.EXPIRED,
     "conditions": "past_expiry"},
    {"trigger": "clock_checked", "source": T.ACTIVE, "dest": T.EXPIRING,
     "conditions": "inside_warning_window"},
    {"trigger": "clock_checked", "source": [T.ACTIVE, T.EXPIRING], "dest": None},
    {"trigger": "api_said_expired", "source": [T.ACTIVE, T.EXPIRING, T.EXPIRED], "dest": T.EXPIRED},
    {"trigger": "api_said_revoked", "source": [T.ACTIVE, T.EXPIRING, T.EXPIRED], "dest": T.REVOKED},
    {"trigger": "api_said_permission_missing", "source": [T.ACTIVE, T.EXPIRING],
     "dest": T.MISSING_PERMISSION},
    {"trigger": "reauthorization_started", "source": BROKEN, "dest": T.REAUTHORIZING},
    {"trigger": "new_token_validated", "source": [*BROKEN, T.REAUTHORIZING], "dest": T.ACTIVE},
    {"trigger": "new_token_rejected", "source": [*BROKEN, T.REAUTHORIZING], "dest": None},
]
# fmt: on

MACHINE = Machine(
    model=None,
    states=TokenState,
    transitions=TRANSITIONS,
    initial=T.ACTIVE,
    auto_transitions=False,
    send_event=True,
)


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What Temu says of a token (bg.open.accesstoken.info.get)."""

    mall_id: int | None
    region_id: int | None
    expires_at: datetime | None
    scopes: frozenset[str]


@dataclass(eq=False)
class Token:
    shop_id: str
    authorized_at: datetime
    expires_at: datetime
    expiry_known: bool
    scopes: frozenset[str] = frozenset()
    mall_id: int | None = None
    region_id: int | None = None
    state: TokenState = TokenState.ACTIVE
    reason: str | None = None
    warned_days: int | None = None
    warning_days: tuple[int, ...] = DEFAULT_WARNING_DAYS
    new_history: list[HistoryEntry] = field(default_factory=list)

    @classmethod
    def from_info(cls, shop_id: str, info: TokenInfo, authorized_at: datetime) -> Token:
        token = cls(shop_id, authorized_at, authorized_at, False)
        token._take(info, authorized_at)
        return token

    def _take(self, info: TokenInfo, authorized_at: datetime) -> None:
        self.authorized_at = authorized_at
        self.expiry_known = info.expires_at is not None
        self.expires_at = info.expires_at or authorized_at + DEFAULT_LIFETIME
        self.scopes, self.mall_id, self.region_id = info.scopes, info.mall_id, info.region_id
        self.reason, self.warned_days = None, None

    @property
    def usable(self) -> bool:
        return self.state in USABLE

    def days_left(self, now: datetime) -> float:
        return (self.expires_at - now).total_seconds() / 86400

    def warning_threshold(self, now: datetime) -> int | None:
        """The smallest warning threshold (in days) that the time left has reached, if any."""
        left = self.days_left(now)
        reached = [days for days in self.warning_days if left <= days]
        return min(reached) if reached and left > 0 else None

    # --- events ---------------------------------------------------------------------------

    def check_clock(self, ctx: EventContext) -> HistoryEntry:
        return self._fire("clock_checked", ctx)

    def api_said(self, event: str, ctx: EventContext, reason: str) -> HistoryEntry:
        self.reason = reason
        return self._fire(event, ctx, note=reason)

    def start_reauthorization(self, ctx: EventContext) -> HistoryEntry:
        return self._fire("reauthorization_started", ctx)

    def accept_new_token(self, info: TokenInfo, ctx: EventContext) -> HistoryEntry:
        self._take(info, ctx.at)
        return self._fire("new_token_validated", ctx)

    def reject_new_token(self, ctx: EventContext, reason: str) -> HistoryEntry:
        return self._fire("new_token_rejected", ctx, note=reason)

    def _fire(self, event: str, ctx: EventContext, note: str | None = None) -> HistoryEntry:
        return machine_kit.fire_on(MACHINE, _View(self), event, ctx, note=note)


class _View(MachineView[Token]):
    def past_expiry(self, event: Any) -> bool:
        return bool(event.kwargs["at"] >= self.model.expires_at)

    def inside_warning_window(self, event: Any) -> bool:
        return self.model.warning_threshold(event.kwargs["at"]) is not None
