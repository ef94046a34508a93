"""serve starts the Prefect server it started again when it dies: up to three times within an
hour, then it stops and says why; a restart an hour or more ago no longer counts."""

from __future__ import annotations

from flows.serve.service import RESTARTS, RESTARTS_WITHIN_S, Restarts


def test_restarts_in_quick_succession_are_counted_up_to_the_limit():
    restarts = Restarts()
    counted = [restarts.count(at) for at in (0.0, 20.0, 40.0, 60.0)]
    assert counted == [1, 2, 3, 4]
    assert counted[RESTARTS] > RESTARTS  # the fourth stops serve


def test_a_restart_an_hour_ago_no_longer_counts():
    restarts = Restarts()
    for at in (0.0, 10.0, 20.0):
        restarts.count(at)
    assert restarts.count(RESTARTS_WITHIN_S + 5.0) == 3  # the one at 0 s fell out
    assert restarts.count(RESTARTS_WITHIN_S + 25.0) == 2  # those at 10 s and 20 s too


def test_a_server_that_dies_once_a_week_never_stops_serve():
    restarts = Restarts()
    week = 7 * 24 * 3600.0
    assert max(restarts.count(n * week) for n in range(30)) == 1
