"""ShipStation V1 speaks Pacific time without an offset; we keep aware UTC everywhere else."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

PACIFIC = ZoneInfo("America/Los_Angeles")
_ISO = re.compile(r"^(?P<base>[^.Zz+]+?)(?:\.(?P<frac>\d+))?(?P<tz>Z|z|[+-]\d\d:?\d\d)?$")


def _aware(moment: datetime) -> datetime:
    # A naive datetime inside temuship is UTC by convention; never guess local time.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def pacific_local(moment: datetime) -> datetime:
    """The naive Pacific wall-clock time of an instant."""
    return _aware(moment).astimezone(PACIFIC).replace(tzinfo=None)


def to_pacific(moment: datetime) -> str:
    """An instant as ShipStation writes it: Pacific, no offset, 7 fractional digits."""
    local = pacific_local(moment)
    return f"{local:%Y-%m-%dT%H:%M:%S}.{local.microsecond:06d}0"


def to_pacific_query(moment: datetime) -> str:
    """An instant for a list filter (`createDateStart`...), floored to the second."""
    return f"{pacific_local(moment):%Y-%m-%d %H:%M:%S}"


def from_pacific(text: str) -> datetime:
    """Parse a ShipStation datetime (naive Pacific, or with an offset) into aware UTC."""
    match = _ISO.match(text.strip().replace(" ", "T"))
    if not match:
        raise ValueError(f"not a ShipStation datetime: {text!r}")
    frac = (match["frac"] or "0")[:6].ljust(6, "0")
    local = datetime.fromisoformat(f"{match['base']}.{frac}")
    tz = match["tz"]
    if tz:
        offset = "+00:00" if tz in "Zz" else tz
        return datetime.fromisoformat(f"{local.isoformat()}{offset}").astimezone(UTC)
    # An ambiguous fall-back hour reads as its first occurrence (fold=0, PDT).
    return local.replace(tzinfo=PACIFIC).astimezone(UTC)


def parse_ship_date(text: str | None) -> date | None:
    """`shipDate` is a date ("2015-07-02"); tolerate a datetime string too."""
    return date.fromisoformat(text[:10]) if text else None
