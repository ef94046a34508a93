"""What a run and the shop dashboard say to a person (flows/reporting.py), without Prefect."""

from __future__ import annotations

from collections import Counter

import pytest

from domain.sync import Attention, AttentionKind, RunStatus, SyncSummary
from flows.reporting import (
    attention_markdown,
    dashboard_markdown,
    summary_line,
    summary_rows,
)

NOTHING = "Nothing needs a person"


def summary(
    status: str = "ok",
    reason: str | None = None,
    attention: list[tuple[str, str, str]] | None = None,
    **counts: int,
) -> SyncSummary:
    items = [Attention(AttentionKind(kind), subject, why) for kind, subject, why in attention or []]
    return SyncSummary(
        "acme", status=RunStatus(status), reason=reason, counts=Counter(counts), attention=items
    )


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
        "needs_person": {"total": 2, "by_kind": {"push_failed": 1, "confirmation_failed": 1}},
    }
    return base | over


def needing(**by_kind: int) -> dict[str, object]:
    """A status's `needs_person` (domain/usecases/reports.py computes it from the store)."""
    return {"needs_person": {"total": sum(by_kind.values()), "by_kind": by_kind}}


class TestRunSummary:
    def test_a_clean_run_says_nothing_needs_a_person(self):
        assert NOTHING in attention_markdown(summary(orders_read=3))

    @pytest.mark.parametrize(
        "outcome",
        [
            summary("paused", "Temu access token expired"),
            summary("partial", "ShipStation was down"),
            summary("failed", "boom"),
        ],
        ids=["paused", "partial", "failed"],
    )
    def test_never_says_nothing_needs_a_person_beside_a_problem(self, outcome):
        text = attention_markdown(outcome)
        assert NOTHING not in text
        assert outcome.reason is None or outcome.reason in text

    def test_a_paused_shop_always_needs_a_person(self):
        paused = SyncSummary("acme")
        paused.end(RunStatus.PAUSED, "Temu access token expired")
        assert paused.needs_person == 1
        assert "**Needs a person:** 1 shop paused (nothing is read or sent)." in (
            attention_markdown(paused)
        )

    def test_orders_waiting_for_their_ship_to_are_said_in_words_and_need_nobody(self):
        text = attention_markdown(summary(orders_without_ship_to=2))
        assert "2 orders wait for Temu's ship-to address" in text
        assert NOTHING in text

    def test_the_table_counts_orders_once_and_says_what_each_row_counts(self):
        rows = summary_rows(summary(orders_read=5, orders_seen=9, orders_new=2, pushed=2,
                                    confirmed=1))  # fmt: skip
        assert len(rows) <= 10
        assert all(set(row) == {"what", "how many", "in words"} for row in rows)
        by_what = {row["what"]: row["how many"] for row in rows}
        assert by_what["Temu orders read"] == 5 and by_what["sent to ShipStation"] == 2
        assert by_what["new to temuship"] == 2

    @pytest.mark.parametrize(
        "kind",
        ["held", "conflict", "read_problem", "not_found", "push_failed", "label_unreadable",
         "label_unresolved", "confirmation_failed", "confirmation_waiting",
         "confirmation_retry", "ship_by_risk", "step_failed", "shop_paused"],
    )  # fmt: skip
    def test_every_item_says_what_it_is_and_what_to_do(self, kind):
        text = attention_markdown(
            summary(attention=[(kind, "PO-1", "a reason")], **{f"attention_{kind}": 1})
        )
        row = next(line for line in text.splitlines() if "| a reason |" in line)
        what = row.split("|")[1].strip()
        assert what and "_" not in what, f"{kind} is not said in words: {row}"
        assert not row.endswith("|  |"), f"no advice for {kind}: {row}"

    def test_a_confirmation_names_its_order_beside_the_shipment(self):
        item = Attention(AttentionKind.CONFIRMATION_FAILED, "33974382", "refused", "PO-7")
        outcome = SyncSummary("acme", attention=[item],
                              counts=Counter(attention_confirmation_failed=1))  # fmt: skip
        row = next(line for line in attention_markdown(outcome).splitlines() if "33974382" in line)
        assert "| PO-7 | 33974382 |" in row
        assert outcome.to_dict()["items"][0] | {"advice": ""} == {
            "kind": "confirmation_failed", "order": "PO-7", "shipment": "33974382",
            "reason": "refused", "advice": ""}  # fmt: skip

    @pytest.mark.parametrize("state", ["ok", "partial", "paused", "skipped", "failed"])
    def test_the_last_line_is_words_not_a_dict(self, state):
        line = summary_line(summary(state, "a reason", orders_read=1))
        assert "{" not in line and "'" not in line and "(s)" not in line


