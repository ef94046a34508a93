"""The token repository: token state plus its append-only history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from adapters.db.tables import TOKEN_HISTORY, TOKENS
from adapters.db.upsert import upsert
from domain.history import HistoryEntry
from domain.token import Token, TokenState

HISTORY_FIELDS = ("at", "from_state", "to_state", "event", "source", "accepted", "run_id", "reason")


class SqlTokenRepository:
    """A shop's Temu token state (the token itself lives encrypted with the credentials)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, shop_id: str) -> Token | None:
        row = self._connection.execute(select(TOKENS).where(TOKENS.c.shop_id == shop_id)).first()
        return None if row is None else _load(row._mapping)

    def shops_of_mall(self, mall_id: int) -> list[str]:
        query = select(TOKENS.c.shop_id).where(TOKENS.c.mall_id == mall_id)
        return sorted(self._connection.execute(query).scalars())

    def save(self, token: Token) -> None:
        """Store the token's state and append its new history entries."""
        upsert(self._connection, TOKENS, [_row(token)], ("shop_id",))
        rows = [{"shop_id": token.shop_id, **_history_row(e)} for e in token.new_history]
        if rows:
            self._connection.execute(insert(TOKEN_HISTORY), rows)
        token.new_history.clear()

    def history(self, shop_id: str) -> list[HistoryEntry]:
        """The token's history, oldest first (not part of the port)."""
        query = (
            select(TOKEN_HISTORY)
            .where(TOKEN_HISTORY.c.shop_id == shop_id)
            .order_by(TOKEN_HISTORY.c.at, TOKEN_HISTORY.c.id)
        )
        rows = self._connection.execute(query)
        return [HistoryEntry(**{f: row._mapping[f] for f in HISTORY_FIELDS}) for row in rows]


def _history_row(entry: HistoryEntry) -> dict[str, Any]:
    return {f: getattr(entry, f) for f in HISTORY_FIELDS}


def _row(token: Token) -> dict[str, Any]:
    return {
        "shop_id": token.shop_id,
        "state": token.state.value,
        "authorized_at": token.authorized_at,
        "expires_at": token.expires_at,
        "expiry_known": token.expiry_known,
        "scopes": sorted(token.scopes),
        "mall_id": token.mall_id,
        "region_id": token.region_id,
        "reason": token.reason,
        "warned_days": token.warned_days,
        "warning_days": list(token.warning_days),
        "updated_at": datetime.now(UTC),
    }


def _load(row: Any) -> Token:
    return Token(
        shop_id=row["shop_id"],
        authorized_at=row["authorized_at"],
        expires_at=row["expires_at"],
        expiry_known=row["expiry_known"],
        scopes=frozenset(row["scopes"]),
        mall_id=row["mall_id"],
        region_id=row["region_id"],
        state=TokenState(row["state"]),
        reason=row["reason"],
        warned_days=row["warned_days"],
        warning_days=tuple(row["warning_days"]),
    )
