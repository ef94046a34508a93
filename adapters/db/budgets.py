"""One request budget per API key, shared by every process and host through the database.

Temu allows 20 requests a second per app key, ShipStation 40 (V1) or 200 (V2) a minute per
API key: every shop of the key shares them. A budget is one row of `rate_budgets`, named by a
hash of the key (never the key), updated in short transactions:
- Temu (`TemuBudget`): the row holds the start of the next free request slot. One
  `UPDATE … RETURNING` takes the next n slots, `interval` apart, for this process (n = the
  threads waiting for one, at most `max_batch`); each request starts at its slot. Slots are
  times on the database's clock, so the schedule holds across hosts. A shop's requests take
  their slots in its turn among the key's shops (`rate_claimants`, adapters/db/fair_share.py).
- ShipStation V1 (`ShipStationBudget`): the row holds what the last X-Rate-Limit-* headers
  said of the key's window and when the next request may start (Pacer's rules, in one
  transaction); V2 takes slots like Temu's.
SQLite serves the processes of one host (its file); PostgreSQL every host that shares it.
"""

from __future__ import annotations

import threading

from sqlalchemy import Engine

from adapters.db.budget_rows import DatabaseClock, budget_id
from adapters.db.shipstation_budget import ShipStationBudget
from adapters.db.temu_budget import MAX_BATCH, SHARED_MARGIN, TemuBudget
from adapters.temu.pacing import DEFAULT_RATE

__all__ = ["MAX_BATCH", "SHARED_MARGIN", "V2_RATE", "DatabaseClock", "SharedBudgets",
           "ShipStationBudget", "TemuBudget", "budget_id", "budgets_for"]  # fmt: skip

V2_RATE = 200 / 60  # ShipStation V2: 200 requests a minute per key


class SharedBudgets:
    """The budgets of one database, one object per key in this process (its threads share it)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.clock = DatabaseClock(engine)
        self._temu: dict[str, TemuBudget] = {}
        self._shipstation: dict[str, ShipStationBudget] = {}
        self._lock = threading.Lock()

    def temu(self, base_url: str, app_key: str, rate: float = DEFAULT_RATE) -> TemuBudget:
        """The app key's budget; a different rate re-rates it (latest wins, as in-process)."""
        key = budget_id("temu", base_url, app_key)
        with self._lock:
            budget = self._temu.get(key)
            if budget is None:
                budget = self._temu[key] = TemuBudget(self.engine, key, rate, clock=self.clock)
            budget.rate = rate
            return budget

    def shipstation_v2(self, base_url: str, api_key: str) -> TemuBudget:
        """A V2 key's slots, 200 a minute (no X-Rate-Limit-* headers: 429 holds it off)."""
        key = budget_id("shipstation-v2", base_url, api_key)
        with self._lock:
            if key not in self._temu:
                self._temu[key] = TemuBudget(self.engine, key, V2_RATE, clock=self.clock)
            return self._temu[key]

    def shipstation(self, base_url: str, api_key: str) -> ShipStationBudget:
        key = budget_id("shipstation", base_url, api_key)
        with self._lock:
            budget = self._shipstation.get(key)
            if budget is None:
                budget = ShipStationBudget(self.engine, key, clock=self.clock)
                self._shipstation[key] = budget
            return budget


_registry: dict[str, SharedBudgets] = {}
_registry_lock = threading.Lock()


def budgets_for(engine: Engine) -> SharedBudgets:
    """The process-wide budgets of a database (one per engine URL)."""
    key = engine.url.render_as_string(hide_password=False)
    with _registry_lock:
        budgets = _registry.get(key)
        if budgets is None or budgets.engine is not engine:
            budgets = _registry[key] = SharedBudgets(engine)
        return budgets
