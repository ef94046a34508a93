"""The one-minute label check: every account each minute, at once after a hint, and a longer
interval when a check would take more than its share of the key's budget."""

from __future__ import annotations

import threading

import pytest

from flows.serve.accounts import Account
from flows.serve.label_check import (
    LabelCheckLoop,
    LabelSchedule,
    UnusableShare,
    base_interval,
    budget_share,
    interval_for,
)
from tests.fakes import FakeTime


def account(name: str, shops: int = 1, api: str = "v1") -> Account:
    ids = tuple(f"{name}-{i}" for i in range(shops))
    return Account(name, api, "https://ssapi.shipstation.com", ids, "****")


class TestInterval:
    def test_a_check_within_the_share_runs_every_minute(self):
        assert interval_for(cost=10, per_minute=40, share=0.25) == 60

    def test_a_costlier_check_stretches_the_interval_to_keep_the_share(self):
        # 30 requests at most 10 a minute (25% of V1's 40): every 3 minutes
        assert interval_for(cost=30, per_minute=40, share=0.25) == 180
        assert interval_for(cost=101, per_minute=200, share=0.25) == 122

    def test_the_share_comes_from_the_setting(self, monkeypatch: pytest.MonkeyPatch):
        monkeypatch.setenv("TEMUSHIP_LABEL_CHECK_SHARE", "50%")
        assert budget_share() == 0.5
        monkeypatch.setenv("TEMUSHIP_LABEL_CHECK_SHARE", "0.1")
        assert budget_share() == 0.1
        monkeypatch.delenv("TEMUSHIP_LABEL_CHECK_SHARE")
        assert budget_share() == 0.25

    @pytest.mark.parametrize("raw", ["0", "1.5", "lots", "-10%"])
    def test_a_share_outside_0_to_1_is_refused(self, monkeypatch: pytest.MonkeyPatch, raw: str):
        monkeypatch.setenv("TEMUSHIP_LABEL_CHECK_SHARE", raw)
        with pytest.raises(UnusableShare, match="TEMUSHIP_LABEL_CHECK_SHARE"):
            budget_share()


class TestBaseInterval:
    def test_the_interval_comes_from_the_setting_and_the_share_still_stretches_it(
        self, monkeypatch: pytest.MonkeyPatch
    ):
        monkeypatch.setenv("TEMUSHIP_LABEL_CHECK_INTERVAL", "15")
        schedule = LabelSchedule(0.25, base_s=base_interval())
        schedule.set_accounts([account("a")], now=0)
        schedule.due(0)
        assert schedule.done("a", cost=2, now=0) == 15
        assert schedule.done("a", cost=10, now=0) == 60

    @pytest.mark.parametrize("raw", ["0", "soon", "7200"])
    def test_an_interval_outside_1_to_3600_seconds_is_refused(
        self, monkeypatch: pytest.MonkeyPatch, raw: str
    ):
        monkeypatch.setenv("TEMUSHIP_LABEL_CHECK_INTERVAL", raw)
        with pytest.raises(UnusableShare, match="TEMUSHIP_LABEL_CHECK_INTERVAL"):
            base_interval()


