"""The schema: migrated automatically, equal to the models; and the per-shop lock."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

import adapters.db
from adapters.db import make_engine, migrate, shop_lock, unit_of_work
from adapters.db.migrate import MIGRATIONS_DIR, alembic_config, include_object
from adapters.db.tables import TABLE_NAMES, metadata

ROOT = Path(__file__).resolve().parents[3]

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


class TestMigrations:
    def test_a_fresh_file_is_migrated_on_first_use(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'fresh' / 'temuship.db'}"
        with unit_of_work(url) as work:
            assert work.orders.get_many("shop", ["PO-1"]) == {}
            tables = set(inspect(work.connection).get_table_names())
            version = work.connection.execute(text("SELECT version_num FROM alembic_version"))
            assert version.scalar_one() == HEAD
        assert tables >= TABLE_NAMES
        assert "order" not in tables

    def test_the_default_database_is_a_file_in_temuship_home(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("TEMUSHIP_DATABASE_URL", raising=False)
        monkeypatch.setenv("TEMUSHIP_HOME", str(tmp_path / "home"))
        engine = make_engine()
        try:
            assert engine.url.database == str(tmp_path / "home" / "temuship.db")
            with engine.connect() as connection:
                mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
                assert mode == "wal"
        finally:
            engine.dispose()

    def test_the_migration_matches_the_models(self, engine: Engine) -> None:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_object": include_object, "compare_type": True}
            )
            assert compare_metadata(context, metadata) == []

    def test_processes_starting_together_migrate_a_fresh_file_once(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'race.db'}"
        script = "import sys; from adapters.db import make_engine; make_engine(sys.argv[1])"
        workers = [
            subprocess.Popen([sys.executable, "-c", script, url], cwd=ROOT, stderr=subprocess.PIPE)
            for _ in range(4)
        ]
        failures = [w.stderr.read() for w in workers if w.wait(timeout=120) != 0 and w.stderr]
        assert failures == []
        engine = make_engine(url)
        try:
            with engine.connect() as connection:
                versions = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
                assert versions.scalars().all() == [HEAD]
        finally:
            engine.dispose()

    def test_head_is_the_newest_revision(self) -> None:
        assert migrate.HEAD == HEAD  # a revision's file is named after it (NNNN_what.py)

    def test_a_database_at_head_is_used_without_alembic_and_one_behind_is_upgraded(
        self, tmp_path: Path
    ) -> None:
        url = f"sqlite:///{tmp_path / 'known.db'}"
        script = (
            "import sys; from adapters.db import make_engine; make_engine(sys.argv[1]); "
            "print('alembic' in sys.modules)"
        )

        def first_use() -> str:
            done = subprocess.run(
                [sys.executable, "-c", script, url], cwd=ROOT, capture_output=True, text=True
            )
            assert done.returncode == 0, done.stderr
            return done.stdout.strip()

        assert first_use() == "True"  # a fresh file: migrated
        assert first_use() == "False"  # at head: one query
        engine = make_engine(url, migrate=False)
        try:
            with engine.connect() as connection:
                command.downgrade(alembic_config(connection), "-1")
                connection.commit()
                assert "rate_claimants" not in inspect(connection).get_table_names()
            assert first_use() == "True"  # behind: upgraded
            with engine.connect() as connection:
                versions = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
                assert versions.scalars().all() == [HEAD]
                assert "rate_claimants" in inspect(connection).get_table_names()
        finally:
            engine.dispose()

    def test_migrations_live_inside_the_package_and_revisions_import_sqlmodel(self) -> None:
        assert MIGRATIONS_DIR.is_relative_to(Path(adapters.db.__file__).parent)
        assert "import sqlmodel" in (MIGRATIONS_DIR / "script.py.mako").read_text()
        assert (MIGRATIONS_DIR / "versions" / "0001_initial.py").exists()


class TestShopLock:
    def test_a_second_acquire_fails_while_the_lock_is_held(
        self, engine: Engine, shop_id: str
    ) -> None:
        with shop_lock(engine, shop_id) as first:
            with shop_lock(engine, shop_id) as second:
                assert (first, second) == (True, False)
            with shop_lock(engine, f"{shop_id}-other") as other_shop:
                assert other_shop
        with shop_lock(engine, shop_id) as after_release:
            assert after_release

    def test_the_lock_is_held_against_another_thread(self, engine: Engine, shop_id: str) -> None:
        seen: list[bool] = []

        def other_worker() -> None:
            with shop_lock(engine, shop_id) as acquired:
                seen.append(acquired)

        with shop_lock(engine, shop_id) as acquired:
            thread = threading.Thread(target=other_worker)
            thread.start()
            thread.join(timeout=30)
        assert acquired and seen == [False]

    def test_an_expired_sqlite_lease_can_be_taken_over(self, tmp_path: Path) -> None:
        engine = make_engine(f"sqlite:///{tmp_path / 'lease.db'}")
        try:
            expired = shop_lock(engine, "shop", lease=timedelta(seconds=-1))
            with expired as dead_holder, shop_lock(engine, "shop") as taker:
                assert (dead_holder, taker) == (True, True)
        finally:
            engine.dispose()
