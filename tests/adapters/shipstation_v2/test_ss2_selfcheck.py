"""The V2 self-check over respx: a line for each point a read settles, and the write probe's
one test shipment, cancelled whatever happened."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import httpx
import pytest
import respx

from adapters.shipstation.v2 import ShipStationV2Api
from adapters.shipstation.v2.selfcheck import Finding, probe_write, read_checks
from tests.adapters.shipstation_v2.conftest import (
    BASE,
    KEY,
    error_body,
    label_row,
    page,
    shipment_row,
)

WAREHOUSES = {"warehouses": [
    {"warehouse_id": "se-4", "name": "Back room", "is_default": False},
    {"warehouse_id": "se-5", "name": "Main", "is_default": True},
]}  # fmt: skip
CARRIERS = {"carriers": [{"carrier_id": "se-11", "carrier_code": "stamps_com",
                          "friendly_name": "Stamps.com"}]}  # fmt: skip
RATE = {"X-Rate-Limit-Limit": "200", "X-Rate-Limit-Remaining": "193", "X-Rate-Limit-Reset": "41"}


def shipments(request: httpx.Request, total: int = 250, limit: int = 100) -> httpx.Response:
    size = int(request.url.params.get("page_size", "25"))
    if size > limit:
        return httpx.Response(400, json=error_body("invalid_field_value", "page_size too big"))
    rows = [shipment_row(n) for n in range(1, min(size, total) + 1)]
    more = f"{BASE}/v2/shipments?page=2&page_size={size}" if size < total else None
    answer = page("shipments", rows, more, total=total, pages=-(-total // size))
    return httpx.Response(200, json=answer, headers=RATE)


def account(router: respx.Router, **answers: Any) -> None:
    """A documented account's reads; `answers` replaces one (warehouses, carriers,
    shipments, labels, webhooks) by a side effect."""
    defaults = {
        "warehouses": httpx.Response(200, json=WAREHOUSES),
        "carriers": httpx.Response(200, json=CARRIERS),
        "shipments": shipments,
        "labels": httpx.Response(200, json=page("labels", [label_row(1, modified_at="x")])),
        "environment/webhooks": httpx.Response(200, json=[]),
    }
    for name, answer in {**defaults, **answers}.items():
        route = router.get(f"/v2/{name}")
        if isinstance(answer, httpx.Response):
            route.mock(return_value=answer)
        else:
            route.mock(side_effect=answer)


def lines(findings: list[Finding]) -> dict[str, tuple[bool, str]]:
    return {f.item: (f.ok, f.detail) for f in findings}


class TestReads:
    def test_every_point_is_said_on_a_documented_account(self, router, api):
        account(router)
        said = lines(read_checks(api, "se-5", 77))
        assert all(ok for ok, _ in said.values()), said
        assert "default: se-5 Main; the shop ships from se-5" in said["V2 warehouses"][1]
        assert "stamps_com (se-11)" in said["V2 carriers"][1]
        assert "links.next href, a full URL (total 250)" in said["V2 paging"][1]
        assert "page_size 101 refused: HTTP 400 invalid_field_value" in said["V2 page size"][1]
        assert "request_id req-9f1c" in said["V2 page size"][1]
        assert said["V2 rate headers"][1] == "present: Limit 200, Remaining 193, Reset 41"
        assert "store_id 'se-77'; the shop's store is 77" in said["V2 store id"][1]
        assert "shipment_id se-" in said["V2 ids"][1] and "label_id se-" in said["V2 ids"][1]
        assert "labels carry modified_at" in said["V2 voids query"][1]
        assert "a bare list (0)" in said["V2 webhook list"][1]

    def test_a_refused_key_is_the_only_line(self, router, api):
        refusal = error_body("unauthorized", "bad key", request_id="req-401", error_type="security")
        router.get("/v2/warehouses").respond(401, json=refusal)
        (auth,) = read_checks(api, "se-5", None)
        assert not auth.ok and "request_id req-401" in auth.detail and KEY not in auth.detail

    @pytest.mark.parametrize(("limit", "total", "reading"), [
        (1000, 250, "101 rows of 250 (the limit is above 100)"),
        (60, 250, "60 rows of 250 (capped at 60)"),
        (1000, 30, "30 rows of 30 (not settled: the account has 30 shipments)"),
    ])  # fmt: skip
    def test_a_page_size_over_100_taken_says_what_came_back(
        self, router, api, limit, total, reading
    ):
        def capped(request: httpx.Request) -> httpx.Response:
            wanted = int(request.url.params["page_size"])
            asked = httpx.Request(
                "GET", request.url.copy_set_param("page_size", min(wanted, limit))
            )
            return shipments(asked, total=total, limit=1000)

        account(router, shipments=capped)
        ok, detail = lines(read_checks(api, "se-5", None))["V2 page size"]
        assert ok and f"page_size 101 taken: {reading}" in detail

    def test_no_next_link_on_a_list_of_several_pages_is_red(self, router, api):
        rows = page("shipments", [shipment_row(1)], None, total=9, pages=9)
        account(router, shipments=lambda request: httpx.Response(200, json=rows))
        ok, detail = lines(read_checks(api, "se-5", None))["V2 paging"]
        assert not ok and "the walk would stop" in detail

    def test_ids_that_are_not_se_are_red_and_absent_rate_headers_said(self, router, api):
        odd = page("labels", [label_row(1, label_id="L-77")])
        account(router, labels=lambda request: httpx.Response(200, json=odd))
        said = lines(read_checks(api, "se-5", None))
        assert not said["V2 ids"][0] and "label_id text" in said["V2 ids"][1]

    def test_a_refused_voids_query_is_red(self, router, api):
        def labels(request: httpx.Request) -> httpx.Response:
            if request.url.params.get("sort_by") == "modified_at":
                return httpx.Response(400, json=error_body("invalid_field_value", "sort_by"))
            return httpx.Response(200, json=page("labels", []))

        account(router, labels=labels)
        ok, detail = lines(read_checks(api, "se-5", None))["V2 voids query"]
        assert not ok and "temuship reads voids this way" in detail

    def test_a_warehouse_the_account_does_not_have_is_red(self, router, api):
        account(router)
        ok, detail = lines(read_checks(api, "se-99", None))["V2 warehouses"]
        assert not ok and "se-99, which is not one of them" in detail


class Account:
    """A V2 account's shipments for the probe: create (ship_by_date refused, or taken), the
    duplicate refused (or, `duplicates`, made again), reads, PUT, hold, restore, cancel."""

    def __init__(self, router: respx.Router, ship_by: bool = False, duplicates: bool = False):
        self.rows: dict[str, dict[str, Any]] = {}
        self.ship_by, self.duplicates = ship_by, duplicates
        router.post("/v2/shipments").mock(side_effect=self.create)
        router.get(path__regex=r"^/v2/shipments/external_shipment_id/(?P<ext>.+)$").mock(
            side_effect=self.by_key
        )
        router.get(path__regex=r"^/v2/shipments/(?P<sid>se-\d+)$").mock(side_effect=self.get)
        router.put(path__regex=r"^/v2/shipments/(?P<sid>se-\d+)$").mock(side_effect=self.put)
        router.put(path__regex=r"^/v2/shipments/(?P<sid>se-\d+)/(?P<verb>\w+)$").mock(
            side_effect=self.status
        )

    def create(self, request: httpx.Request) -> httpx.Response:
        (sent,) = json.loads(request.content)["shipments"]
        if "ship_by_date" in sent and not self.ship_by:
            return httpx.Response(400, json=error_body(message="ship_by_date cannot be set"))
        ext = sent["external_shipment_id"]
        taken = [r for r in self.rows.values() if r["external_shipment_id"] == ext]
        if taken and not self.duplicates:
            return httpx.Response(400, json=error_body("identifier_conflict", "already exists"))
        sid = f"se-{700 + len(self.rows)}"
        self.rows[sid] = {**sent, "shipment_id": sid, "shipment_status": "pending",
                          "store_id": "se-77"}  # fmt: skip
        row = {**self.rows[sid], "errors": []}
        return httpx.Response(200, json={"has_errors": False, "shipments": [row]})

    def by_key(self, request: httpx.Request, ext: str) -> httpx.Response:
        found = [r for r in self.rows.values() if r["external_shipment_id"] == ext]
        return httpx.Response(200, json=found[0]) if found else httpx.Response(404)

    def get(self, request: httpx.Request, sid: str) -> httpx.Response:
        return httpx.Response(200, json=self.rows[sid])

    def put(self, request: httpx.Request, sid: str) -> httpx.Response:
        self.rows[sid] = {**self.rows[sid], **json.loads(request.content)}
        return httpx.Response(200, json=self.rows[sid])

    def status(self, request: httpx.Request, sid: str, verb: str) -> httpx.Response:
        new = {"hold": "on_hold", "restore": "pending", "cancel": "cancelled"}[verb]
        self.rows[sid]["shipment_status"] = new
        return httpx.Response(204)


def probed(api: ShipStationV2Api) -> dict[str, tuple[bool, str]]:
    return lines(probe_write(api, "se-5", 77, date(2026, 3, 2), name="temuship-probe-t1"))


ID = re.compile(r"se-\d+")


def verbs(router: respx.Router) -> list[str]:
    return [f"{c.request.method} {ID.sub('ID', c.request.url.path)}" for c in router.calls]


class TestProbe:
    def test_one_test_shipment_goes_through_every_step_and_ends_cancelled(self, router, api):
        ss = Account(router)
        said = probed(api)
        assert all(ok for ok, _ in said.values()), said
        assert [r["shipment_status"] for r in ss.rows.values()] == ["cancelled"]
        (row,) = ss.rows.values()
        assert row["external_shipment_id"] == row["shipment_number"] == "temuship-probe-t1"
        assert row["warehouse_id"] == "se-5"
        sent = json.loads(router.calls[0].request.content)["shipments"][0]
        assert sent["store_id"] == "77"  # a string, as temuship sends it
        assert "refused, naming it" in said["probe ship_by_date on create"][1]
        assert "identifier_conflict" in said["probe duplicate create"][1]
        assert said["probe restore"][1].startswith("PUT /v2/shipments/se-700/restore: HTTP 204")
        writes = [v for v in verbs(router) if not v.startswith("GET")]
        assert writes == [
            "POST /v2/shipments", "POST /v2/shipments", "POST /v2/shipments",
            "PUT /v2/shipments/ID", "PUT /v2/shipments/ID/hold", "PUT /v2/shipments/ID/restore",
            "PUT /v2/shipments/ID/cancel",
        ]  # fmt: skip

    def test_ship_by_date_taken_makes_the_one_shipment(self, router, api):
        ss = Account(router, ship_by=True)
        said = probed(api)
        assert said["probe ship_by_date on create"][1].startswith("taken: se-700 made with it")
        assert len(ss.rows) == 1 and "ship_by_date" in ss.rows["se-700"]

    def test_a_duplicate_the_account_makes_is_red_and_cancelled_too(self, router, api):
        ss = Account(router, duplicates=True)
        said = probed(api)
        assert not said["probe duplicate create"][0]
        assert "a second shipment se-701" in said["probe duplicate create"][1]
        assert {r["shipment_status"] for r in ss.rows.values()} == {"cancelled"}

    def test_a_failing_step_still_ends_with_the_shipment_cancelled(self, router, api):
        router.put("/v2/shipments/se-700/hold").respond(500, json=error_body("unknown", "boom"))
        ss = Account(router)
        said = probed(api)
        assert not said["probe hold"][0] and "HTTP 500" in said["probe hold"][1]
        assert "probe restore" not in said
        assert ss.rows["se-700"]["shipment_status"] == "cancelled" and said["probe cancel"][0]

    def test_a_connection_dropped_mid_way_stops_the_probe_and_cancels(self, router, api):
        router.put("/v2/shipments/se-700").mock(side_effect=httpx.ReadError("dropped"))
        ss = Account(router)
        said = probed(api)
        assert not said["probe stopped"][0]
        assert ss.rows["se-700"]["shipment_status"] == "cancelled"

    def test_a_create_whose_answer_was_lost_is_found_and_cancelled(self, router, api):
        ss = Account(router, ship_by=True)
        real = ss.create

        def lost(request: httpx.Request) -> httpx.Response:
            real(request)  # made, but the answer never comes
            raise httpx.ReadTimeout("no answer")

        router.post("/v2/shipments").mock(side_effect=lost)
        said = probed(api)
        assert not said["probe stopped"][0]
        assert [r["shipment_status"] for r in ss.rows.values()] == ["cancelled"]

    def test_a_refused_create_makes_nothing_and_cancels_nothing(self, router, api):
        Account(router)
        router.post("/v2/shipments").respond(400, json=error_body(request_id="req-c"))
        said = probed(api)
        assert not said["probe create"][0] and "request_id req-c" in said["probe create"][1]
        assert said["probe cancel"] == (True, "no test shipment was made: nothing to cancel")
        assert not any("cancel" in v or v.startswith("PUT") for v in verbs(router))
