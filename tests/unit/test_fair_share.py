"""The fair share of an app key's slots: who is given the next slots, and the key's pace."""

from __future__ import annotations

from adapters.db.fair_share import (
    ALONE,
    BACKLOG,
    HORIZON,
    LIVE,
    RECOVERY,
    SETTLED,
    SLOWED,
    TAIL,
    Claimant,
    grant,
    in_turn,
    pace,
)

STEP = 0.05  # the key's interval (20 a second)
NOW = 1000.0


def waiting(name: str, priority: int = 0, served_at: float = 0.0) -> Claimant:
    return Claimant(name, priority, served_at, waiting_since=NOW - 0.1, asked_at=NOW - 0.1)


class TestTheTurn:
    def test_incremental_work_goes_before_a_backlog_whoever_waited_longer(self) -> None:
        backlog = Claimant("big", BACKLOG, 0.0, waiting_since=NOW - 5, asked_at=NOW)
        quiet = waiting("quiet", served_at=NOW - 0.01)
        assert [c.name for c in in_turn([backlog, quiet], NOW)] == ["quiet", "big"]

    def test_shops_of_one_priority_go_in_turn_the_longest_unserved_first(self) -> None:
        shops = [waiting("a", served_at=NOW - 1), waiting("b", served_at=NOW - 3),
                 waiting("c", served_at=NOW - 2)]  # fmt: skip
        assert [c.name for c in in_turn(shops, NOW)] == ["b", "c", "a"]

    def test_a_claimant_that_stopped_asking_no_longer_waits(self) -> None:
        dead = Claimant("dead", 0, 0.0, waiting_since=NOW - 9, asked_at=NOW - LIVE - 0.01)
        served = Claimant("served", 0, NOW - 0.5, waiting_since=None, asked_at=NOW)
        assert in_turn([dead, served, waiting("alive")], NOW) == [waiting("alive")]


class TestTheGrant:
    def test_a_shop_alone_takes_what_it_wants_up_to_its_horizon(self) -> None:
        given = grant(waiting("big", BACKLOG), [], next_at=NOW - 1, now=NOW, interval=STEP,
                      wanted=20)  # fmt: skip
        assert (given.count, given.start) == (ALONE + 1, NOW)

    def test_beside_another_shop_a_backlog_queues_only_a_few_slots_ahead(self) -> None:
        me, quiet = waiting("big", BACKLOG), Claimant("quiet", asked_at=NOW - 0.5)
        given = grant(me, [quiet], next_at=NOW, now=NOW, interval=STEP, wanted=20)
        assert given.count == HORIZON[BACKLOG] + 1
        queued = NOW + (HORIZON[BACKLOG] + 1) * STEP
        later = grant(me, [quiet], next_at=queued, now=NOW, interval=STEP, wanted=20)
        assert later.count == 0
        half = (HORIZON[BACKLOG] + 1) // 2 * STEP
        assert abs(later.retry_at - (queued - half)) < 1e-9  # its queue half drained

    def test_a_quiet_shop_arriving_queues_right_behind_a_backlogs_full_queue(self) -> None:
        big = Claimant("big", BACKLOG, served_at=NOW - 0.01, asked_at=NOW)
        queued = NOW + (HORIZON[BACKLOG] + 1) * STEP  # all the backlog may have ahead
        given = grant(waiting("quiet"), [big], next_at=queued, now=NOW, interval=STEP, wanted=8)
        assert given.count >= 1 and given.start == queued

    def test_a_backlog_waits_while_a_quiet_shop_waits(self) -> None:
        quiet = waiting("quiet", served_at=NOW - 0.2)
        given = grant(waiting("big", BACKLOG), [quiet], NOW + 2 * STEP, NOW, STEP, wanted=8)
        assert given.count == 0 and given.retry_at == NOW + STEP

    def test_the_quiet_shop_is_given_its_slot_ahead_of_a_waiting_backlog(self) -> None:
        big = waiting("big", BACKLOG, served_at=NOW - 5)
        given = grant(waiting("quiet", served_at=NOW - 0.2), [big], NOW + 2 * STEP, NOW, STEP, 3)
        assert (given.count, given.start) == (3, NOW + 2 * STEP)

    def test_a_slot_nobody_else_comes_for_is_taken_one_at_a_time(self) -> None:
        quiet = waiting("quiet")  # waits, but its process has not asked again yet
        given = grant(waiting("big", BACKLOG), [quiet], NOW - 1, NOW, STEP, wanted=8)
        assert (given.count, given.start) == (1, NOW)

    def test_a_shop_waiting_behind_others_asks_again_about_when_its_turn_comes(self) -> None:
        others = [waiting(name, served_at=NOW - 9) for name in "abc"]
        given = grant(waiting("d", served_at=NOW - 1), others, NOW + 5 * STEP, NOW, STEP, 4)
        assert given.count == 0 and abs(given.retry_at - (NOW + 3 * STEP)) < 1e-9

    def test_two_hungry_shops_alternate(self) -> None:
        a, b = waiting("a", served_at=NOW - 1), waiting("b", served_at=NOW - 2)
        assert grant(a, [b], NOW + 3 * STEP, NOW, STEP, wanted=8).count == 0
        assert grant(b, [a], NOW + 3 * STEP, NOW, STEP, wanted=8).count > 0


class TestThePace:
    def test_the_interval_widens_after_a_refusal_and_creeps_back(self) -> None:
        assert pace(STEP, None, NOW) == STEP
        assert abs(pace(STEP, NOW, NOW) - SLOWED * STEP) < 1e-12
        halfway = pace(STEP, NOW - RECOVERY / 2, NOW)
        assert STEP < halfway < SLOWED * STEP
        assert abs(pace(STEP, NOW - RECOVERY, NOW) - SETTLED * STEP) < 1e-12
        in_the_tail = pace(STEP, NOW - RECOVERY - TAIL / 2, NOW)
        assert STEP < in_the_tail < SETTLED * STEP
        assert pace(STEP, NOW - RECOVERY - TAIL, NOW) == STEP