class TestDashboard:
    def test_an_active_shop_at_a_glance(self):
        text = dashboard_markdown(status(ship_by_at_risk=[]))
        assert "**Syncing: orders go from Temu to ShipStation" in text
        assert "active: 21 days left (until 2026-12-20 10:00 UTC)" in text
        assert "| **Waiting for a ship-to** | 2: Temu has not given the address yet" in text
        assert "9 confirmed, 1 pending, 1 failed" in text
        assert "PO-2, shipment S1 (failed): bad carrier" in text
        assert "PO-1: street too long" in text
        assert "| **Ship-by** | no order due within 24 h without a label |" in text
        assert "**Needs a person:** 2 things: 1 order ShipStation refused; 1 confirmation Temu" in (
            text
        )

    def test_a_quiet_shop_needs_nobody(self):
        quiet = status(missing_ship_to=0, push_failed=[], confirmations_by_status={},
                       confirmation_problems=[], **needing())  # fmt: skip
        assert "**Nothing needs a person.**" in dashboard_markdown(quiet | {"ship_by_at_risk": []})

    def test_a_paused_shop_links_the_run_that_waits_for_its_token(self):
        url = "http://127.0.0.1:4200/v2/runs/flow-run/123"
        paused = status(paused=True, paused_reason="Temu access token expired",
                        token={"state": "reauthorizing", "expires_at": None},
                        **needing(shop_paused=1))  # fmt: skip
        text = dashboard_markdown(paused, ("reauthorize acme", url))
        assert "**Paused: nothing is read or sent.** Why: Temu access token expired" in text
        assert f"[reauthorize acme]({url})" in text
        assert "| **Ship-by** | not watched yet |" in text
        assert "**Needs a person:** 1 shop paused (nothing is read or sent)." in text

    def test_a_paused_shop_with_no_waiting_run_says_what_to_do(self):
        paused = status(paused=True, paused_reason="Temu access token expired")
        assert "temuship reauthorize acme --access-token" in dashboard_markdown(paused)

    def test_the_reason_names_the_shop_not_a_placeholder(self):
        reason = "Temu access token expired: run `temuship reauthorize SHOP --access-token ...`"
        text = dashboard_markdown(status(paused=True, paused_reason=reason))
        assert "SHOP" not in text
        assert "Why: Temu access token expired: run `temuship reauthorize acme --access" in text

    def test_a_token_temu_stopped_taking_early_is_not_said_to_have_run_out(self):
        early = {"state": "reauthorizing", "expires_at": "2027-06-01T10:00:00+00:00",
                 "days_left": 180.0}  # fmt: skip
        text = dashboard_markdown(status(paused=True, paused_reason="expired", token=early))
        assert "was valid until" not in text
        assert "Temu stopped accepting it before its expiry date, 2027-06-01 10:00 UTC" in text
        late = early | {"expires_at": "2026-11-01T10:00:00+00:00", "days_left": -28.0}
        text = dashboard_markdown(status(paused=True, paused_reason="expired", token=late))
        assert "(it was valid until 2026-11-01 10:00 UTC)" in text

    def test_the_ship_by_list_names_each_order_late_ones_said_late_earliest_first(self):
        at_risk = [
            {"order": "PO-L", "ship_by": "2026-11-30T08:00:00+00:00", "hours_left": -2.04,
             "late": True},
            {"order": "PO-D", "ship_by": "2026-11-30T20:00:00+00:00", "hours_left": 9.96,
             "late": False},
        ]  # fmt: skip
        text = dashboard_markdown(status(ship_by_at_risk=at_risk, ship_by_horizon_hours=24,
                                         **needing(ship_by_late=1, ship_by_due=1)))  # fmt: skip
        row = "| **Ship-by** | 1 order late, 1 order due within 24 h, no label yet"
        assert row in text
        listed = text.split("### Orders to ship now")[1]
        assert listed.index("PO-L") < listed.index("PO-D")
        assert "- PO-L: ship by 2026-11-30 08:00 UTC (**late by 2 h**)" in listed
        assert "- PO-D: ship by 2026-11-30 20:00 UTC (10 h left)" in listed
        assert "2 things: 1 order late to ship; 1 order due to ship within 24 h." in text

    def test_a_long_delay_is_said_in_days(self):
        at_risk = [{"order": "PO-L", "ship_by": "2026-11-05T08:00:00+00:00", "hours_left": -597.0,
                    "late": True}]  # fmt: skip
        assert "(**late by 25 days**)" in dashboard_markdown(status(ship_by_at_risk=at_risk))

    def test_a_long_ship_by_list_is_cut_and_says_how_many_more(self):
        at_risk = [{"order": f"PO-{i}", "ship_by": "2026-11-30T08:00:00+00:00",
                    "hours_left": -1.0, "late": True} for i in range(13)]  # fmt: skip
        text = dashboard_markdown(status(ship_by_at_risk=at_risk))
        assert "- PO-9:" in text and "- PO-10:" not in text and "- …and 3 more" in text


