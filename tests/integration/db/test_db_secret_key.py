"""The secret key: its fingerprint in the database (another key is refused, nothing written),
key file and database permissions, passphrases, and `temuship rotate-key`."""

from __future__ import annotations

import os
import pickle
import stat
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, delete, select, update
from typer.testing import CliRunner

from adapters.db import SqlUnitOfWork, make_engine
from adapters.db.crypto import HKDF_KDF, SCRYPT_KDF, Cipher, SecretKey, secret_key
from adapters.db.keys import (
    FINGERPRINT,
    KDF,
    SALT,
    KeyState,
    SealedSecret,
    StoredKey,
    read_state,
    reencrypt,
    rotate_key,
)
from adapters.db.tables import CREDENTIALS, SETTINGS, SHOPS
from domain.errors import UnusableSecretKey, WrongSecretKey
from domain.ports import Services
from domain.secrets import Secret
from domain.token import TokenInfo
from domain.usecases.reports import shop_status
from domain.usecases.shops import check, connect
from domain.usecases.tokens import OPTIONAL_APIS, REQUIRED_APIS
from tests.fakes import FakeShipStation, FakeTemu
from tests.integration.db.test_db_shops import ACCESS_TOKEN, APP_SECRET, SS_SECRET, a_shop
from tests.scratch_databases import own_database

Uow = Callable[[], SqlUnitOfWork]
KEY_ENV = "TEMUSHIP_SECRET_KEY"
OTHER_KEY = "another-passphrase-of-enough-length"
WRONG_KEY = "this database's credentials were encrypted with another key: set TEMUSHIP_SECRET_KEY"


@pytest.fixture
def own_database_url(any_database_url: str) -> Iterator[str]:
    """A database of this test alone (its key changes): a SQLite file, or a PostgreSQL
    database made next to the session's and dropped after."""
    with own_database(any_database_url, "temuship_key") as url:
        yield url


