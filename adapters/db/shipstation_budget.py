"""A ShipStation V1 key's window, shared by every process and host through the database.

The key's row holds what the last X-Rate-Limit-* headers said of the window and when the next
request may start (adapters.shipstation.pacing's rules, applied in one transaction).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from adapters.db.budget_rows import DatabaseClock, ensure_row, relaxed
from adapters.db.tables import RATE_BUDGETS
from adapters.shipstation.pacing import RateState, WindowRules


class ShipStationBudget(WindowRules):
    """An API key's window, shared by every process that uses this database.

    adapters.shipstation.pacing's WindowRules, as its Pacer; the state (what
    the last answers' X-Rate-Limit-* headers said, and when the next request may start) is the
    key's row, read and written in one short transaction per request and per answer."""

    def __init__(
        self,
        engine: Engine,
        budget: str,
        *,
        margin: float = 0.5,
        spread_below: int = 2,
        clock: DatabaseClock | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.engine, self.budget = engine, budget
        self.margin, self.spread_below = margin, spread_below
        self.clock = clock or DatabaseClock(engine)
        self.sleep = sleep
        self.waited = 0.0
        self._row_ready = False

    def __repr__(self) -> str:
        return f"ShipStationBudget({self.budget[:12]}…, {self.engine.dialect.name})"

    def state(self) -> RateState:
        """The key's window as the database has it (tests, benchmarks)."""
        with self.engine.connect() as connection:
            return _state_of(self._row(connection))

    def _change(self, apply: Callable[[RateState, float], Any]) -> None:
        """Read the row, apply, write it back: one transaction, the row locked throughout."""
        with self.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                # The write lock first: a read that turns into a write may not wait (WAL).
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            relaxed(connection)
            if not self._row_ready:
                ensure_row(connection, self.budget, "shipstation")
                self._row_ready = True
            row = self._row(connection, lock=True)
            st = _state_of(row)
            now = self.clock.now()
            apply(st, now)
            connection.execute(
                update(RATE_BUDGETS)
                .where(RATE_BUDGETS.c.budget_id == self.budget)
                .values(
                    next_at=st.not_before,
                    window_limit=st.limit,
                    remaining=st.remaining,
                    reset_at=st.reset_at,
                    updated_at=now,
                )
            )
            connection.commit()

    def _row(self, connection: Connection, lock: bool = False) -> Any:
        query = select(RATE_BUDGETS).where(RATE_BUDGETS.c.budget_id == self.budget)
        if lock and connection.dialect.name == "postgresql":
            query = query.with_for_update()
        return connection.execute(query).first()


def _state_of(row: Any) -> RateState:
    if row is None:
        return RateState()
    return RateState(
        limit=row.window_limit,
        remaining=row.remaining,
        reset_at=row.reset_at,
        not_before=row.next_at or 0.0,
    )
