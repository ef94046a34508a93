"""Settings of the database itself: what it says about the secret key (never the key)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from adapters.db.tables.columns import UtcDateTime


class SettingRow(SQLModel, table=True):
    """One named value, e.g. `secret_key.fingerprint`, `secret_key.kdf`, `secret_key.salt`."""

    __tablename__ = "settings"

    name: str = Field(max_length=64, primary_key=True)
    value: str
    updated_at: datetime = Field(sa_type=UtcDateTime)
