"""ShipStation ids as temuship stores them: opaque text in V1's number space.

V2 ids are `se-<digits>` for what V1 numbered N (V1 orderId N is V2 shipment_id se-N, V1
shipmentId M is label_id se-M), so temuship keeps the digits and a shop moved from V1 to V2
keeps matching. An id that is not `se-<digits>` is kept whole.
"""

from __future__ import annotations

import re

from domain.errors import InvalidPayload

PREFIX = "se-"
MAX_ID = 64  # what temuship stores of an id
_V2_ID = re.compile(r"^se(-[a-z0-9]+)+$", re.IGNORECASE)
_NUMBER = re.compile(r"^[0-9]+$")


def from_v2_id(v2_id: str) -> str:
    """`se-123` -> `123`; `se-abc` stays `se-abc`; digits stay digits. Anything else is not a
    ShipStation id (InvalidPayload)."""
    text = v2_id.strip() if isinstance(v2_id, str) else ""
    if len(text) > MAX_ID:
        raise InvalidPayload("ShipStation id", f"{text[:20]!r}… is longer than {MAX_ID}")
    if _NUMBER.match(text):
        return text
    if not _V2_ID.match(text):
        raise InvalidPayload("ShipStation id", f"{text[:40]!r} is not a V2 id (se-…)")
    rest = text[len(PREFIX) :]
    return rest if _NUMBER.match(rest) else text


def to_v2_id(remote_id: str | int) -> str:
    """The V2 id for a stored one: `123` -> `se-123`; a whole `se-…` id is returned as is."""
    if isinstance(remote_id, bool) or not isinstance(remote_id, int | str):
        raise InvalidPayload("ShipStation id", f"a {type(remote_id).__name__} is not an id")
    text = str(remote_id).strip()
    if _NUMBER.match(text) and len(text) <= MAX_ID - len(PREFIX):
        return PREFIX + text
    if _V2_ID.match(text) and len(text) <= MAX_ID:
        return text
    raise InvalidPayload("ShipStation id", f"{text[:40]!r} is neither digits nor a V2 id (se-…)")
