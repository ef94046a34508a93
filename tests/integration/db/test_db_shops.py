"""Shops, credentials (encrypted at rest), tokens, cursors and carrier overrides."""

from __future__ import annotations

import logging
import stat
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from adapters.db import SqlUnitOfWork
from adapters.db.crypto import Cipher, secret_key
from adapters.db.keys import StoredKey
from adapters.db.tables import CREDENTIALS
from domain.errors import WrongSecretKey
from domain.model import Source
from domain.secrets import Secret
from domain.shop import Region, ShipStationCredentials, Shop, TemuCredentials
from domain.token import Token, TokenInfo, TokenState
from tests.integration.db.db_factories import T0, ctx

Uow = Callable[[], SqlUnitOfWork]
ACCESS_TOKEN = "temu-access-token-0123456789abcdef"
APP_SECRET = "temu-app-secret-fedcba9876543210"
SS_SECRET = "shipstation-secret-55aa55aa55aa"


def a_shop(shop_id: str) -> Shop:
    return Shop(
        shop_id=shop_id,
        temu=TemuCredentials("app-key-1", Secret(APP_SECRET), Secret(ACCESS_TOKEN), Region.EU),
        shipstation=ShipStationCredentials("ss-key", Secret(SS_SECRET), 4242, "http://ss.test"),
        created_at=T0,
        backfill_days=3,
        warehouse_id="WH-1",
        amounts_permission=False,
        last_sync_at=T0 + timedelta(minutes=5),
        settings={"status_source": "temu"},
    )


def save_shop(uow: Uow, shop: Shop) -> None:
    with uow() as work:
        work.shops.save(shop)
        work.commit()


class TestShops:
    def test_a_shop_and_its_credentials_round_trip(self, uow: Uow, shop_id: str) -> None:
        shop = a_shop(shop_id)
        save_shop(uow, shop)
        with uow() as work:
            back = work.shops.get(shop_id)
            listed = [s.shop_id for s in work.shops.list()]
        assert back is not None and back.__dict__ == shop.__dict__
        assert back.temu.access_token.reveal() == ACCESS_TOKEN
        assert shop_id in listed

    def test_saving_again_updates_the_shop(self, uow: Uow, shop_id: str) -> None:
        save_shop(uow, a_shop(shop_id))
        changed = a_shop(shop_id)
        changed.paused_reason = "token expired"
        save_shop(uow, changed)
        with uow() as work:
            back = work.shops.get(shop_id)
        assert back is not None and back.paused and back.paused_reason == "token expired"

    def test_an_unknown_shop_is_none(self, uow: Uow) -> None:
        with uow() as work:
            assert work.shops.get("no-such-shop") is None


class TestSecretsAtRest:
    def test_stored_credentials_do_not_contain_the_secrets(
        self, engine: Engine, uow: Uow, shop_id: str
    ) -> None:
        save_shop(uow, a_shop(shop_id))
        with engine.connect() as connection:
            row = connection.execute(
                select(CREDENTIALS).where(CREDENTIALS.c.shop_id == shop_id)
            ).one()
        stored = b"".join(v if isinstance(v, bytes) else str(v).encode() for v in row)
        for secret in (ACCESS_TOKEN, APP_SECRET, SS_SECRET):
            assert secret.encode() not in stored
        with engine.connect() as connection:
            cipher = StoredKey(connection).for_reading()
        assert cipher.decrypt(row.temu_access_token).reveal() == ACCESS_TOKEN

    def test_repr_str_and_logs_never_show_the_secrets(
        self, uow: Uow, shop_id: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        save_shop(uow, a_shop(shop_id))
        with uow() as work:
            shop = work.shops.get(shop_id)
        assert shop is not None
        with caplog.at_level(logging.INFO):
            logging.getLogger("temuship").info("shop %s %r %s", shop, shop.temu, shop.shipstation)
        shown = " ".join(
            [repr(shop), str(shop), repr(shop.temu), str(shop.shipstation), caplog.text]
        )
        for secret in (ACCESS_TOKEN, APP_SECRET, SS_SECRET):
            assert secret not in shown
        assert "****cdef" in shown

    def test_without_a_secret_key_a_private_key_file_is_made_once_and_reused(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("TEMUSHIP_SECRET_KEY", raising=False)
        monkeypatch.setenv("TEMUSHIP_HOME", str(tmp_path / "home"))
        token = Cipher.derived(secret_key()).encrypt(Secret(ACCESS_TOKEN))
        key_file = tmp_path / "home" / "secret.key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
        assert Cipher.derived(secret_key()).decrypt(token).reveal() == ACCESS_TOKEN
        assert [p.name for p in key_file.parent.iterdir()] == ["secret.key"]

    def test_another_key_cannot_read_the_secrets(self) -> None:
        token = Cipher.derived("one key").encrypt(Secret(ACCESS_TOKEN))
        with pytest.raises(WrongSecretKey, match="TEMUSHIP_SECRET_KEY"):
            Cipher.derived("another key").decrypt(token)


class TestTokens:
    def test_a_token_round_trips_and_its_history_is_appended(self, uow: Uow, shop_id: str) -> None:
        info = TokenInfo(
            mall_id=634418212233,
            region_id=211,
            expires_at=T0 + timedelta(days=10),
            scopes=frozenset({"bg.order.list.v2.get", "bg.logistics.shipment.v2.confirm"}),
        )
        token = Token.from_info(shop_id, info, T0)
        token.check_clock(ctx(T0 + timedelta(days=1), Source.CLOCK))
        token.warned_days = 14
        with uow() as work:
            work.tokens.save(token)
            work.commit()
        assert token.new_history == []
        token.api_said("api_said_revoked", ctx(T0 + timedelta(days=2)), "3000031")
        with uow() as work:
            work.tokens.save(token)
            work.commit()
        with uow() as work:
            back = work.tokens.get(shop_id)
            history = work.tokens.history(shop_id)
        assert back is not None
        assert {k: v for k, v in back.__dict__.items() if k != "new_history"} == {
            k: v for k, v in token.__dict__.items() if k != "new_history"
        }
        assert back.state is TokenState.REVOKED
        assert [(e.from_state, e.to_state) for e in history] == [
            ("active", "expiring"),
            ("expiring", "revoked"),
        ]

    def test_an_unknown_token_is_none(self, uow: Uow) -> None:
        with uow() as work:
            assert work.tokens.get("no-such-shop") is None


class TestCursorsAndCarriers:
    def test_a_cursor_is_set_then_moved(self, uow: Uow, shop_id: str) -> None:
        with uow() as work:
            assert work.cursors.get(shop_id, "orders") is None
            work.cursors.set(shop_id, "orders", T0)
            work.cursors.set(shop_id, "orders", T0 + timedelta(hours=1))
            work.cursors.set(shop_id, "labels", T0)
            work.commit()
        with uow() as work:
            moved = work.cursors.get(shop_id, "orders")
            assert moved == T0 + timedelta(hours=1)
            assert moved is not None and moved.utcoffset() == timedelta(0)
            assert work.cursors.get(shop_id, "labels") == T0

    def test_carrier_overrides_are_per_shop_and_replaceable(self, uow: Uow, shop_id: str) -> None:
        with uow() as work:
            work.carriers.set_override(shop_id, "ups", 1)
            work.carriers.set_override(shop_id, "ups", 2)
            work.carriers.set_override(shop_id, "fedex", 3)
            work.carriers.set_override(f"{shop_id}-b", "ups", 9)
            work.commit()
        with uow() as work:
            assert work.carriers.overrides(shop_id) == {"ups": 2, "fedex": 3}
