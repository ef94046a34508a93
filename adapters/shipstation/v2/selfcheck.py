"""The live self-check of a ShipStation V2 account: what the account answers on each point
shipstation-v2.md marks "(unconfirmed)", for the first seller with a real account to see.

`read_checks` only reads: the key, warehouses, carriers, the paging shape (`links.next`), the
page-size limit (one page of 101 asked for), X-Rate-Limit-* headers, id formats, the store id
in answers, the voids query temuship relies on, the webhook list's shape. `probe_write` makes
ONE test shipment (`external_shipment_id` = `shipment_number` = `temuship-probe-<random>`),
tries ship_by_date on create, the duplicate create, the whole PUT, hold and restore, and
cancels it whatever happened (finally). Each call is sent once, paced by the key's budget,
and reported as answered: HTTP status, error code, request_id.
"""

from __future__ import annotations

from collections.abc import Callable

from adapters.shipstation.v2.answers import Calls, Finding, id_kinds, shape_of_next
from adapters.shipstation.v2.api import ShipStationV2Api
from adapters.shipstation.v2.paging import MAX_PAGE_SIZE
from adapters.shipstation.v2.probing import probe_write
from adapters.shipstation.v2.reading import parse_carriers, parse_warehouses
from domain.errors import ExternalApiError, TemushipError
from domain.words import plural

RATE_HEADERS = ("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset")


def _guarded(item: str, check: Callable[[], Finding]) -> Finding:
    try:
        return check()
    except (ExternalApiError, TemushipError) as error:
        return Finding(False, item, f"not settled: {error}")


# --- reads ----------------------------------------------------------------------------------


def read_checks(
    api: ShipStationV2Api, warehouse_id: str | None, store_id: int | None
) -> list[Finding]:
    """A line for each point a read settles; stops after the key when the key is refused."""
    call = Calls(api)
    auth = _guarded("V2 auth", lambda: _auth(call))
    if not auth.ok:
        return [auth]
    checks: list[tuple[str, Callable[[], Finding]]] = [
        ("V2 warehouses", lambda: _warehouses(call, warehouse_id)),
        ("V2 carriers", lambda: _carriers(call)),
        ("V2 paging", lambda: _paging(call)),
        ("V2 page size", lambda: _page_size(call)),
        ("V2 voids query", lambda: _voids_query(call)),
        ("V2 webhook list", lambda: _webhook_list(call)),
        ("V2 store id", lambda: _store_ids(call, store_id)),
        ("V2 ids", lambda: _ids(call)),
        ("V2 rate headers", lambda: _rate_headers(call)),
    ]
    return [auth, *(_guarded(item, check) for item, check in checks)]


def _auth(call: Calls) -> Finding:
    answer = call("GET", "/v2/warehouses")
    if answer.status in (401, 403):
        return Finding(False, "V2 auth", f"the key was refused: {answer.said()}; check the V2 "
                       "key under Account > API Settings > V2 API (and the plan)")  # fmt: skip
    ok = answer.success
    return Finding(ok, "V2 auth", f"the API-Key header is taken: {answer.said()}")


def _warehouses(call: Calls, wanted: str | None) -> Finding:
    answer = next(a for a in call.answers if a.where == "GET /v2/warehouses")
    found = parse_warehouses(answer.json_or_fail(), call.api.secrets)
    default = next((w for w in found if w.is_default), None)
    said = f"{plural(len(found), 'warehouse')}; default: " + (
        f"{default.warehouse_id} {default.name}" if default else "none marked is_default"
    )
    if wanted is None:
        return Finding(True, "V2 warehouses", said)
    mine = any(w.warehouse_id == wanted for w in found)
    tail = f"; the shop ships from {wanted}" + ("" if mine else ", which is not one of them")
    return Finding(mine, "V2 warehouses", said + tail)


def _carriers(call: Calls) -> Finding:
    answer = call("GET", "/v2/carriers")
    found = parse_carriers(answer.json_or_fail(), call.api.secrets)
    codes = ", ".join(f"{c.carrier.code} ({c.carrier_id})" for c in found[:8])
    more = f" and {len(found) - 8} more" if len(found) > 8 else ""
    return Finding(True, "V2 carriers", f"{plural(len(found), 'carrier')}: {codes or 'none'}{more}")


def _paging(call: Calls) -> Finding:
    answer = call("GET", "/v2/shipments", {"page_size": 1, "sort_dir": "desc"})
    body = answer.json_or_fail()
    total = body.get("total") if isinstance(body, dict) else None
    keys = [k for k in ("total", "page", "pages", "links") if isinstance(body, dict) and k in body]
    nxt = shape_of_next(body)
    said = f"one shipment a page: {', '.join(keys) or 'no paging keys'}; links.next {nxt}"
    said += f" (total {total})" if isinstance(total, int) else ""
    walkable = not (isinstance(total, int) and total > 1 and not nxt.startswith("href"))
    fix = "" if walkable else " (more than one page but no next link: the walk would stop)"
    return Finding(walkable, "V2 paging", said + fix)


