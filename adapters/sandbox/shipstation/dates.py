"""The simulated ShipStation's own date handling (kept apart from the client's on purpose)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

PACIFIC = ZoneInfo("America/Los_Angeles")
_TEXT = re.compile(r"^([0-9T:\- ]+?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$")


def pacific_text(moment: datetime) -> str:
    """How V1 writes a datetime: Pacific wall time, no offset, 7 fractional digits."""
    local = moment.astimezone(PACIFIC)
    return f"{local:%Y-%m-%dT%H:%M:%S}.{local.microsecond:06d}0"


def parse(text: str) -> datetime:
    """A request datetime: naive means Pacific; `Z` or an offset is honoured. Aware UTC out."""
    match = _TEXT.match(str(text).strip())
    if not match:
        raise ValueError(text)
    base = datetime.fromisoformat(match[1].strip().replace(" ", "T"))
    base = base.replace(microsecond=int((match[2] or "0")[:6].ljust(6, "0")))
    if match[3]:
        offset = "+00:00" if match[3] == "Z" else match[3]
        return datetime.fromisoformat(base.isoformat() + offset).astimezone(UTC)
    return base.replace(tzinfo=PACIFIC).astimezone(UTC)


def normalised(text: str) -> str:
    return pacific_text(parse(text))
