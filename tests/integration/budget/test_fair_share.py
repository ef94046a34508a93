"""The fair share of one Temu app key between shops in separate processes (SQLite: one file on
one host; PostgreSQL: every host): a quiet shop's requests go before a backlog's, and the
backlog takes the rest; after a refusal every process of the key slows down."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator

import pytest

from adapters.db.engine import make_engine
from adapters.db.fair_share import HORIZON, RECOVERY, SLOWED, TAIL
from adapters.db.temu_budget import TemuBudget
from adapters.sandbox.launcher import Sandbox
from adapters.sandbox.temu.state import DEMO_ACCESS_TOKEN, DEMO_APP_KEY, TemuSandbox
from adapters.temu.pacing import BACKLOG, Claim
from tests.integration.budget.workers import collect, go, start, wait_until

pytestmark = pytest.mark.postgres

SHIP_TO = "bg.order.shippinginfo.v2.get"  # the backlog's requests
AMOUNTS = "bg.order.amount.query"  # the quiet shop's


class Arrivals(Counter[str]):
    """The sandbox's request counter, noting the order in which requests were answered."""

    def __init__(self) -> None:
        super().__init__()
        self.order: list[str] = []

    def __setitem__(self, key: str, value: int) -> None:
        self.order.append(key)
        super().__setitem__(key, value)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    temu = TemuSandbox(qps=20, amounts_permission=True)
    temu.requests = Arrivals()
    with Sandbox(temu=temu) as running:
        yield running


def test_a_quiet_shops_requests_go_before_a_backlog_of_the_same_key(
    sandbox: Sandbox, any_database_url: str
) -> None:
    """The backlog (60 ship-to reads, 20 threads) is under way when the quiet shop asks for
    16 amounts at once: its requests are answered before all but a few of the backlog's, and
    the backlog takes the rest."""
    temu = sandbox.temu
    temu.add_token("token-of-the-quiet-shop", DEMO_APP_KEY)
    sns = sorted(temu.seed_orders(76, seed=5))
    make_engine(any_database_url).dispose()  # migrated once, before the workers race to it
    url, quiet_token = sandbox.temu_url, "token-of-the-quiet-shop"
    big = start(["backlog", any_database_url, url, DEMO_ACCESS_TOKEN, ",".join(sns[:60]), "big"])
    quiet = start(["quiet", any_database_url, url, quiet_token, ",".join(sns[60:]), "quiet"])
    arrivals: list[str] = temu.requests.order  # type: ignore[attr-defined]
    go(big)
    wait_until(lambda: arrivals.count(SHIP_TO) >= 10, big)
    go(quiet)
    results = collect([big, quiet])
    assert temu.refusals.get(4000004, 0) == 0
    assert [r["answers"] for r in results] == [60, 16] and all(not r["failed"] for r in results)
    first, last = arrivals.index(AMOUNTS), len(arrivals) - arrivals[::-1].index(AMOUNTS)
    between = arrivals[first:last]
    # Served in the order they asked, the backlog's 20 threads would take about half of these;
    # the backlog's queue when the quiet shop asked goes first (its horizon and one more).
    ahead = HORIZON[BACKLOG] + 1
    assert between.count(AMOUNTS) == 16 and between.count(SHIP_TO) <= ahead, between
    assert arrivals[last:] == [SHIP_TO] * (60 - arrivals[:last].count(SHIP_TO))


class FakeClock:
    """The database's clock, moved by the budget's own sleeps."""

    def __init__(self) -> None:
        self.t = 1_000_000.0

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += max(0.0, seconds)


def gaps(budget: TemuBudget, claim: Claim | None, count: int) -> list[float]:
    """The spacing of the budget's next `count` slots (the fake clock is moved to each)."""
    taken = []
    for _ in range(count):
        budget.acquire(claim=claim)
        taken.append(budget.clock.now())
    return [later - earlier for earlier, later in itertools.pairwise(taken)]


def test_a_refusal_slows_every_process_of_the_key_then_the_pace_creeps_back(
    any_database_url: str,
) -> None:
    """Two processes' budgets of one key (each its own engine): one is refused, and the other's
    next slots are spaced `SLOWED` times wider; 135 s later, the normal spacing again."""
    clock = FakeClock()
    budgets = [
        TemuBudget(make_engine(any_database_url), "key", 20.0, clock=clock, sleep=clock.sleep)  # type: ignore[arg-type]
        for _ in range(2)
    ]
    refused, other = budgets
    normal = other.interval
    for claim in (None, Claim("shop-b"), Claim("shop-c", BACKLOG)):
        clock.t += RECOVERY + TAIL
        gaps(refused, claim, 1)
        refused.hold_off(0.0)
        slowed = gaps(other, claim, 4)
        assert all(SLOWED * normal * 0.97 < gap <= SLOWED * normal * 1.001 for gap in slowed)
        clock.t += RECOVERY + TAIL
        assert all(abs(gap - normal) < 1e-6 for gap in gaps(other, claim, 4))
