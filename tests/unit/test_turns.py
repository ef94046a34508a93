"""What the fan-out's turns leave on a shop: since when every turn has skipped it, until a turn
starts its run again; `status` shows it (a row only while skipped)."""

from __future__ import annotations

from datetime import timedelta

from domain.usecases.turns import record_turn, skipped_since
from flows.shop_view import skipped_row
from tests.builders import T0
from tests.fakes import FixedClock, connected_shop


class TestTurns:
    def test_a_shop_skipped_turn_after_turn_is_skipped_since_the_first_until_a_turn_starts_it(
        self,
    ):
        clock = FixedClock(T0)
        _, services = connected_shop(clock=clock)
        record_turn(services, started=["acme"], skipped=[])
        assert skipped_since(services, "acme") is None

        for minutes in (10, 20, 30):
            clock.at = T0 + timedelta(minutes=minutes)
            record_turn(services, started=[], skipped=["acme"])
        assert skipped_since(services, "acme") == T0 + timedelta(minutes=10)
        row = skipped_row({"turns_skipped_since": (T0 + timedelta(minutes=10)).isoformat()}, False)
        assert row and "skipped since" in row[0][1] and "12:10" in row[0][1]

        clock.at = T0 + timedelta(minutes=40)
        record_turn(services, started=["acme"], skipped=[])
        assert skipped_since(services, "acme") is None
        assert skipped_row({"turns_skipped_since": None}, False) == []

        clock.at = T0 + timedelta(minutes=50)
        record_turn(services, started=[], skipped=["acme"])
        assert skipped_since(services, "acme") == T0 + timedelta(minutes=50)
