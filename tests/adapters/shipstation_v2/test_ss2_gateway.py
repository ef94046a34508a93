"""ShipStationV2Gateway.push over respx: created once (a duplicate or a lost answer looked up and
linked, never made twice), replaced whole only when its content changed and never while held,
statuses by their endpoints from (target, last sent), a fulfillment sent once, ship_by_date
found out on the first create, one order failing alone, and every failure naming its request."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx

from adapters.shipstation.v2 import ShipStationV2Api
from adapters.shipstation.v2.gateway import ShipStationV2Gateway
from domain.model import LabelLine, OrderState, Tracking, order_key
from domain.money import Money
from domain.ports import OutgoingOrder
from domain.secrets import Secret
from domain.shop import v2_credentials
from tests.adapters.shipstation_v2.conftest import (
    BASE,
    KEY,
    error_body,
    label_row,
    page,
    shipment_row,
)

SHOP = "shop-1"
TODAY = date(2026, 3, 2)
HELD_UNTIL = date(2026, 4, 1)  # TODAY + the gateway's 30 days
SHIP_BY = "2026-03-05T12:00:00Z"
S = OrderState
STATUS = {S.AWAITING_SHIPMENT: "pending", S.ON_HOLD: "on_hold", S.CANCELLED: "cancelled",
          S.SHIPPED: "shipped"}  # fmt: skip
REFUSED_SHIP_BY = "ship_by_date cannot be set when a shipment is created"


def key(n: int) -> str:
    return order_key(SHOP, f"PO-{n}")  # = shipment_row(n)["external_shipment_id"]


def shipment(n: int, notes: str = "v1", ship_by: bool = False) -> dict[str, Any]:
    body = {"external_shipment_id": key(n), "shipment_number": f"PO-{n}",
            "warehouse_id": "se-5", "internal_notes": notes}  # fmt: skip
    return {**body, "ship_by_date": SHIP_BY} if ship_by else body


def outgoing(
    n: int,
    state: OrderState = S.AWAITING_SHIPMENT,
    *,
    known: bool = False,
    sent: OrderState | None = None,
    notes: str = "v1",
    sent_notes: str | None = None,
    ship_by: bool = False,
    tracking: tuple[Tracking, ...] = (),
) -> OutgoingOrder:
    """Order n; `known`: ShipStation has it as se-100n, last given `sent` with `sent_notes`
    (the same notes as now unless said)."""
    payload = {"shipment": shipment(n, notes, ship_by), "status": STATUS[state]}
    before = None
    if known:
        was = shipment(n, notes if sent_notes is None else sent_notes, ship_by)
        before = {"shipment": was, "status": STATUS[sent or state]}
    return OutgoingOrder(
        key(n), f"PO-{n}", state, payload,
        remote_id=str(1000 + n) if known else None, sent_state=sent if known else None,
        tracking=tracking, sent_payload=before,
    )  # fmt: skip


@pytest.fixture
def gateway(api: ShipStationV2Api) -> ShipStationV2Gateway:
    credentials = v2_credentials(Secret(KEY), store_id=77, warehouse_id="se-5")
    return ShipStationV2Gateway(credentials, SHOP, api, today=lambda: TODAY)


def calls(router: respx.Router) -> list[str]:
    """What the gateway sent, as `METHOD path`, in order."""
    return [f"{c.request.method} {c.request.url.path}" for c in router.calls]


def bodies(router: respx.Router, method: str, path: str) -> list[Any]:
    return [
        json.loads(c.request.content)
        for c in router.calls
        if c.request.method == method and c.request.url.path == path
    ]


def created(request: httpx.Request, first_id: int = 2000) -> httpx.Response:
    """Every shipment sent is created, ids from se-2000 on."""
    rows = [{**s, "shipment_id": f"se-{first_id + i}", "shipment_status": "pending", "errors": []}
            for i, s in enumerate(json.loads(request.content)["shipments"])]  # fmt: skip
    return httpx.Response(200, json={"has_errors": False, "shipments": rows})


def refusing(*, ship_by: bool = False, taken: tuple[str, ...] = (), phone: tuple[str, ...] = ()):
    """POST /v2/shipments of a strict account: per-item string errors in a 200 for a
    ship_by_date (`ship_by`), an external_shipment_id it has (`taken`), a missing phone."""

    def answer(request: httpx.Request) -> httpx.Response:
        rows, failed = [], False
        for i, s in enumerate(json.loads(request.content)["shipments"]):
            ext = s["external_shipment_id"]
            errors = [f"external_shipment_id '{ext}' already exists"] if ext in taken else []
            if not errors:  # a duplicate is refused for that alone
                errors += [REFUSED_SHIP_BY] if ship_by and "ship_by_date" in s else []
                errors += ["ship_to.phone is required"] if ext in phone else []
            made = None if errors else f"se-{2000 + i}"
            rows.append({**s, "shipment_id": made, "shipment_status": "pending", "errors": errors})
            failed = failed or bool(errors)
        return httpx.Response(200, json={"has_errors": failed, "shipments": rows})

    return answer


def found(router: respx.Router, n: int, status: str = "pending", **changes: Any) -> respx.Route:
    row = shipment_row(n, shipment_status=status, **changes)
    path = f"/v2/shipments/external_shipment_id/{key(n)}"
    return router.get(path).respond(200, json=row)


def fulfilled(request: httpx.Request) -> httpx.Response:
    rows = [{**f, "fulfillment_id": "se-9", "errors": []}
            for f in json.loads(request.content)["fulfillments"]]  # fmt: skip
    return httpx.Response(200, json={"has_errors": False, "fulfillments": rows})


def status_calls(router: respx.Router) -> None:
    """Cancel, hold and restore of any shipment answer 204; fulfillments are made (mounted
    after a test's own routes: respx answers with the first route that matches)."""
    for verb in ("cancel", "hold", "restore"):
        router.put(path__regex=rf"^/v2/shipments/se-\d+/{verb}$").respond(204)
    router.post("/v2/fulfillments").mock(side_effect=fulfilled)


class TestCreate:
    def test_a_new_order_is_created_pending_and_keeps_its_id(self, router, gateway):
        route = router.post("/v2/shipments").mock(side_effect=created)
        (result,) = gateway.push([outgoing(1)])
        assert (result.success, result.remote_id) == (True, "2000")
        assert bodies(router, "POST", "/v2/shipments") == [{"shipments": [shipment(1)]}]
        assert route.call_count == 1

    def test_a_duplicate_refusal_is_looked_up_and_linked_never_created_twice(self, router, gateway):
        router.post("/v2/shipments").mock(side_effect=refusing(taken=(key(1),)))
        found(router, 1)
        router.put("/v2/shipments/se-1001").respond(200, json=shipment_row(1))
        (result,) = gateway.push([outgoing(1)])
        assert (result.success, result.remote_id) == (True, "1001")
        # Linked; what ShipStation holds is not known to be ours: it is replaced whole, once.
        assert calls(router) == [
            "POST /v2/shipments",
            f"GET /v2/shipments/external_shipment_id/{key(1)}",
            "PUT /v2/shipments/se-1001",
        ]

    def test_a_lost_create_answer_is_looked_up_not_sent_again(self, router, gateway):
        router.post("/v2/shipments").mock(side_effect=httpx.ReadTimeout("no answer"))
        found(router, 1)
        router.put("/v2/shipments/se-1001").respond(200, json=shipment_row(1))
        (result,) = gateway.push([outgoing(1)])
        assert (result.success, result.remote_id) == (True, "1001")
        assert calls(router).count("POST /v2/shipments") == 1

    def test_a_lost_create_answer_not_found_by_its_key_fails_and_says_so(self, router, gateway):
        router.post("/v2/shipments").mock(side_effect=httpx.ReadTimeout("no answer"))
        router.get(f"/v2/shipments/external_shipment_id/{key(1)}").respond(
            404, json=error_body("invalid_identifier", "not found", request_id="req-404")
        )
        (result,) = gateway.push([outgoing(1)])
        assert not result.success and result.remote_id is None
        assert "outcome is unknown" in (result.error or "")
        assert "not found by its key" in (result.error or "")
        assert calls(router).count("POST /v2/shipments") == 1

    def test_per_item_string_errors_fail_that_order_alone(self, router, gateway):
        router.post("/v2/shipments").mock(side_effect=refusing(phone=(key(2),)))
        results = gateway.push([outgoing(1), outgoing(2), outgoing(3)])
        assert [(r.order_key, r.success) for r in results] == [
            (key(1), True), (key(2), False), (key(3), True),
        ]  # fmt: skip
        assert results[1].error == "ship_to.phone is required"
        assert calls(router) == ["POST /v2/shipments"]  # no lookup: not a duplicate

    def test_a_whole_batch_refused_is_asked_again_one_by_one(self, router, gateway):
        def strict(request: httpx.Request) -> httpx.Response:
            sent = json.loads(request.content)["shipments"]
            if len(sent) > 1:
                return httpx.Response(400, json=error_body(request_id="req-batch"))
            if sent[0]["external_shipment_id"] == key(2):
                return httpx.Response(400, json=error_body(request_id="req-two"))
            return created(request)

        router.post("/v2/shipments").mock(side_effect=strict)
        results = gateway.push([outgoing(1), outgoing(2)])
        assert [r.success for r in results] == [True, False]
        assert "req-two" in (results[1].error or "")


class TestShipByOnCreate:
    def test_refused_on_the_first_create_it_is_sent_again_without_it_and_remembered(
        self, router, gateway
    ):
        router.post("/v2/shipments").mock(side_effect=refusing(ship_by=True))
        results = gateway.push([outgoing(1, ship_by=True), outgoing(2, ship_by=True)])
        assert all(r.success for r in results)
        later = gateway.push([outgoing(3, ship_by=True)])
        assert later[0].success
        sent = bodies(router, "POST", "/v2/shipments")
        assert ["ship_by_date" in s for b in sent for s in b["shipments"]] == [
            True, False, False, False,
        ]  # fmt: skip
        assert sent[1]["shipments"][0]["internal_notes"] == f"v1\nTemu ship-by {SHIP_BY}"
        assert len(sent) == 4  # the probe, its resend, the rest, the later push

    def test_taken_on_the_first_create_it_is_sent_from_then_on(self, router, gateway):
        router.post("/v2/shipments").mock(side_effect=created)
        gateway.push([outgoing(1, ship_by=True), outgoing(2, ship_by=True)])
        sent = bodies(router, "POST", "/v2/shipments")
        assert [[s.get("ship_by_date") for s in b["shipments"]] for b in sent] == [
            [SHIP_BY], [SHIP_BY],
        ]  # fmt: skip

    def test_a_first_create_refused_for_another_reason_decides_nothing(self, router, gateway):
        # The first create of the process is a duplicate (a crash before the commit): its
        # refusal says nothing of ship_by_date, which a strict account still refuses.
        router.post("/v2/shipments").mock(side_effect=refusing(ship_by=True, taken=(key(1),)))
        found(router, 1)
        router.put("/v2/shipments/se-1001").respond(200, json=shipment_row(1))
        assert gateway.push([outgoing(1, ship_by=True)])[0].success
        (later,) = gateway.push([outgoing(2, ship_by=True)])
        assert later.success, later.error
        assert gateway.push([outgoing(3, ship_by=True)])[0].success
        last = bodies(router, "POST", "/v2/shipments")[-1]["shipments"]
        assert [s.get("ship_by_date") for s in last] == [None]

    def test_past_the_probes_a_batch_refused_for_it_is_sent_again_without_it(self, router, gateway):
        taken = (key(1), key(2), key(3))  # three probes in a row say nothing
        router.post("/v2/shipments").mock(side_effect=refusing(ship_by=True, taken=taken))
        for n in (1, 2, 3):
            found(router, n)
            router.put(f"/v2/shipments/se-100{n}").respond(200, json=shipment_row(n))
        results = gateway.push([outgoing(n, ship_by=True) for n in range(1, 6)])
        assert all(r.success for r in results), [r.error for r in results]
        sent = [[s["external_shipment_id"] for s in b["shipments"]]
                for b in bodies(router, "POST", "/v2/shipments")]  # fmt: skip
        assert sent == [[key(1)], [key(2)], [key(3)], [key(4), key(5)], [key(4), key(5)]]
        assert gateway.ship_by_on_create is False


class TestUpdate:
    def test_an_unchanged_known_order_costs_no_call(self, router, gateway):
        (result,) = gateway.push([outgoing(1, known=True, sent=S.AWAITING_SHIPMENT)])
        assert (result.success, result.remote_id) == (True, "1001") and calls(router) == []

    def test_a_changed_one_is_replaced_whole_with_put(self, router, gateway):
        answer = shipment_row(1, modified_at="2026-03-02T10:00:00Z")
        router.put("/v2/shipments/se-1001").respond(200, json=answer)
        order = outgoing(1, known=True, sent=S.AWAITING_SHIPMENT, notes="v2", sent_notes="v1")
        (result,) = gateway.push([order])
        assert result.success and result.at is not None and result.at.hour == 10
        assert bodies(router, "PUT", "/v2/shipments/se-1001") == [shipment(1, "v2")]

    def test_a_change_while_held_is_never_put_on_the_held_shipment(self, router, gateway):
        status_calls(router)
        router.put("/v2/shipments/se-1001").respond(200, json=shipment_row(1))
        order = outgoing(1, S.ON_HOLD, known=True, sent=S.ON_HOLD, notes="v2", sent_notes="v1")
        (result,) = gateway.push([order])
        assert result.success and result.hold_until == HELD_UNTIL
        # Restored first (a held shipment takes no PUT), replaced, held again.
        assert calls(router) == [
            "PUT /v2/shipments/se-1001/restore",
            "PUT /v2/shipments/se-1001",
            "PUT /v2/shipments/se-1001/hold",
        ]
        assert bodies(router, "PUT", "/v2/shipments/se-1001") == [shipment(1, "v2")]

    def test_a_known_id_shipstation_lost_is_looked_up_then_made_anew_once(self, router, gateway):
        router.put("/v2/shipments/se-1001/hold").respond(404, json=error_body("not_found"))
        router.get(f"/v2/shipments/external_shipment_id/{key(1)}").respond(404)
        router.post("/v2/shipments").mock(side_effect=created)
        status_calls(router)
        (result,) = gateway.push([outgoing(1, S.ON_HOLD, known=True, sent=S.AWAITING_SHIPMENT)])
        assert (result.success, result.remote_id, result.hold_until) == (True, "2000", HELD_UNTIL)
        assert calls(router) == [
            "PUT /v2/shipments/se-1001/hold",
            f"GET /v2/shipments/external_shipment_id/{key(1)}",
            "POST /v2/shipments",
            "PUT /v2/shipments/se-2000/hold",
        ]

    def test_a_known_id_shipstation_lost_but_found_by_its_key_is_linked(self, router, gateway):
        router.put("/v2/shipments/se-1001/cancel").respond(404, json=error_body("not_found"))
        found(router, 1, shipment_id="se-1300")
        status_calls(router)
        (result,) = gateway.push([outgoing(1, S.CANCELLED, known=True, sent=S.AWAITING_SHIPMENT)])
        assert (result.success, result.remote_id) == (True, "1300")
        assert calls(router)[-1] == "PUT /v2/shipments/se-1300/cancel"
        assert "POST /v2/shipments" not in calls(router)


# (target, last sent) -> the calls, for a known order whose content did not change.
SEQUENCES = [
    (S.AWAITING_SHIPMENT, S.ON_HOLD, ["restore"]),
    (S.ON_HOLD, S.AWAITING_SHIPMENT, ["hold"]),
    (S.ON_HOLD, S.ON_HOLD, ["hold"]),  # held again before the hold ends
    (S.CANCELLED, S.AWAITING_SHIPMENT, ["cancel"]),
    (S.CANCELLED, S.ON_HOLD, ["cancel"]),
    (S.CANCELLED, S.CANCELLED, []),
    (S.SHIPPED, S.AWAITING_SHIPMENT, ["GET", "fulfillments"]),
    (S.SHIPPED, S.ON_HOLD, ["restore", "GET", "fulfillments"]),
]
TEMU_TRACKING = (Tracking("9400111899223344556677", "USPS"),)


class TestStatuses:
    @pytest.mark.parametrize(("target", "last", "expected"), SEQUENCES)
    def test_each_status_goes_through_its_endpoint(self, router, gateway, target, last, expected):
        status_calls(router)
        router.get("/v2/shipments/se-1001").respond(200, json=shipment_row(1))
        order = outgoing(1, target, known=True, sent=last, tracking=TEMU_TRACKING)
        (result,) = gateway.push([order])
        assert result.success, result.error
        names = {"GET /v2/shipments/se-1001": "GET", "POST /v2/fulfillments": "fulfillments"}
        said = [names.get(c) or c.rsplit("/", 1)[-1] for c in calls(router)]
        assert said == expected
        assert result.hold_until == (HELD_UNTIL if target is S.ON_HOLD else None)

    @pytest.mark.parametrize(
        ("target", "verb", "now"),
        [(S.AWAITING_SHIPMENT, "restore", "pending"), (S.CANCELLED, "cancel", "cancelled")],
    )
    def test_a_status_shipstation_has_already_is_done(self, router, gateway, target, verb, now):
        # Restored or cancelled by a person in ShipStation, or its hold ended on its date:
        # the call is refused, the shipment is as wanted, the order is not failed for ever.
        refusal = error_body("invalid_status", f"cannot be {verb}ed", request_id="req-70")
        router.put(f"/v2/shipments/se-1001/{verb}").respond(400, json=refusal)
        router.get("/v2/shipments/se-1001").respond(200, json=shipment_row(1, shipment_status=now))
        (result,) = gateway.push([outgoing(1, target, known=True, sent=S.ON_HOLD)])
        assert (result.success, result.error) == (True, None)

    @pytest.mark.parametrize(("now", "done"), [("cancelled", True), ("pending", False)])
    def test_a_status_call_answered_200_with_no_body_is_done_only_if_it_shows(
        self, router, gateway, now, done
    ):
        # A 204 is the answer; an empty 200 may be a proxy's that never reached ShipStation.
        router.put("/v2/shipments/se-1001/cancel").respond(200, content=b"")
        router.get("/v2/shipments/se-1001").respond(200, json=shipment_row(1, shipment_status=now))
        (result,) = gateway.push([outgoing(1, S.CANCELLED, known=True, sent=S.AWAITING_SHIPMENT)])
        assert result.success is done
        assert done or "an empty 200, and the shipment is pending" in (result.error or "")

    def test_a_hold_asks_for_thirty_days(self, router, gateway):
        status_calls(router)
        gateway.push([outgoing(1, S.ON_HOLD, known=True, sent=S.AWAITING_SHIPMENT)])
        held = bodies(router, "PUT", "/v2/shipments/se-1001/hold")
        assert held == [{"hold_until_date": "2026-04-01"}]

    def test_a_new_order_temu_shipped_is_created_then_fulfilled_with_temus_tracking(
        self, router, gateway
    ):
        status_calls(router)
        router.post("/v2/shipments").mock(side_effect=created)
        router.get("/v2/shipments/se-2000").respond(
            200, json=shipment_row(1, shipment_id="se-2000")
        )
        (result,) = gateway.push([outgoing(1, S.SHIPPED, tracking=TEMU_TRACKING)])
        assert (result.success, result.remote_id) == (True, "2000")
        (body,) = bodies(router, "POST", "/v2/fulfillments")
        assert body == {"fulfillments": [{
            "shipment_id": "se-2000", "tracking_number": "9400111899223344556677",
            "carrier_code": "usps", "ship_date": "2026-03-02", "notify_customer": False,
            "notify_order_source": False,
        }]}  # fmt: skip

    @pytest.mark.parametrize("status", ["label_purchased", "cancelled"])
    def test_no_fulfillment_for_a_shipment_already_past_pending(self, router, gateway, status):
        status_calls(router)
        router.get("/v2/shipments/se-1001").respond(
            200, json=shipment_row(1, shipment_status=status)
        )
        order = outgoing(1, S.SHIPPED, known=True, sent=S.AWAITING_SHIPMENT, tracking=TEMU_TRACKING)
        (result,) = gateway.push([order])
        assert result.success and "POST /v2/fulfillments" not in calls(router)

    def test_a_fulfillment_whose_answer_was_lost_is_not_sent_again(self, router, gateway):
        pending, shipped = shipment_row(1), shipment_row(1, shipment_status="label_purchased")
        router.get("/v2/shipments/se-1001").mock(
            side_effect=[httpx.Response(200, json=pending), httpx.Response(200, json=shipped)]
        )
        route = router.post("/v2/fulfillments").mock(side_effect=httpx.ReadTimeout("lost"))
        order = outgoing(1, S.SHIPPED, known=True, sent=S.AWAITING_SHIPMENT, tracking=TEMU_TRACKING)
        (first,) = gateway.push([order])
        assert not first.success and "not marked shipped" in (first.error or "")
        (again,) = gateway.push([order])  # the next sync: ShipStation shows it shipped
        assert again.success and route.call_count == 1

    def test_a_refused_fulfillment_fails_the_order_with_shipstations_words(self, router, gateway):
        router.get("/v2/shipments/se-1001").respond(200, json=shipment_row(1))
        row = {"shipment_id": "se-1001", "fulfillment_id": None,
               "errors": ["tracking_number is not valid for usps"]}  # fmt: skip
        router.post("/v2/fulfillments").respond(
            200, json={"has_errors": True, "fulfillments": [row]}
        )
        order = outgoing(1, S.SHIPPED, known=True, sent=S.AWAITING_SHIPMENT, tracking=TEMU_TRACKING)
        (result,) = gateway.push([order])
        assert not result.success
        assert result.error == "not marked shipped: tracking_number is not valid for usps"


class TestFailuresNameTheirRequest:
    @pytest.mark.parametrize(
        ("target", "last", "path"),
        [
            (S.CANCELLED, S.AWAITING_SHIPMENT, "/v2/shipments/se-1001/cancel"),
            (S.ON_HOLD, S.AWAITING_SHIPMENT, "/v2/shipments/se-1001/hold"),
            (S.AWAITING_SHIPMENT, S.ON_HOLD, "/v2/shipments/se-1001/restore"),
        ],
    )
    def test_a_refused_status_call_fails_that_order_alone_with_its_request_id(
        self, router, gateway, target, last, path
    ):
        refusal = error_body("invalid_status", "shipment is label_purchased", request_id="req-71")
        router.put(path).respond(400, json=refusal)
        router.get("/v2/shipments/se-1001").respond(
            200, json=shipment_row(1, shipment_status="label_purchased")
        )
        status_calls(router)
        results = gateway.push([
            outgoing(1, target, known=True, sent=last),
            outgoing(2, S.ON_HOLD, known=True, sent=S.AWAITING_SHIPMENT),
        ])  # fmt: skip
        assert [r.success for r in results] == [False, True]
        assert "request_id req-71" in (results[0].error or "")
        assert "invalid_status" in (results[0].error or "")

    def test_a_refused_put_names_its_request(self, router, gateway):
        refusal = error_body("invalid_status", "only pending shipments", request_id="req-72")
        router.put("/v2/shipments/se-1001").respond(400, json=refusal)
        order = outgoing(1, known=True, sent=S.AWAITING_SHIPMENT, notes="v2", sent_notes="v1")
        (result,) = gateway.push([order])
        assert not result.success and "request_id req-72" in (result.error or "")

    def test_a_lookup_that_fails_names_its_request(self, router, gateway):
        router.post("/v2/shipments").mock(side_effect=refusing(taken=(key(1),)))
        router.get(f"/v2/shipments/external_shipment_id/{key(1)}").respond(
            403, json=error_body("forbidden", "plan", request_id="req-73", error_type="security")
        )
        (result,) = gateway.push([outgoing(1)])
        assert not result.success and "request_id req-73" in (result.error or "")

    def test_a_fulfillment_call_refused_whole_names_its_request(self, router, gateway):
        router.get("/v2/shipments/se-1001").respond(200, json=shipment_row(1))
        router.post("/v2/fulfillments").respond(
            400, json=error_body("invalid_field_value", "bad carrier", request_id="req-74")
        )
        order = outgoing(1, S.SHIPPED, known=True, sent=S.AWAITING_SHIPMENT, tracking=TEMU_TRACKING)
        (result,) = gateway.push([order])
        assert not result.success and "request_id req-74" in (result.error or "")


# --- labels -------------------------------------------------------------------------------

SINCE = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)


