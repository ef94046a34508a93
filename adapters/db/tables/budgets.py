"""Rate budgets shared by every process that uses one API key (the key itself never stored)."""

from __future__ import annotations

from sqlalchemy import Double
from sqlmodel import Field, SQLModel


class RateBudgetRow(SQLModel, table=True):
    """One API key's request budget, named by a hash of the key (adapters/budget.py).

    Times are seconds since the epoch on the database's clock. Temu (`kind` "temu"): `next_at`
    is the start of the next free request slot, slots `interval` apart. ShipStation
    ("shipstation"): `next_at` is the earliest the next request may start, and `window_limit`,
    `remaining`, `reset_at` what the last X-Rate-Limit-* headers said of the key's window.
    `refused_at`: when the key was last refused (4000004, 429); its pace is slower for a while
    after (adapters/db/fair_share.py)."""

    __tablename__ = "rate_budgets"

    budget_id: str = Field(max_length=64, primary_key=True)
    kind: str = Field(max_length=16)
    interval: float = Field(default=0.0, sa_type=Double)
    next_at: float = Field(default=0.0, sa_type=Double)
    window_limit: int | None = Field(default=None)
    remaining: int | None = Field(default=None)
    reset_at: float | None = Field(default=None, sa_type=Double)
    updated_at: float = Field(default=0.0, sa_type=Double)
    refused_at: float | None = Field(default=None, sa_type=Double)


class RateClaimantRow(SQLModel, table=True):
    """One claimant (a shop) of a key's slots, for the fair share (adapters/db/fair_share.py).

    `priority` 0 is incremental work, 1 a backlog; `asked_at` is its last bid (the heartbeat: a
    claimant that stopped asking drops out), `waiting_since` when its pending bid was first
    made (None once served), `served_at` when it was last given slots."""

    __tablename__ = "rate_claimants"

    budget_id: str = Field(max_length=64, primary_key=True)
    claimant: str = Field(max_length=64, primary_key=True)
    priority: int = Field(default=0)
    asked_at: float = Field(default=0.0, sa_type=Double)
    waiting_since: float | None = Field(default=None, sa_type=Double)
    served_at: float = Field(default=0.0, sa_type=Double)
