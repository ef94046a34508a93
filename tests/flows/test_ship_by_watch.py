"""The hourly ship-by watch under Prefect: one event per order and horizon, a table artifact
per shop, help for its parameters, a shop that fails not stopping the others, and README's
automation turning each announcement into one message."""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import yaml
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactCollectionFilter, ArtifactCollectionFilterKey

from domain.order import Order
from domain.usecases import ship_by
from flows import wiring
from flows.reporting import artifact_key
from flows.ship_by_watch import ship_by_watch
from flows.wiring import PrefectEvents
from tests.builders import address, ctx, parent_sn, shop, temu_order
from tests.flows.flow_support import MovableClock, RecordingEvents, wait_until

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
EVENT = "temuship.order.ship_by_at_risk"


@pytest.fixture
def services(tmp_path: Path):
    events, clock = RecordingEvents(), MovableClock(NOW)
    services = wiring.bootstrap(f"sqlite:///{tmp_path / 'temuship.db'}", events=events,
                                clock=clock)  # fmt: skip
    with wiring.using(services):
        yield services


def add_shop(services, shop_id: str) -> None:
    with services.uow() as uow:
        uow.shops.save(shop(shop_id))
        uow.commit()


def add_order(services, shop_id: str, ship_in_hours: float) -> str:
    sn = parent_sn()
    seen = replace(temu_order(sn, ship_to=address()), ship_by=NOW + timedelta(hours=ship_in_hours))
    order = Order(shop_id, sn)
    order.observe(seen, ctx())
    with services.uow() as uow:
        uow.orders.save_many([order])
        uow.commit()
    return sn


def latest_table(key: str) -> list[dict]:
    with get_client(sync_client=True) as client:
        found = client.read_latest_artifacts(
            artifact_filter=ArtifactCollectionFilter(key=ArtifactCollectionFilterKey(any_=[key]))
        )
    assert found, key
    data = found[0].data
    return json.loads(data) if isinstance(data, str) else data


class TestShipByWatch:
    def test_announces_each_order_once_and_leaves_a_table_per_shop(self, services):
        add_shop(services, "Acme Store")
        late, soon = add_order(services, "Acme Store", -3), add_order(services, "Acme Store", 5)
        add_order(services, "Acme Store", 30)

        (first,) = ship_by_watch()
        assert first == {"shop": "Acme Store", "horizon_hours": 24, "at_risk": 2, "late": 1,
                         "announced": [late, soon]}  # fmt: skip
        payloads = services.events.named(EVENT)
        assert [(p["order"], p["late"], p["hours_left"]) for p in payloads] == [
            (late, True, -3.0),
            (soon, False, 5.0),
        ]
        assert all(p["shop"] == "Acme Store" and p["horizon_hours"] == 24 for p in payloads)

        services.clock.at = NOW + timedelta(hours=1)
        (second,) = ship_by_watch()
        assert second["announced"] == [] and second["at_risk"] == 2
        assert len(services.events.named(EVENT)) == 2

        table = latest_table(artifact_key("ship-by", "Acme Store"))
        assert [(r["order"], r["late"], r["announced_now"]) for r in table] == [
            (late, True, False),
            (soon, False, False),
        ]
        assert table[1]["ship_by"] == "2026-12-01 14:00 UTC" and table[1]["hours_left"] == 4.0
        assert "Main St" not in json.dumps(table) and "upl-" not in json.dumps(table)

    def test_horizon_and_shops_are_parameters(self, services):
        for name in ("one", "two"):
            add_shop(services, name)
        add_order(services, "one", 30)
        add_order(services, "two", 30)
        assert [r["shop"] for r in ship_by_watch(horizon_hours=48, shop_ids=["two"])] == ["two"]
        assert [p["shop"] for p in services.events.named(EVENT)] == ["two"]
        assert [p["horizon_hours"] for p in services.events.named(EVENT)] == [48]

        (quiet,) = ship_by_watch(shop_ids=["one"])  # 30 h away: nothing within 24 h
        assert quiet["at_risk"] == 0 and latest_table(artifact_key("ship-by", "one")) == []

    def test_a_failing_shop_fails_the_run_after_the_others_are_watched(self, services, monkeypatch):
        for name in ("bad", "good"):
            add_shop(services, name)
        good = add_order(services, "good", 1)
        real = ship_by.watch_shop

        def watch(svc, shop_id, horizon_hours=24):
            if shop_id == "bad":
                raise RuntimeError("database went away")
            return real(svc, shop_id, horizon_hours)

        monkeypatch.setattr(ship_by, "watch_shop", watch)
        with pytest.raises(RuntimeError, match="failed for bad"):
            ship_by_watch()
        assert [p["order"] for p in services.events.named(EVENT)] == [good]

    def test_the_parameters_have_help_text(self):
        schema = ship_by_watch.parameters.model_dump()["properties"]
        assert set(schema) == {"horizon_hours", "shop_ids"}
        assert "ship-by" in schema["horizon_hours"]["description"]
        assert "default: every connected shop" in schema["shop_ids"]["description"]
        assert schema["horizon_hours"]["default"] == 24


