"""One count, one meaning: each figure a seller reads (orders read, orders waiting for a ship-to,
orders by state, confirmations, orders to ship now, what needs a person) is computed here from
the database, and every surface that shows it says the same: `temuship sync` as text and as
JSON, the run's `sync-summary-<shop>` artifact, `temuship status` as text and as JSON, the shop's
dashboard, and the ship-by events. On SQLite, and PostgreSQL when TEMUSHIP_TEST_DATABASE_URL is
set."""

from __future__ import annotations

import json
import random
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from adapters.db.engine import engine_for
from adapters.db.tables import CONFIRMATIONS, ORDERS
from adapters.sandbox.launcher import Sandbox
from adapters.sandbox.temu.seed import make_address
from domain.model import order_key
from flows import wiring
from flows.cli.app import app
from flows.wording import state_words
from tests.flows.flow_support import RecordingEvents
from tests.integration.sync.sync_helpers import Cli, fast_temu

OPEN = (1, 2, 41, 51)
SHIP_BY_EVENT = "temuship.order.ship_by_at_risk"


class Shop:
    """A shop of its own over the sandbox, run through the `temuship` command with its events
    recorded."""

    def __init__(self, cli: Cli, name: str) -> None:
        self.cli, self.name = cli, name
        self.events = RecordingEvents()
        self.services = wiring.bootstrap(cli.database_url, temu_for=fast_temu,
                                         events=self.events)  # fmt: skip

    def run(self, *args: str, code: int = 0) -> str:
        env = {"TEMUSHIP_DATABASE_URL": self.cli.database_url,
               "TEMUSHIP_HOME": str(self.cli.home), "COLUMNS": "200"}  # fmt: skip
        with wiring.using(self.services):
            done = self.cli.runner.invoke(app, list(args), env=env, catch_exceptions=False)
        assert done.exit_code == code, done.output
        return str(done.stdout)

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json"))


class Truth:
    """The figures, read from the database with plain queries."""

    def __init__(self, database_url: str, shop: str, now: datetime) -> None:
        o, c = ORDERS.c, CONFIRMATIONS.c
        with engine_for(database_url).connect() as conn:
            rows = conn.execute(select(o.parent_order_sn, o.state, o.snapshot, o.held_reason,
                                       o.push_error).where(o.shop_id == shop)).all()  # fmt: skip
            confirmations = [r.status for r in conn.execute(
                select(c.status).where(c.shop_id == shop))]  # fmt: skip
        self.orders = len(rows)
        self.by_state: dict[str, int] = {}
        for row in rows:
            self.by_state[row.state] = self.by_state.get(row.state, 0) + 1
        self.waiting = self.by_state.get("missing_ship_to", 0)
        self.confirmed = confirmations.count("confirmed")
        self.failed = confirmations.count("failed")
        waiting_label = [r for r in rows if r.state in ("on_hold", "awaiting_shipment")]
        ship_by = {r.parent_order_sn: datetime.fromisoformat(r.snapshot["ship_by"])
                   for r in waiting_label if r.snapshot and r.snapshot.get("ship_by")}  # fmt: skip
        self.late = {sn for sn, when in ship_by.items() if when <= now}
        self.due = {sn for sn, when in ship_by.items() if now < when <= now + timedelta(hours=24)}
        self.held = sum(1 for r in rows if r.held_reason)
        self.refused = sum(1 for r in rows if r.push_error)

    @property
    def needs_person(self) -> int:
        return len(self.late) + len(self.due) + self.failed + self.held + self.refused


def latest_artifact(key: str) -> Any:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
            sort=ArtifactSort.CREATED_DESC, limit=1,
        )  # fmt: skip
    assert found, f"no artifact {key}"
    data = found[0].data
    return json.loads(data) if isinstance(data, str) and key.startswith("sync-summary") else data


def summary_row(shop: str, what: str) -> int:
    rows = latest_artifact(f"sync-summary-{shop}")
    return int(next(row["how many"] for row in rows if row["what"] == what))


def number(pattern: str, text: str) -> int:
    """The number `pattern` (a regex with one group) finds in `text`; 0 when it says `none`."""
    found = re.search(pattern, text)
    assert found, f"{pattern!r} not in:\n{text}"
    return 0 if found.group(1) == "none" else int(found.group(1))


