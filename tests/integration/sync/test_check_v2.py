"""`temuship check NAME [--probe-write]` on a V2 shop against the simulated ShipStation (its
stricter readings on): a line for each point the V2 reference leaves open; the probe's one
test shipment, cancelled; a V1 shop refused the probe."""

from __future__ import annotations

import re

from tests.integration.sync.sync_helpers import flat
from tests.integration.sync.test_sync_v2 import connect_v2

PROBE = re.compile(r"^temuship-probe-[0-9a-f]{8}$")


def writes(sandbox) -> dict[str, int]:
    calls = sandbox.shipstation.counters.calls
    return {k: v for k, v in calls.items() if not k.startswith("GET")}


def test_check_says_each_point_a_read_settles_and_writes_nothing(cli, sandbox, shop_id):
    name = shop_id[:20]
    assert connect_v2(cli, name).exit_code == 0
    before = writes(sandbox)
    result = cli("check", name)
    said = flat(result.output)
    assert result.exit_code == 0, result.output
    for line in ("V2 auth: the API-Key header is taken", "V2 warehouses: 2 warehouses; default",
                 "V2 carriers: 4 carriers", "V2 paging: one shipment a page: total, page, pages, "
                 "links; links.next", "V2 page size: page_size 101 refused: HTTP 400",
                 "V2 rate headers: no X-Rate-Limit-*", "V2 ids: ", "V2 store id: ",
                 "V2 voids query: label_status=voided by modified_at taken"):  # fmt: skip
        assert line in said, line
    assert "probe" not in said and writes(sandbox) == before and not sandbox.shipstation.orders


def test_probe_write_makes_one_test_shipment_and_cancels_it(cli, sandbox, shop_id):
    name = shop_id[:20]
    assert connect_v2(cli, name).exit_code == 0
    result = cli("check", name, "--probe-write")
    said = flat(result.output)
    assert result.exit_code == 0, result.output
    ((key, order),) = sandbox.shipstation.orders.items()
    assert PROBE.match(key) and order["orderNumber"] == key
    assert order["orderStatus"] == "cancelled"
    for step in ("probe ship_by_date on create: refused, naming it", "probe create: se-",
                 "probe duplicate create: refused: HTTP 400 identifier_conflict",
                 "probe update (PUT whole): HTTP 200", "probe hold: until ", "now on_hold",
                 "probe restore: PUT /v2/shipments/", "now pending",
                 "probe cancel: se-"):  # fmt: skip
        assert step in said, step
    assert "request_id" in said and "now cancelled" in said


def test_probe_write_on_a_v1_shop_is_refused_before_anything_is_asked(cli, sandbox, shop_id):
    assert cli.connect(shop_id).exit_code == 0
    before = dict(sandbox.shipstation.counters.calls)
    result = cli("check", shop_id, "--probe-write")
    assert result.exit_code == 2
    assert "--probe-write is for ShipStation V2 shops" in flat(result.output)
    assert dict(sandbox.shipstation.counters.calls) == before
