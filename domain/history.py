from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.model import Source


@dataclass(frozen=True, slots=True)
class EventContext:
    """Who observed an event, when, and in which flow run."""

    at: datetime
    source: Source
    run_id: str | None = None


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One accepted or refused event on an order: the audit trail."""

    at: datetime
    from_state: str
    to_state: str
    event: str
    source: str
    accepted: bool
    temu_code: int | None = None
    run_id: str | None = None
    reason: str | None = None
    conflict: bool = False