README = Path(__file__).resolve().parents[2] / "README.md"


def readme_automation() -> dict:
    """The automation README.md gives for mail or Slack on each ship-by announcement."""
    text = README.read_text()
    section = text[text.index("**Mail or Slack on each announcement**") :]
    block = section[section.index("```yaml") + len("```yaml") : section.index("```\n", 10)]
    return yaml.safe_load(block)


class Webhook:
    """A local HTTP endpoint standing in for Slack: it keeps every JSON body posted to it."""

    def __init__(self) -> None:
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append(json.loads(body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_the_readme_automation_sends_a_message_for_each_announcement(tmp_path):
    """README.md's automation, created as `prefect automation create --from-file` does, with a
    webhook notification block (as Slack's is): each order announced by the watch reaches it,
    once, named with its shop and ship-by time."""
    from prefect.blocks.notifications import CustomWebhookNotificationBlock
    from prefect.events.schemas.automations import AutomationCore

    hook = Webhook()
    events, clock = PrefectEvents(), MovableClock(NOW)
    services = wiring.bootstrap(f"sqlite:///{tmp_path / 't.db'}", events=events, clock=clock)
    tag = uuid.uuid4().hex[:6]
    shop_id = f"mail-{tag}"
    block = CustomWebhookNotificationBlock(
        name=f"ship-by-{tag}", url=hook.url, json_data={"text": "{{subject}}\n{{body}}"}
    )
    spec = readme_automation()
    spec["name"] += f" {tag}"
    spec["actions"][0]["block_document_id"] = str(block.save(f"ship-by-{tag}"))
    with get_client(sync_client=True) as client:
        automation_id = client.create_automation(AutomationCore.model_validate(spec))
    try:
        with wiring.using(services):
            add_shop(services, shop_id)
            late = add_order(services, shop_id, -3)
            report = ship_by.watch_shop(services, shop_id)
            assert report.announced == (late,)
            ship_by.watch_shop(services, shop_id)  # announced already: no second message

        wait_until("the message", lambda: hook.received, 60)
        # Nothing more comes of the second watch: an announcement made after it arrives, and
        # the late order still has one message.
        marker = {"shop": shop_id, "order": "PO-MARKER", "ship_by": "2026-12-01T07:00:00+00:00",
                  "hours_left": 1.0, "late": False, "horizon_hours": 24}  # fmt: skip
        events.emit(EVENT, shop_id, marker)
        wait_until("the later message", lambda: any("PO-MARKER" in m["text"]
                                                    for m in hook.received), 60)  # fmt: skip
        assert [m for m in hook.received if late in m["text"]] == hook.received[:1]
        assert len(hook.received) == 2, hook.received
        text = hook.received[0]["text"]
        assert late in text and shop_id in text and "2026-12-01T06:00:00+00:00" in text
        assert "no label yet" in text
    finally:
        with get_client(sync_client=True) as client:
            client.delete_automation(automation_id)
        hook.close()
