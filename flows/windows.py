"""Time windows for the Temu update-time cursor and the ShipStation shipment cursor."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.ports import TimeWindow

OVERLAP = timedelta(minutes=10)
MAX_WINDOW = timedelta(days=1)


def temu_windows(
    cursor: datetime | None,
    now: datetime,
    backfill: timedelta,
    since: datetime | None = None,
    overlap: timedelta = OVERLAP,
) -> list[TimeWindow]:
    """Update-time windows from the cursor (minus an overlap) to now, at most a day each."""
    start = since or (cursor - overlap if cursor else now - backfill)
    windows = []
    while start < now:
        end = min(start + MAX_WINDOW, now)
        windows.append(TimeWindow(start, end))
        start = end
    return windows


def shipment_start(
    cursor: datetime | None,
    now: datetime,
    backfill: timedelta,
    since: datetime | None = None,
    overlap: timedelta = OVERLAP,
) -> datetime:
    return since or (cursor - overlap if cursor else now - backfill)
