"""What a run and the shop dashboard say to a person (flows/reporting.py), without Prefect."""

from __future__ import annotations

from collections import Counter

import pytest

from domain.usecases.sync import SyncSummary
from flows.reporting import (
    attention_markdown,
    dashboard_markdown,
    summary_line,
    summary_rows,
)

NOTHING = "Nothing needs a person"


def summary(status: str = "ok", reason: str | None = None, **counts: int) -> SyncSummary:
    return SyncSummary("acme", status=status, reason=reason, counts=Counter(counts))


def status(**over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "shop": "acme",
        "token": {
            "state": "active",
            "expires_at": "2026-12-20T10:00:00+00:00",
            "expiry_from_temu": True,
            "days_left": 21.0,
        },
        "paused": False,
        "paused_reason": None,
        "last_successful_sync": "2026-11-29T10:00:00+00:00",
        "last_error": None,
        "prices": "read",
        "orders_by_state": {"awaiting_shipment": 4, "shipped": 10, "missing_ship_to": 2},
        "missing_ship_to": 2,
        "held": [],
        "push_failed": [{"order": "PO-1", "reason": "street too long"}],
        "confirmations_by_status": {"confirmed": 9, "pending": 1, "failed": 1},
        "confirmation_problems": [
            {"shipment": "S1", "order": "PO-2", "status": "failed", "reason": "bad carrier"}
        ],
        "conflicts": 0,
        "read_failures": 0,
    }
    return base | over


class TestRunSummary:
    def test_a_clean_run_says_nothing_needs_a_person(self):
        assert NOTHING in attention_markdown(summary(orders_seen=3))

    @pytest.mark.parametrize(
        "outcome",
        [
            summary(orders_seen=3, missing_ship_to_seen=2),
            summary("paused", "Temu access token expired"),
            summary("partial", "ShipStation was down"),
            summary("failed", "boom"),
        ],
        ids=["missing ship-to", "paused", "partial", "failed"],
    )
    def test_never_says_nothing_needs_a_person_beside_a_problem(self, outcome):
        text = attention_markdown(outcome)
        assert NOTHING not in text
        assert outcome.reason is None or outcome.reason in text

    def test_missing_ship_to_is_said_in_words(self):
        text = attention_markdown(summary(missing_ship_to_seen=2))
        assert "2 order(s) without a ship-to address" in text

    def test_the_table_has_a_few_readable_rows(self):
        rows = summary_rows(summary(orders_seen=5, orders_new=2, pushed=2, confirmed=1))
        assert len(rows) <= 8
        assert all(set(row) == {"what", "how many", "in words"} for row in rows)
        by_what = {row["what"]: row["how many"] for row in rows}
        assert by_what["Temu orders read"] == 5 and by_what["sent to ShipStation"] == 2

    @pytest.mark.parametrize("state", ["ok", "partial", "paused", "skipped", "failed"])
    def test_the_last_line_is_words_not_a_dict(self, state):
        line = summary_line(summary(state, "a reason", orders_seen=1))
        assert "{" not in line and "'" not in line


class TestDashboard:
    def test_an_active_shop_at_a_glance(self):
        text = dashboard_markdown(status(), None, [])
        assert "**Syncing.**" in text
        assert "active, 21 day(s) left" in text
        assert "2: not sent until Temu gives the address" in text
        assert "9 confirmed, 1 pending, 1 failed" in text
        assert "shipment S1 (order PO-2), failed: bad carrier" in text
        assert "PO-1: street too long" in text
        assert "| **Ship-by risk** | none |" in text
        assert "**Needs a person:** 2 order(s) missing a ship-to; 1 order(s) ShipStation" in text

    def test_a_quiet_shop_needs_nobody(self):
        quiet = status(missing_ship_to=0, push_failed=[], confirmations_by_status={},
                       confirmation_problems=[])  # fmt: skip
        assert "**Nothing needs a person.**" in dashboard_markdown(quiet, None, [])

    def test_a_paused_shop_links_the_run_that_waits_for_its_token(self):
        url = "http://127.0.0.1:4200/v2/runs/flow-run/123"
        paused = status(paused=True, paused_reason="Temu access token expired",
                        token={"state": "reauthorizing", "expires_at": None})  # fmt: skip
        text = dashboard_markdown(paused, ("reauthorize acme", url), None)
        assert "**Paused: nothing is read or sent.** Why: Temu access token expired" in text
        assert f"[reauthorize acme]({url})" in text
        assert "| **Ship-by risk** | not watched yet |" in text

    def test_a_paused_shop_with_no_waiting_run_says_what_to_do(self):
        paused = status(paused=True, paused_reason="Temu access token expired")
        assert "temuship reauthorize acme --access-token" in dashboard_markdown(paused)


class TestProgress:
    def test_a_span_is_done_as_far_as_its_windows_and_pages_got(self):
        from datetime import UTC, datetime, timedelta

        from domain.ports import TimeWindow
        from domain.usecases.sync import Stream, SyncRequest
        from flows.sync import Progress

        start = datetime(2026, 11, 1, tzinfo=UTC)
        span = TimeWindow(start, start + timedelta(hours=10))
        progress = Progress(SyncRequest("acme", start))
        progress.streams = [Stream(None, 1), Stream(span)]
        assert progress._share(Stream(None, 1), 1.0) == 0.5
        half = Stream(TimeWindow(start, start + timedelta(hours=5)))
        assert progress._share(half, 1.0) == 0.75
        assert progress._share(half, 0.5) == 0.625
        assert progress._share(Stream(None, 9), 1.0) == 1.0