def shape_the_shop(sandbox: Sandbox) -> tuple[set[str], set[str]]:
    """Every open order's ship-by a week away, but two late and three due within the day (each
    awaiting shipment with an address): those five need a person until they get a label."""
    temu, rng = sandbox.temu, random.Random(5)
    now = temu.clock.seconds()
    with temu.lock:
        shippable = sorted(sn for sn, o in temu.orders.items()
                           if o.status == 2 and o.address is not None)  # fmt: skip
        late, due = set(shippable[:2]), set(shippable[2:5])
        for sn, order in temu.orders.items():
            if order.status in OPEN:
                order.ship_by = now + 7 * 86_400
            if sn in late | due:
                order.ship_by = now - 5 * 3600 if sn in late else now + 5 * 3600
                order.address = order.address or make_address(rng, 1)
    return late, due


def buy_labels(sandbox: Sandbox, shop: str, skip: set[str], count: int) -> None:
    """Labels for `count` orders awaiting shipment in ShipStation (never those in `skip`)."""
    ss = sandbox.shipstation
    keys = sorted(k for k, o in ss.orders.items() if o["orderStatus"] == "awaiting_shipment"
                  and k not in {order_key(shop, sn) for sn in skip})  # fmt: skip
    for key in keys[:count]:
        ss.create_labels(key)


@pytest.mark.slow
def test_every_surface_says_what_the_database_says(
    sandbox: Sandbox, any_database_url: str, tmp_path: Path
) -> None:
    sandbox.temu.seed_orders(60, seed=20261127)
    late, due = shape_the_shop(sandbox)
    name = f"one-{uuid.uuid4().hex[:8]}"
    shop = Shop(Cli(any_database_url, tmp_path / "home", sandbox), name)
    assert shop.cli.connect(name).exit_code == 0

    # The first sync, as JSON: orders counted once each, however often a run read them.
    (first,) = shop.json("sync", name)
    truth = Truth(any_database_url, name, datetime.now(UTC))
    assert (truth.late, truth.due) == (late, due)
    counts = first["counts"]
    assert counts["orders_read"] == counts["orders_new"] == truth.orders
    assert counts["orders_without_ship_to"] == truth.waiting
    assert first["needs_person"] == len(first["items"]) == truth.needs_person
    assert summary_row(name, "Temu orders read") == truth.orders
    assert summary_row(name, "waiting for a ship-to") == truth.waiting
    assert summary_row(name, "need a person") == truth.needs_person
    announced = {payload["order"] for payload in shop.events.named(SHIP_BY_EVENT)}
    assert announced == late | due

    # Labels in ShipStation, the held orders' addresses in Temu; the second sync, as text.
    buy_labels(sandbox, name, late | due, 4)
    with sandbox.temu.lock:
        for sn, order in sandbox.temu.orders.items():
            if order.status == 2 and order.address is None:
                sandbox.temu.set_address(sn, make_address(random.Random(3), 1))
    text = " ".join(shop.run("sync", name).split())  # as one line: the console wraps
    truth = Truth(any_database_url, name, datetime.now(UTC))
    assert truth.confirmed > 0
    assert number(r"(\d+) confirmed to Temu", text) == truth.confirmed
    waiting = re.search(r"(\d+) orders? waiting for Temu's ship-to address", text)
    assert (int(waiting.group(1)) if waiting else 0) == truth.waiting
    assert number(r"Needs a person: (\d+)", text) == truth.needs_person
    assert summary_row(name, "confirmed to Temu") == truth.confirmed
    assert summary_row(name, "need a person") == truth.needs_person

    # The shop now: `status` as JSON and as text, and the dashboard, say the same.
    (status,) = shop.json("status", name)
    assert status["orders_by_state"] == truth.by_state
    assert status["missing_ship_to"] == truth.waiting
    assert status["confirmations_by_status"].get("confirmed", 0) == truth.confirmed
    assert status["needs_person"]["total"] == truth.needs_person
    assert status["needs_person"]["by_kind"].get("ship_by_late", 0) == len(truth.late)
    assert {r["order"] for r in status["ship_by_at_risk"]} == truth.late | truth.due
    said = " ".join(shop.run("status", name).split())  # as one line: the console wraps
    board = latest_artifact(f"shop-{name}")
    for shown in (said, board):
        assert number(r"Needs a person:\**\s+(\d+)", shown) == truth.needs_person
        assert number(r"Waiting for a ship-to\**\s+\|?\s*(\d+|none)", shown) == truth.waiting
        assert number(r"Confirmations to Temu\**\s+\|?\s*(\d+) confirmed", shown) == (
            truth.confirmed
        )
        for state, count in truth.by_state.items():
            assert f"{count} {state_words(state)}" in shown, (state, count, shown)