def label_pages(*pages: list[dict[str, Any]]):
    """GET /v2/labels answered page by page, each page linking to the next by `links.next`."""

    def answer(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params.get("page", "1"))
        more = f"{BASE}/v2/labels?page={number + 1}" if number < len(pages) else None
        return httpx.Response(200, json=page("labels", pages[number - 1], more))

    return answer


def shipments_read(router: respx.Router) -> list[str]:
    return [c.split("/")[-1] for c in calls(router) if c.startswith("GET /v2/shipments/se-")]


class TestLabels:
    def test_lines_come_from_the_shipment_read_once_a_walk(self, router, gateway):
        first, relabel, other = label_row(1), label_row(1, label_id="se-5009"), label_row(2)
        router.get("/v2/labels").mock(side_effect=label_pages([first, relabel], [other]))
        router.get("/v2/shipments/se-1001").respond(200, json=shipment_row(1))
        router.get("/v2/shipments/se-1002").respond(200, json=shipment_row(2))
        pages = list(gateway.labels_since(SINCE))
        labels = [label for p in pages for label in p.labels]
        assert [(lb.shipment_id, lb.order_key) for lb in labels] == [
            ("5001", key(1)), ("5009", key(1)), ("5002", key(2)),
        ]  # fmt: skip
        assert labels[0].lines == (LabelLine("211-1-a", 2), LabelLine("211-1-b", 1))
        assert (labels[0].carrier_code, labels[0].service_code) == (
            "stamps_com",
            "usps_priority_mail",
        )
        assert labels[0].shipment_cost == Money(Decimal("7.45"), "usd")
        assert shipments_read(router) == ["se-1001", "se-1002"]
        list(gateway.labels_since(SINCE))  # another walk reads them again
        assert shipments_read(router) == ["se-1001", "se-1002"] * 2

    def test_labels_are_asked_from_the_cursor_oldest_first(self, router, gateway):
        route = router.get("/v2/labels").respond(200, json=page("labels", []))
        assert [p.labels for p in gateway.labels_since(SINCE)] == [()]
        params = dict(route.calls.last.request.url.params)
        assert params == {"created_at_start": "2026-03-01T00:00:00Z", "sort_by": "created_at",
                          "sort_dir": "asc", "page_size": "100"}  # fmt: skip

    def test_another_shops_labels_are_skipped_without_reading_their_shipment(self, router, gateway):
        rows = [
            label_row(1),
            label_row(2, external_shipment_id=order_key("other", "PO-2")),
            label_row(3, external_shipment_id=order_key(f"{SHOP}-2", "PO-3")),  # shop-1-2's
        ]
        router.get("/v2/labels").mock(side_effect=label_pages(rows))
        router.get("/v2/shipments/se-1001").respond(200, json=shipment_row(1))
        (only,) = [lb for p in gateway.labels_since(SINCE) for lb in p.labels]
        assert only.order_key == key(1)
        assert shipments_read(router) == ["se-1001"]

    def test_a_label_without_our_key_is_the_shops_only_in_its_store(self, router, gateway):
        ours, theirs = label_row(1, external_shipment_id=None), label_row(2)
        theirs["external_shipment_id"] = None
        router.get("/v2/labels").mock(side_effect=label_pages([ours, theirs]))
        router.get("/v2/shipments/se-1001").respond(200, json=shipment_row(1, store_id="se-77"))
        router.get("/v2/shipments/se-1002").respond(200, json=shipment_row(2, store_id="se-78"))
        labels = [lb for p in gateway.labels_since(SINCE) for lb in p.labels]
        assert [lb.shipment_id for lb in labels] == ["5001"]

    def test_a_label_whose_lines_cannot_be_known_fails_alone(self, router, gateway):
        unkeyed = shipment_row(2, items=[{"sku": "SKU-A", "quantity": 1}])
        rows = [label_row(1), label_row(2), label_row(3)]
        router.get("/v2/labels").mock(side_effect=label_pages(rows))
        router.get("/v2/shipments/se-1001").respond(200, json=shipment_row(1))
        router.get("/v2/shipments/se-1002").respond(200, json=unkeyed)
        router.get("/v2/shipments/se-1003").respond(
            403, json=error_body("forbidden", "no", request_id="req-75", error_type="security")
        )
        (read,) = gateway.labels_since(SINCE)
        assert [lb.shipment_id for lb in read.labels] == ["5001"]
        reasons = {row.key: row.reason for row in read.failures}
        assert "no item names a Temu line" in reasons["5002"]
        assert "request_id req-75" in reasons["5003"]


