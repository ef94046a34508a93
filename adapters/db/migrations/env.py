"""Alembic environment: the connection handed in by adapters.db.migrate, or the configured URL."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlalchemy import Connection, create_engine

from adapters.db.location import database_url
from adapters.db.migrate import include_object
from adapters.db.tables import metadata
from adapters.db.tables.columns import UtcDateTime


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Render our column types as plain SQLAlchemy types, so revisions never import the app."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=include_object,
        render_item=render_item,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    engine = create_engine(database_url())
    with engine.connect() as fresh:
        run(fresh)
        fresh.commit()


if context.is_offline_mode():
    raise SystemExit("temuship migrations run online only (adapters.db.migrate.upgrade)")
run_online()
