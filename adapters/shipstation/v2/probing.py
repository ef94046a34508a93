"""`temuship check NAME --probe-write` on a V2 account: ONE test shipment, named
`temuship-probe-<random>` (external_shipment_id and shipment_number), through what the
reference leaves open, then cancelled whatever happened.

1. create it with ship_by_date (taken, or refused: then created without it);
2. read it back (shipment_number, store_id, items' external_order_item_id kept?);
3. the duplicate create (refused, and how; a second shipment made would be cancelled too);
4. PUT the whole shipment with other notes (taken, and is the change there?);
5. hold it, then restore it at RESTORE_PATH (the path is unconfirmed);
6. cancel every shipment it made (finally).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from adapters.shipstation.v2.answers import Answer, Calls, Finding
from adapters.shipstation.v2.api import RESTORE_PATH, ShipStationV2Api
from adapters.shipstation.v2.gateway import DUPLICATE_CODES, HOLD_DAYS, SHIP_BY
from domain.errors import ExternalApiError, TemushipError

PROBE_PREFIX = "temuship-probe-"
NOTES = "temuship self-check: a test shipment, cancelled at once"
UPDATED = f"{NOTES} (updated)"
BY_HAND = "cancel it by hand in ShipStation (search {name})"


@dataclass
class Probe:
    """One test shipment's life: the findings, and every shipment it made (each is cancelled
    at the end)."""

    api: ShipStationV2Api
    warehouse_id: str | None
    store_id: int | None
    today: date
    name: str = field(default_factory=lambda: PROBE_PREFIX + secrets.token_hex(4))
    findings: list[Finding] = field(default_factory=list)
    made: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.call = Calls(self.api)

    def shipment(self, notes: str, ship_by: bool = False) -> dict[str, Any]:
        """The whole test shipment, as temuship sends its orders (a test address)."""
        body: dict[str, Any] = {
            "external_shipment_id": self.name, "shipment_number": self.name,
            "create_sales_order": True, "shipment_status": "pending",
            "warehouse_id": self.warehouse_id, "internal_notes": notes,
            "ship_to": {"name": "temuship self-check (test, cancelled at once)",
                        "phone": "555-555-0100", "address_line1": "1 Test Street",
                        "city_locality": "Austin", "state_province": "TX",
                        "postal_code": "78701", "country_code": "US",
                        "address_residential_indicator": "unknown"},
            "items": [{"name": "temuship self-check item", "sku": "TEMUSHIP-PROBE",
                       "quantity": 1, "external_order_item_id": f"{self.name}-1"}],
        }  # fmt: skip
        if self.store_id is not None:
            body["store_id"] = str(self.store_id)
        if ship_by:
            body[SHIP_BY] = f"{self.today + timedelta(days=3)}T12:00:00Z"
        return {k: v for k, v in body.items() if v is not None}

    def create(self, ship_by: bool = False) -> Answer:
        return self.call(
            "POST", "/v2/shipments", body={"shipments": [self.shipment(NOTES, ship_by)]}
        )

    def status_of(self, shipment_id: str) -> str:
        answer = self.call("GET", f"/v2/shipments/{shipment_id}")
        body = answer.body if answer.success and isinstance(answer.body, dict) else {}
        return str(body.get("shipment_status") or f"unread ({answer.said()})")

    def note(self, ok: bool, item: str, detail: str) -> None:
        self.findings.append(Finding(ok, f"probe {item}", detail))


def probe_write(
    api: ShipStationV2Api,
    warehouse_id: str | None,
    store_id: int | None,
    today: date,
    name: str | None = None,
) -> list[Finding]:
    """Create one test shipment, try what the reference leaves open on it, cancel it (and any
    other the account made of it) whatever happened."""
    probe = Probe(api, warehouse_id, store_id, today)
    probe.name = name or probe.name
    probe.note(True, "shipment", f"{probe.name} (external_shipment_id and shipment_number); "
               "nothing else is written, and it is cancelled at the end")  # fmt: skip
    try:
        if _create(probe):
            _read_back(probe)
            _duplicate(probe)
            _update(probe)
            if _hold(probe):
                _restore(probe)
    except (ExternalApiError, TemushipError) as error:
        probe.note(False, "stopped", f"{error}")
    finally:
        cancel_all(probe)
    return probe.findings


def _made(answer: Answer) -> str | None:
    """The shipment a create answer says it made."""
    row = answer.first_row("shipments") if answer.success else {}
    made = row.get("shipment_id")
    return made if isinstance(made, str) and made and not row.get("errors") else None


def _create(probe: Probe) -> bool:
    first = probe.create(ship_by=True)
    made = _made(first)
    if made is not None:
        probe.made.append(made)
        probe.note(True, "ship_by_date on create", f"taken: {made} made with it; {first.said()}")
        return True
    named = any(SHIP_BY in e for e in first.errors())
    how = "refused, naming it (temuship then puts it in the notes)" if named else "refused"
    probe.note(True, "ship_by_date on create", f"{how}: {first.said()}")
    if _found(probe, first):
        probe.note(True, "create", f"{probe.made[0]} was made after all (found by its key)")
        return True
    second = probe.create()
    made = _made(second)
    if made is not None:
        probe.made.append(made)
    elif not _found(probe, second):
        probe.note(False, "create", f"refused: {second.said()}; nothing was made")
        return False
    probe.note(True, "create", f"{probe.made[0]} made without ship_by_date: {second.said()}")
    return True


def _found(probe: Probe, answer: Answer | None = None) -> bool:
    """After a create whose answer does not settle it (a 5xx, no row, no answer at all): is
    the test shipment there? (It joins `made`, to be cancelled.)"""
    if answer is not None and (400 <= answer.status < 500 or answer.errors()):
        return False
    looked = probe.call("GET", f"/v2/shipments/external_shipment_id/{probe.name}")
    body = looked.body if looked.success and isinstance(looked.body, dict) else {}
    made = body.get("shipment_id")
    if isinstance(made, str) and made and made not in probe.made:
        probe.made.append(made)
    return isinstance(made, str) and bool(made)


def _read_back(probe: Probe) -> None:
    answer = probe.call("GET", f"/v2/shipments/{probe.made[0]}")
    row = answer.json_or_fail()
    items = row.get("items") if isinstance(row.get("items"), list) else []
    keys = [i.get("external_order_item_id") for i in items if isinstance(i, dict)]
    kept = keys == [f"{probe.name}-1"]
    shown = row.get("shipment_number")
    number = shown == probe.name
    said = (f"shipment_number {'kept' if number else f'not kept: {shown!r}'}, items' "
            f"external_order_item_id {'kept' if kept else f'not kept: {keys!r}'}, store_id "
            f"{row.get('store_id')!r}, warehouse_id {row.get('warehouse_id')!r}")  # fmt: skip
    fix = "" if kept else " (temuship matches a label's lines by it)"
    probe.note(kept and number, "read back", said + fix)


def _duplicate(probe: Probe) -> None:
    again = probe.create()
    made = _made(again)
    if made is not None and made not in probe.made:
        probe.made.append(made)
        probe.note(False, "duplicate create", f"a second shipment {made} was made with the same "
                   f"external_shipment_id ({again.said()}): temuship relies on its refusal; "
                   "both are cancelled")  # fmt: skip
        return
    known = bool(again.error_codes & DUPLICATE_CODES) or any(
        "external_shipment_id" in e or "already exists" in e for e in again.errors()
    )
    tail = "" if known else "; temuship would not know it as a duplicate: report this answer"
    probe.note(known, "duplicate create", f"refused: {again.said()}{tail}")


def _update(probe: Probe) -> None:
    sid = probe.made[0]
    put = probe.call("PUT", f"/v2/shipments/{sid}", body=probe.shipment(UPDATED))
    if not put.success:
        probe.note(False, "update (PUT whole)", f"refused: {put.said()}")
        return
    now = probe.call("GET", f"/v2/shipments/{sid}")
    notes = now.body.get("internal_notes") if isinstance(now.body, dict) else None
    body = "repeats the shipment" if isinstance(put.body, dict) else "has no body"
    there = notes == UPDATED
    change = "the change is there" if there else f"the change is not there ({notes!r})"
    probe.note(there, "update (PUT whole)", f"{put.said()}, the answer {body}; {change}")


def _hold(probe: Probe) -> bool:
    sid, until = probe.made[0], probe.today + timedelta(days=HOLD_DAYS)
    held = probe.call("PUT", f"/v2/shipments/{sid}/hold", body={"hold_until_date": f"{until}"})
    status = probe.status_of(sid)
    ok = held.success and status == "on_hold"
    probe.note(ok, "hold", f"until {until}: {held.said()}; now {status}")
    return ok


def _restore(probe: Probe) -> None:
    path = RESTORE_PATH.format(shipment_id=probe.made[0])
    restored = probe.call("PUT", path)
    status = probe.status_of(probe.made[0])
    ok = restored.success and status == "pending"
    fix = "" if ok else "; temuship takes orders off hold there: report this answer"
    probe.note(ok, "restore", f"PUT {path}: {restored.said()}; now {status}{fix}")


def cancel_all(probe: Probe) -> None:
    """Cancel every shipment the probe made; one that will not be is said, with the fix."""
    try:
        if not probe.made and not _found(probe):  # a create whose answer never came
            probe.note(True, "cancel", "no test shipment was made: nothing to cancel")
    except (ExternalApiError, TemushipError) as error:
        probe.note(False, "cancel", f"whether {probe.name} was made is not known ({error}): "
                   "look for it in ShipStation")  # fmt: skip
    for sid in probe.made:
        by_hand = BY_HAND.format(name=probe.name)
        try:
            done = probe.call("PUT", f"/v2/shipments/{sid}/cancel")
            status = probe.status_of(sid)
        except (ExternalApiError, TemushipError) as error:
            probe.note(False, "cancel", f"{sid}: {error}; {by_hand}")
            continue
        ok = status == "cancelled"
        probe.note(
            ok, "cancel", f"{sid}: {done.said()}; now {status}" + ("" if ok else f"; {by_hand}")
        )