def voided(n: int, voided_at: str, modified_at: str | None = None) -> dict[str, Any]:
    return label_row(n, status="voided", voided=True, voided_at=voided_at,
                     modified_at=modified_at or voided_at)  # fmt: skip


class TestVoids:
    def test_voids_are_read_newest_change_first_and_stop_before_since(self, router, gateway):
        new, old = voided(1, "2026-03-01T09:00:00Z"), voided(2, "2026-02-27T09:00:00Z")
        route = router.get("/v2/labels").mock(side_effect=label_pages([new, old], [voided(3, "x")]))
        router.get("/v2/shipments/se-1001").respond(200, json=shipment_row(1))
        pages = list(gateway.voided_since(SINCE))
        assert [lb.shipment_id for p in pages for lb in p.labels] == ["5001"]
        assert all(lb.voided for p in pages for lb in p.labels)
        assert route.call_count == 1  # the second page is never read
        params = dict(route.calls.last.request.url.params)
        assert (params["label_status"], params["sort_by"], params["sort_dir"]) == (
            "voided", "modified_at", "desc",
        )  # fmt: skip

    def test_an_old_void_changed_since_does_not_end_the_walk(self, router, gateway):
        # Sorted by modified_at: a label voided long ago whose refund moved on yesterday
        # comes before a void of today; it is not today's void, and the walk goes on.
        refunded = voided(1, "2026-02-10T09:00:00Z", modified_at="2026-03-01T12:00:00Z")
        today = voided(2, "2026-03-01T10:00:00Z")
        router.get("/v2/labels").mock(side_effect=label_pages([refunded], [today]))
        router.get("/v2/shipments/se-1002").respond(200, json=shipment_row(2))
        pages = list(gateway.voided_since(SINCE))
        assert [lb.shipment_id for p in pages for lb in p.labels] == ["5002"]
