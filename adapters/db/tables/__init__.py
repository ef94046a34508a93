"""Every temuship table, as SQLAlchemy Core tables for the repositories' bulk statements."""

from __future__ import annotations

from typing import cast

from sqlalchemy import MetaData, Table
from sqlmodel import SQLModel

from adapters.db.tables.announcements import AnnouncementRow
from adapters.db.tables.budgets import RateBudgetRow, RateClaimantRow
from adapters.db.tables.orders import (
    OrderHistoryRow,
    OrderLineRow,
    OrderRow,
    ReadFailureRow,
    ShipmentConfirmationRow,
)
from adapters.db.tables.settings import SettingRow
from adapters.db.tables.shops import (
    CarrierMappingRow,
    CredentialsRow,
    ShopLockRow,
    ShopRow,
    SyncCursorRow,
    TokenHistoryRow,
    TokenRow,
)
from adapters.db.tables.webhooks import WebhookRow


def _table(model: type[SQLModel]) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


ORDERS = _table(OrderRow)
ORDER_LINES = _table(OrderLineRow)
ORDER_HISTORY = _table(OrderHistoryRow)
CONFIRMATIONS = _table(ShipmentConfirmationRow)
READ_FAILURES = _table(ReadFailureRow)
SHOPS = _table(ShopRow)
CREDENTIALS = _table(CredentialsRow)
TOKENS = _table(TokenRow)
TOKEN_HISTORY = _table(TokenHistoryRow)
SYNC_CURSORS = _table(SyncCursorRow)
CARRIER_MAPPINGS = _table(CarrierMappingRow)
SHOP_LOCKS = _table(ShopLockRow)
SETTINGS = _table(SettingRow)
ANNOUNCEMENTS = _table(AnnouncementRow)
RATE_BUDGETS = _table(RateBudgetRow)
RATE_CLAIMANTS = _table(RateClaimantRow)
WEBHOOKS = _table(WebhookRow)

ALL_TABLES = (
    SHOPS,
    CREDENTIALS,
    TOKENS,
    TOKEN_HISTORY,
    ORDERS,
    ORDER_LINES,
    ORDER_HISTORY,
    CONFIRMATIONS,
    READ_FAILURES,
    SYNC_CURSORS,
    CARRIER_MAPPINGS,
    SHOP_LOCKS,
    SETTINGS,
    ANNOUNCEMENTS,
    RATE_BUDGETS,
    RATE_CLAIMANTS,
    WEBHOOKS,
)
TABLE_NAMES = frozenset(t.name for t in ALL_TABLES)
APPEND_ONLY_TABLES = ("order_history", "token_history")

metadata: MetaData = SQLModel.metadata