class TestSchedule:
    def test_a_new_account_is_due_at_once_then_each_minute(self):
        schedule = LabelSchedule(0.25)
        schedule.set_accounts([account("a")], now=0)
        assert [a.account_id for a in schedule.due(0)] == ["a"]
        assert schedule.due(1) == []  # running
        assert schedule.done("a", cost=2, now=5) == 60
        assert schedule.due(64) == []
        assert [a.account_id for a in schedule.due(65)] == ["a"]

    def test_fifty_shops_on_one_account_cost_one_listing_not_fifty(self):
        schedule = LabelSchedule(0.25)
        big, small = account("big", shops=50), account("small", shops=2)
        schedule.set_accounts([big, small], now=0)
        # before any check: a listing of labels and one of voids, whatever the shops
        assert schedule.intervals() == {"big": 60, "small": 60}

    def test_a_check_that_cost_more_than_its_share_stretches_the_interval(self):
        schedule = LabelSchedule(0.25)
        schedule.set_accounts([account("big", shops=50), account("small", shops=2)], now=0)
        schedule.due(0)
        schedule.done("big", cost=40, now=10)  # pages of labels after a busy hour
        assert schedule.intervals()["big"] == 240
        schedule.done("small", cost=4, now=10)
        assert schedule.wait_s(10) == 60  # small's minute comes first

    def test_a_v2_account_has_five_times_the_budget(self):
        schedule = LabelSchedule(0.25)
        schedule.set_accounts([account("v2", shops=50, api="v2")], now=0)
        schedule.due(0)
        assert schedule.done("v2", cost=101, now=0) == 122
        assert schedule.done("v2", cost=40, now=0) == 60

    def test_a_hint_makes_the_account_due_now_however_many(self):
        schedule = LabelSchedule(0.25)
        schedule.set_accounts([account("a")], now=0)
        schedule.due(0)
        schedule.done("a", cost=2, now=1)
        for _ in range(10):
            assert schedule.hint("a", now=20)
        assert [a.account_id for a in schedule.due(20)] == ["a"]
        assert schedule.due(20) == []

    def test_a_hint_during_a_check_runs_it_again_once_it_ends(self):
        schedule = LabelSchedule(0.25)
        schedule.set_accounts([account("a")], now=0)
        schedule.due(0)
        schedule.hint("a", now=3)
        schedule.done("a", cost=2, now=4)
        assert [a.account_id for a in schedule.due(4)] == ["a"]

    def test_an_account_whose_shops_left_is_dropped_and_a_hint_for_it_ignored(self):
        schedule = LabelSchedule(0.25)
        schedule.set_accounts([account("a"), account("b")], now=0)
        schedule.set_accounts([account("b")], now=1)
        assert not schedule.hint("a", now=2)
        assert set(schedule.intervals()) == {"b"}

    def test_subscriptions_cost_one_more_request_per_check(self):
        schedule = LabelSchedule(0.25, subscriptions=True)
        schedule.set_accounts([account("a", shops=5)], now=0)
        schedule.due(0)
        assert schedule.done("a", cost=11, now=0) == 66  # 11 requests at 10 a minute


class TestLoop:
    def test_the_loop_checks_each_account_and_records_its_interval(self):
        clock, checked, recorded, both = FakeTime(), [], [], threading.Event()

        def check(acc: Account) -> int:
            checked.append(acc.account_id)
            if len(checked) == 2:
                both.set()
            return 30

        loop = LabelCheckLoop(
            LabelSchedule(0.25), lambda: [account("a"), account("b")], check,
            monotonic=clock.monotonic, on_done=lambda acc, s: recorded.append((acc.account_id, s)),
        )  # fmt: skip
        loop.start()
        assert both.wait(timeout=10)
        assert loop.stop(timeout=10)
        assert sorted(checked) == ["a", "b"]  # the fake clock stands still: once each
        assert sorted(recorded) == [("a", 180), ("b", 180)]

    def test_a_failing_check_is_logged_and_the_account_stays_scheduled(self):
        clock = FakeTime()

        def check(acc: Account) -> int:
            raise RuntimeError("ShipStation said no")

        schedule = LabelSchedule(0.25)
        loop = LabelCheckLoop(schedule, lambda: [account("a")], check, monotonic=clock.monotonic)
        loop._refresh_accounts()
        for acc in schedule.due(clock.monotonic()):
            loop._check_one(acc)
        assert schedule.intervals() == {"a": 60}
        assert schedule.wait_s(clock.monotonic()) == 60


class TestSubscriptionsKept:
    def test_subscriptions_are_listed_once_in_ten_minutes_however_many_checks(self):
        from flows.serve.wiring import SUBSCRIPTIONS_EVERY_S, label_check

        clock, kept = FakeTime(), []

        class Keeper:
            def keep(self, acc: Account) -> int:
                kept.append(acc.account_id)
                return 1

        check = label_check(None, Keeper(), lambda acc: None, clock.monotonic)  # type: ignore[arg-type]
        assert [check(account("a")) for _ in range(5)] == [1, 0, 0, 0, 0]
        clock.sleep(SUBSCRIPTIONS_EVERY_S)
        assert check(account("a")) == 1 and kept == ["a", "a"]
