"""The claimants of a key's slots in the database (`rate_claimants`), for the fair share."""

from __future__ import annotations

from sqlalchemy import Connection, select

from adapters.db.fair_share import LIVE, Claimant
from adapters.db.tables import RATE_CLAIMANTS
from adapters.db.upsert import upsert_statement

C = RATE_CLAIMANTS.c


def live_claimants(connection: Connection, budget: str, now: float) -> list[Claimant]:
    """The claimants of the budget that asked within `LIVE` seconds (a process that died
    stops asking: its claim lapses)."""
    query = select(C.claimant, C.priority, C.served_at, C.waiting_since, C.asked_at).where(
        C.budget_id == budget, C.asked_at > now - LIVE
    )
    return [Claimant(*row) for row in connection.execute(query)]


def record(connection: Connection, budget: str, claimant: Claimant) -> None:
    """The claimant's standing after a bid (served or still waiting)."""
    row = {"budget_id": budget, "claimant": claimant.name, "priority": claimant.priority,
           "asked_at": claimant.asked_at, "waiting_since": claimant.waiting_since,
           "served_at": claimant.served_at}  # fmt: skip
    columns = ("priority", "asked_at", "waiting_since", "served_at")
    connection.execute(upsert_statement(connection, RATE_CLAIMANTS, ("budget_id", "claimant"),
                                        columns).values(row))  # fmt: skip