class TestProgress:
    def test_a_span_is_done_as_far_as_its_windows_and_pages_got(self):
        from datetime import UTC, datetime, timedelta

        from domain.ports import TimeWindow
        from domain.sync import Stream, SyncRequest
        from flows.progress import Progress

        start = datetime(2026, 11, 1, tzinfo=UTC)
        span = TimeWindow(start, start + timedelta(hours=10))
        progress = Progress(None, SyncRequest("acme", start))  # type: ignore[arg-type]
        progress.streams = [Stream(None, 1), Stream(span)]
        assert progress._share(Stream(None, 1), 1.0) == 0.5
        half = Stream(TimeWindow(start, start + timedelta(hours=5)))
        assert progress._share(half, 1.0) == 0.75
        assert progress._share(half, 0.5) == 0.625
        assert progress._share(Stream(None, 9), 1.0) == 1.0

    def test_pages_move_it_at_most_every_few_seconds_and_later_steps_always(self):
        from datetime import UTC, datetime

        from domain.sync import Step, StepCall, StepResult, Stream, SyncRequest
        from flows.progress import PAGES_EVERY, Progress

        now = [0.0]
        request = SyncRequest("acme", datetime(2026, 11, 1, tzinfo=UTC))
        progress = Progress(None, request, clock=lambda: now[0])  # type: ignore[arg-type]
        progress.streams = [Stream(None, 2)]
        shown: list[tuple[float, float]] = []

        def show(percent: float, words: str) -> None:
            shown.append((now[0], percent))
            progress.shown_at = now[0]

        progress._show = show  # type: ignore[method-assign]
        result = StepResult((), more=True, total=10_000)
        for page in range(1, int(2 * PAGES_EVERY) + 2):  # a page a second
            progress.moved(
                StepCall(Step.IMPORT_PAGE, lambda: result, Stream(None, 2), page), result
            )
            now[0] += 1.0
        assert [at for at, _ in shown] == [0.0, PAGES_EVERY, 2 * PAGES_EVERY]
        progress.moved(StepCall(Step.PUSH, lambda: result), StepResult(()))
        assert shown[-1] == (now[0], 80.0)  # a later step: shown at once
