"""Where shipstation-v2.md leaves the V2 API's behaviour open, which reading the sandbox takes.

Each switch is on (the stricter reading) by default; off gives the lenient reading, so a client
can be tested under both. The package docstring (`v2/__init__.py`) lists every choice.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass
class Readings:
    # A create or fulfillment batch whose every item fails answers 400 with one error per item
    # (off: 200, has_errors, a string per item, as when only some fail).
    whole_batch_400: bool = True
    # ship_to.phone (and ship_from.phone) must be given on create and update (off: optional).
    phone_required: bool = True
    # ship_by_date, hold_until_date and tags are refused on create (off: stored as sent).
    refuse_unconfirmed_create_fields: bool = True
    # store_id must come as a string, "N" or "se-N" (off: a JSON number is read as N too).
    store_id_as_string: bool = True
    # PUT /v2/shipments/{id} replaces the whole shipment: ship_to and warehouse_id/ship_from
    # required, fields left out cleared (off: what is sent is merged over what is stored).
    put_replaces_whole: bool = True
    # PUT /v2/shipments/{id} only while pending (off: also on hold).
    update_only_pending: bool = True

    def set(self, **switches: bool) -> None:
        known = {f.name for f in fields(self)}
        unknown = set(switches) - known
        if unknown:
            raise ValueError(f"unknown reading(s) {sorted(unknown)}; known: {sorted(known)}")
        for name, value in switches.items():
            setattr(self, name, bool(value))

    def snapshot(self) -> dict[str, bool]:
        return asdict(self)