@pytest.fixture
def own_engine(own_database_url: str) -> Iterator[Engine]:
    engine = make_engine(own_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def own_uow(own_engine: Engine) -> Uow:
    return lambda: SqlUnitOfWork(own_engine)


def save(uow: Uow, shop_id: str) -> None:
    with uow() as work:
        work.shops.save(a_shop(shop_id))
        work.commit()


def stored(engine: Engine) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Every shop row and settings row, to show that nothing was written."""
    with engine.connect() as connection:
        shops = [tuple(r) for r in connection.execute(select(SHOPS, CREDENTIALS).join(CREDENTIALS))]
        settings = [tuple(r) for r in connection.execute(select(SETTINGS).order_by("name"))]
    return sorted(shops, key=str), settings


def services_on(uow: Uow) -> Services:
    temu, shipstation = FakeTemu(), FakeShipStation()
    temu.info = TokenInfo(7, 211, None, REQUIRED_APIS | OPTIONAL_APIS)
    return Services(
        uow=uow,
        temu_for=lambda shop: temu,
        shipstation_for=lambda shop: shipstation,
        shop_lock=lambda shop_id: nullcontext(True),
    )


def fernet_key() -> str:
    return Fernet.generate_key().decode()


def key_file(path: Path, content: str, mode: int = 0o600) -> Path:
    path.write_text(content)
    path.chmod(mode)
    return path


class TestFingerprint:
    def test_the_first_write_stores_the_fingerprint_and_a_salt_for_a_passphrase(
        self, own_engine: Engine, own_uow: Uow, shop_id: str
    ) -> None:
        with own_engine.connect() as connection:
            assert read_state(connection) == KeyState()
        save(own_uow, shop_id)
        with own_engine.connect() as connection:
            state = read_state(connection)
            values = dict(connection.execute(select(SETTINGS.c.name, SETTINGS.c.value)).all())
        assert state.kdf == SCRYPT_KDF and state.salt is not None and len(state.salt) == 16
        assert state.fingerprint == Cipher.derived(secret_key(), SCRYPT_KDF, state.salt).fingerprint
        assert os.environ[KEY_ENV] not in str(values)
        assert set(values) == {FINGERPRINT, KDF, SALT}

    def test_a_generated_key_needs_no_salt(
        self, own_engine: Engine, own_uow: Uow, shop_id: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv(KEY_ENV, fernet_key())
        save(own_uow, shop_id)
        with own_engine.connect() as connection:
            state = read_state(connection)
        assert (state.kdf, state.salt) == (HKDF_KDF, None)

    def test_another_key_is_refused_and_nothing_is_written(
        self, own_engine: Engine, own_uow: Uow, shop_id: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        save(own_uow, shop_id)
        before = stored(own_engine)
        monkeypatch.setenv(KEY_ENV, OTHER_KEY)
        changed = a_shop(shop_id)
        changed.backfill_days = 30
        for shop in (changed, a_shop(f"{shop_id}-new")):
            with pytest.raises(WrongSecretKey) as refused, own_uow() as work:
                work.shops.save(shop)
                work.commit()
            assert str(refused.value).startswith(WRONG_KEY)
            assert "fingerprint" in str(refused.value) and OTHER_KEY not in str(refused.value)
        with pytest.raises(WrongSecretKey, match="fingerprint"), own_uow() as work:
            work.shops.get(shop_id)
        assert stored(own_engine) == before

    def test_connecting_a_shop_with_another_key_is_refused_before_saving(
        self, own_engine: Engine, own_uow: Uow, shop_id: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        save(own_uow, shop_id)
        before = stored(own_engine)
        monkeypatch.setenv(KEY_ENV, OTHER_KEY)
        shop = a_shop(f"{shop_id}-2")
        shop.shipstation = replace(shop.shipstation, store_id=1)
        with pytest.raises(WrongSecretKey):
            connect(services_on(own_uow), shop)
        assert stored(own_engine) == before
        with own_uow() as work:
            assert work.tokens.get(f"{shop_id}-2") is None

    def test_listing_and_status_with_another_key_do_not_decrypt(
        self, own_uow: Uow, shop_id: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        save(own_uow, shop_id)
        monkeypatch.setenv(KEY_ENV, OTHER_KEY)
        with own_uow() as work:
            assert work.shops.ids() == [shop_id]
            listed = work.shops.list()
            quiet = work.shops.get(shop_id, decrypt=False)
        assert [s.shop_id for s in listed] == [shop_id]
        assert quiet is not None and quiet.backfill_days == 3
        assert repr(quiet.temu.access_token) == "Secret(****)"
        report = shop_status(services_on(own_uow), shop_id)
        assert report["shop"] == shop_id and "error" not in report
        with pytest.raises(WrongSecretKey, match="fingerprint"):
            quiet.temu.access_token.reveal()

    def test_no_key_file_is_made_for_a_database_that_has_a_key(
        self,
        own_uow: Uow,
        shop_id: str,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        save(own_uow, shop_id)
        monkeypatch.delenv(KEY_ENV)
        monkeypatch.setenv("TEMUSHIP_HOME", str(tmp_path / "home"))
        with pytest.raises(WrongSecretKey, match="restore the key file") as refused, own_uow() as w:
            w.shops.get(shop_id)
        assert str(refused.value).startswith(WRONG_KEY)
        assert not (tmp_path / "home" / "secret.key").exists()

    def test_listed_credentials_open_with_the_right_key(self, own_uow: Uow, shop_id: str) -> None:
        save(own_uow, shop_id)
        with own_uow() as work:
            (shop,) = work.shops.list()
        secret = shop.temu.access_token
        assert isinstance(secret, SealedSecret)
        assert secret == Secret(ACCESS_TOKEN) and hash(secret) == hash(Secret(ACCESS_TOKEN))
        assert pickle.loads(pickle.dumps(shop.temu)).access_token.reveal() == ACCESS_TOKEN
        assert shop.temu.app_secret.reveal() == APP_SECRET
        assert shop.shipstation.api_secret.reveal() == SS_SECRET

    def test_check_shows_a_red_credentials_line_for_another_key(
        self, own_uow: Uow, shop_id: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        save(own_uow, shop_id)
        monkeypatch.setenv(KEY_ENV, OTHER_KEY)
        (line,) = check(services_on(own_uow), shop_id)
        assert (line.ok, line.item) == (False, "credentials")
        assert line.detail.startswith(WRONG_KEY)

    def test_a_database_from_before_fingerprints_is_adopted_by_its_own_key_only(
        self, own_engine: Engine, own_uow: Uow, shop_id: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        save(own_uow, shop_id)
        passphrase = os.environ[KEY_ENV]
        with own_engine.connect() as connection:  # as 0002 left it: HKDF, no settings
            current = StoredKey(connection).for_reading()
            reencrypt(connection, current, Cipher.derived(passphrase))
            connection.execute(delete(SETTINGS))
            connection.commit()
        before = stored(own_engine)
        monkeypatch.setenv(KEY_ENV, OTHER_KEY)
        with pytest.raises(WrongSecretKey, match="saved with"), own_uow() as work:
            work.shops.save(a_shop(f"{shop_id}-b"))
        assert stored(own_engine) == before
        monkeypatch.setenv(KEY_ENV, passphrase)
        save(own_uow, f"{shop_id}-b")
        with own_engine.connect() as connection:
            state = read_state(connection)
            old_row = connection.execute(
                select(CREDENTIALS).where(CREDENTIALS.c.shop_id == shop_id)
            ).one()
        assert state.kdf == SCRYPT_KDF and state.fingerprint is not None
        with pytest.raises(WrongSecretKey):  # moved from HKDF to scrypt
            Cipher.derived(passphrase).decrypt(old_row.temu_access_token)
        with own_uow() as work:
            back = work.shops.get(shop_id)
        assert back is not None and back.temu.access_token.reveal() == ACCESS_TOKEN


class TestKeySources:
    @pytest.fixture
    def home(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        monkeypatch.delenv(KEY_ENV, raising=False)
        monkeypatch.setenv("TEMUSHIP_HOME", str(tmp_path / "home"))
        return tmp_path / "home"

    def test_a_made_key_file_is_a_generated_fernet_key(self, home: Path) -> None:
        key = secret_key()
        assert key.path == home / "secret.key" and not key.is_passphrase
        Fernet(key.material.encode())
        assert stat.S_IMODE(key.path.stat().st_mode) == 0o600

    @pytest.mark.parametrize("mode", [0o640, 0o604, 0o660])
    def test_a_key_file_others_may_read_is_refused_with_the_chmod_to_run(
        self, home: Path, mode: int
    ) -> None:
        home.mkdir(parents=True)
        path = key_file(home / "secret.key", fernet_key(), mode)
        with pytest.raises(UnusableSecretKey) as refused:
            secret_key()
        assert f"`chmod 600 {path}`" in str(refused.value) and f"{mode:04o}" in str(refused.value)

    def test_an_empty_key_file_is_refused(self, home: Path) -> None:
        home.mkdir(parents=True)
        path = key_file(home / "secret.key", "\n")
        with pytest.raises(UnusableSecretKey, match="is empty") as refused:
            secret_key()
        assert f"`chmod 600 {path}`" in str(refused.value)

    @pytest.mark.parametrize("where", ["env", "file"])
    def test_a_short_passphrase_is_refused(
        self, home: Path, where: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        if where == "env":
            monkeypatch.setenv(KEY_ENV, "fifteen-chars-x")
        else:
            home.mkdir(parents=True)
            key_file(home / "secret.key", "fifteen-chars-x")
        with pytest.raises(UnusableSecretKey, match="passphrase of 15 characters: use at least 16"):
            secret_key()

    def test_a_16_character_passphrase_is_taken(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv(KEY_ENV, "sixteen-chars-xx")
        assert secret_key().is_passphrase

    def test_a_refused_key_writes_nothing(
        self, own_engine: Engine, own_uow: Uow, shop_id: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        save(own_uow, shop_id)
        before = stored(own_engine)
        monkeypatch.setenv(KEY_ENV, "short")
        with pytest.raises(UnusableSecretKey), own_uow() as work:
            work.shops.save(a_shop(shop_id))
        assert stored(own_engine) == before


class TestPermissions:
    @pytest.fixture
    def umask_022(self) -> Iterator[None]:
        old = os.umask(0o022)
        try:
            yield
        finally:
            os.umask(old)

    @pytest.mark.usefixtures("umask_022")
    @pytest.mark.parametrize("existing", [False, True])
    def test_the_data_directory_is_0700_and_the_database_0600(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
    ) -> None:
        home = tmp_path / "home"
        if existing:
            home.mkdir(mode=0o755)
            (home / "temuship.db").touch(mode=0o644)
            home.chmod(0o755)
        monkeypatch.setenv("TEMUSHIP_HOME", str(home))
        monkeypatch.delenv("TEMUSHIP_DATABASE_URL", raising=False)
        engine = make_engine()
        try:
            with engine.connect() as connection:
                connection.execute(select(SHOPS)).all()
        finally:
            engine.dispose()
        assert stat.S_IMODE(home.stat().st_mode) == 0o700
        for path in home.iterdir():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name

    @pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
    def test_whatever_the_umask_new_files_are_owner_only(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, umask: int
    ) -> None:
        """The data directory, the database and its -wal/-shm, the key file and Prefect's log."""
        from flows.cli.prefect_api import _fresh_log

        home = tmp_path / "home"
        monkeypatch.setenv("TEMUSHIP_HOME", str(home))
        monkeypatch.delenv("TEMUSHIP_DATABASE_URL", raising=False)
        monkeypatch.delenv(KEY_ENV, raising=False)
        old = os.umask(umask)
        try:
            engine = make_engine()
            try:
                save(lambda: SqlUnitOfWork(engine), "shop-umask")
            finally:
                engine.dispose()
            assert _fresh_log() == home / "prefect.log"
        finally:
            os.umask(old)
        assert stat.S_IMODE(home.stat().st_mode) == 0o700
        made = sorted(path.name for path in home.iterdir())
        assert {"temuship.db", "secret.key", "prefect.log"} <= set(made)
        for path in home.iterdir():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name

    def test_a_data_directory_its_owner_made_read_only_is_not_made_writable(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from adapters.db.location import data_dir

        home = tmp_path / "home"
        home.mkdir()
        home.chmod(0o555)
        monkeypatch.setenv("TEMUSHIP_HOME", str(home))
        try:
            assert data_dir() == home
            assert stat.S_IMODE(home.stat().st_mode) == 0o500  # others' bits gone, no more
        finally:
            home.chmod(0o700)


class TestRotateKey:
    def run(self, url: str, *args: str, code: int = 0, **env: str) -> str:
        """`temuship rotate-key ARGS`: its output (the error boundary's line on a failure)."""
        from flows.cli.app import app

        result = CliRunner().invoke(
            app, ["rotate-key", *args], env={"TEMUSHIP_DATABASE_URL": url, **env}
        )
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert result.exit_code == code, result.output
        return " ".join(result.output.split())

    def test_rotation_re_encrypts_every_shop_and_the_old_key_is_refused(
        self,
        own_database_url: str,
        own_uow: Uow,
        shop_id: str,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        for n in range(3):
            save(own_uow, f"{shop_id}-{n}")
        new = fernet_key()
        path = key_file(tmp_path / "new.key", new)
        output = self.run(own_database_url, "--new-key-file", str(path))
        assert "Re-encrypted the credentials of 3 shops" in output
        assert f"set TEMUSHIP_SECRET_KEY to the contents of {path}" in output
        assert new not in output
        with pytest.raises(WrongSecretKey, match="fingerprint"), own_uow() as work:
            work.shops.get(f"{shop_id}-0")
        monkeypatch.setenv(KEY_ENV, new)
        with own_uow() as work:
            shops = [work.shops.get(f"{shop_id}-{n}") for n in range(3)]
        assert all(s is not None and s.temu.access_token.reveal() == ACCESS_TOKEN for s in shops)

    def test_rotation_to_a_passphrase_from_the_environment(
        self, own_database_url: str, own_uow: Uow, shop_id: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        save(own_uow, shop_id)
        output = self.run(own_database_url, TEMUSHIP_NEW_SECRET_KEY=OTHER_KEY)
        assert "of 1 shop under" in output and OTHER_KEY not in output
        assert "set TEMUSHIP_SECRET_KEY to the value of TEMUSHIP_NEW_SECRET_KEY" in output
        monkeypatch.setenv(KEY_ENV, OTHER_KEY)
        with own_uow() as work:
            back = work.shops.get(shop_id)
        assert back is not None and back.shipstation.api_secret.reveal() == SS_SECRET

    def test_rotation_with_another_key_changes_nothing(
        self,
        own_database_url: str,
        own_engine: Engine,
        own_uow: Uow,
        shop_id: str,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        save(own_uow, shop_id)
        before = stored(own_engine)
        monkeypatch.setenv(KEY_ENV, OTHER_KEY)
        path = key_file(tmp_path / "new.key", fernet_key())
        output = self.run(own_database_url, "--new-key-file", str(path), code=1)
        assert output.startswith(WRONG_KEY) and "fingerprint" in output
        assert stored(own_engine) == before

    def test_a_new_key_file_others_may_read_or_no_new_key_is_refused(
        self, own_database_url: str, tmp_path: Path
    ) -> None:
        path = key_file(tmp_path / "new.key", fernet_key(), 0o644)
        output = self.run(own_database_url, "--new-key-file", str(path), code=1)
        assert f"permissions 0644 for the key file {path} are too open" in output
        assert f"run `chmod 600 {path}`" in output
        output = self.run(own_database_url, code=1)
        assert "--new-key-file PATH" in output and "TEMUSHIP_NEW_SECRET_KEY" in output

    def test_the_local_key_file_is_rewritten_when_it_held_the_key(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shop_id: str
    ) -> None:
        monkeypatch.delenv(KEY_ENV, raising=False)
        monkeypatch.setenv("TEMUSHIP_HOME", str(tmp_path / "home"))
        url = f"sqlite:///{tmp_path / 'home' / 'temuship.db'}"
        engine = make_engine(url)
        try:
            save(lambda: SqlUnitOfWork(engine), shop_id)
            output = self.run(url, TEMUSHIP_NEW_SECRET_KEY=OTHER_KEY)
            key = tmp_path / "home" / "secret.key"
            assert f"The key file {key} now holds the new key" in output
            assert key.read_text().strip() == OTHER_KEY
            assert stat.S_IMODE(key.stat().st_mode) == 0o600
            with SqlUnitOfWork(engine) as work:
                back = work.shops.get(shop_id)
            assert back is not None and back.temu.app_secret.reveal() == APP_SECRET
        finally:
            engine.dispose()

    def test_a_rotation_between_a_writers_check_and_its_write_undoes_the_write(
        self, tmp_path: Path, shop_id: str
    ) -> None:
        """SQLite: the check reads before the write lock is taken, so a writer checks again
        after writing (PostgreSQL holds the settings rows from the check on)."""
        engine = make_engine(f"sqlite:///{tmp_path / 'race.db'}")
        try:
            save(lambda: SqlUnitOfWork(engine), shop_id)
            with SqlUnitOfWork(engine) as work:
                key = StoredKey(work.connection)
                cipher = key.for_writing()
                rotate_key(engine, SecretKey(OTHER_KEY, "TEMUSHIP_NEW_SECRET_KEY"))
                work.connection.execute(
                    update(CREDENTIALS).values(temu_access_token=cipher.encrypt(Secret("x" * 20)))
                )
                with pytest.raises(WrongSecretKey, match="fingerprint"):
                    key.confirm(cipher)
        finally:
            engine.dispose()