def _page_size(call: Calls) -> Finding:
    asked = MAX_PAGE_SIZE + 1
    answer = call("GET", "/v2/shipments", {"page_size": asked})
    if not answer.success:
        return Finding(True, "V2 page size", f"page_size {asked} refused: {answer.said()}; "
                       f"temuship asks for {MAX_PAGE_SIZE}")  # fmt: skip
    body = answer.json_or_fail()
    rows = body.get("shipments") if isinstance(body, dict) else None
    count, total = (len(rows) if isinstance(rows, list) else 0), body.get("total")
    if count > MAX_PAGE_SIZE:
        reading = f"the limit is above {MAX_PAGE_SIZE}"
    elif isinstance(total, int) and total > count:
        reading = f"capped at {count}"
    else:
        reading = f"not settled: the account has {plural(total, 'shipment')}"
    said = (
        f"page_size {asked} taken: {plural(count, 'row')} of {total} ({reading}); {answer.said()}"
    )
    return Finding(True, "V2 page size", f"{said}; temuship asks for {MAX_PAGE_SIZE}")


def _voids_query(call: Calls) -> Finding:
    query = {"label_status": "voided", "sort_by": "modified_at", "sort_dir": "desc"}
    answer = call("GET", "/v2/labels", {**query, "page_size": 1})
    if not answer.success:
        return Finding(False, "V2 voids query", f"label_status=voided sorted by modified_at "
                       f"refused: {answer.said()}; temuship reads voids this way")  # fmt: skip
    body = answer.json_or_fail()
    rows = body.get("labels") if isinstance(body, dict) else None
    first = rows[0] if isinstance(rows, list) and rows and isinstance(rows[0], dict) else None
    stamp = "no voided label to see" if first is None else (
        "labels carry modified_at" if "modified_at" in first else "labels carry no modified_at "
        "(voided_at is used)"
    )  # fmt: skip
    return Finding(True, "V2 voids query", f"label_status=voided by modified_at taken; {stamp}")


def _webhook_list(call: Calls) -> Finding:
    answer = call("GET", "/v2/environment/webhooks")
    body = answer.json_or_fail()
    if isinstance(body, list):
        shape = f"a bare list ({len(body)})"
    elif isinstance(body, dict) and isinstance(body.get("webhooks"), list):
        shape = f'an object with "webhooks" ({len(body["webhooks"])})'
    else:
        return Finding(False, "V2 webhook list", f"neither a list nor {{webhooks}}: "
                       f"{answer.excerpt()}")  # fmt: skip
    return Finding(True, "V2 webhook list", f"{shape} (temuship reads both)")


def _store_ids(call: Calls, store_id: int | None) -> Finding:
    lists = [a for a in call.answers if a.where.startswith("GET /v2/shipments")]
    shown = sorted({repr(v) for a in lists for v in a.values_of("store_id")})
    if not shown:
        return Finding(True, "V2 store id", "no shipment to see a store_id on")
    mine = "" if store_id is None else f"; the shop's store is {store_id}"
    return Finding(True, "V2 store id", f"answers show store_id {', '.join(shown[:3])}{mine}")


def _ids(call: Calls) -> Finding:
    call("GET", "/v2/labels", {"page_size": 1})
    seen = {name: kind for a in call.answers for name, kind in id_kinds(a).items()}
    bad = sorted(name for name, kind in seen.items() if kind != "se-")
    said = ", ".join(f"{name} {kind}" for name, kind in sorted(seen.items())) or "none seen"
    if bad:
        return Finding(False, "V2 ids", f"{said}: {', '.join(bad)} not se-<id>; temuship keeps "
                       "ids as se-<digits> (report this answer)")  # fmt: skip
    return Finding(True, "V2 ids", said)


def _rate_headers(call: Calls) -> Finding:
    found = {h: a.headers[h] for a in call.answers for h in RATE_HEADERS if h in a.headers}
    if not found:
        said = f"no X-Rate-Limit-* in {len(call.answers)} answers"
        return Finding(True, "V2 rate headers", f"{said}: temuship paces at 200 a minute and "
                       "waits out Retry-After")  # fmt: skip
    said = ", ".join(f"{h.removeprefix('X-Rate-Limit-')} {v}" for h, v in found.items())
    return Finding(True, "V2 rate headers", f"present: {said}")


__all__ = ["Finding", "probe_write", "read_checks"]
