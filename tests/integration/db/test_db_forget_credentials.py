"""`temuship forget-credentials NAME`: refused while the key opens the credentials; with the key
lost, only that shop's credentials go (its cursors, orders, history and token state stay), it
is paused, and `connect NAME --replace` gives it new ones."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from adapters.db import SqlUnitOfWork, make_engine
from adapters.db.repos.shops import CredentialsForgotten
from adapters.db.tables import CREDENTIALS
from domain.errors import WrongSecretKey
from domain.shop import Shop
from domain.usecases.reports import shop_status
from domain.usecases.shops import connect
from flows import wiring
from flows.cli.output import command, pasteable
from tests.integration.db.test_db_secret_key import KEY_ENV, OTHER_KEY, Uow, a_shop, services_on
from tests.scratch_databases import own_database

CURSOR_AT = datetime(2026, 3, 1, 12, tzinfo=UTC)
KEY_OPENS = pasteable("the secret key opens this database's credentials: use `temuship rotate-key`")


@pytest.fixture
def own_engine(any_database_url: str) -> Iterator[Engine]:
    """A database of this test alone (its key changes)."""
    with own_database(any_database_url, "temuship_forget") as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


@pytest.fixture
def own_uow(own_engine: Engine) -> Uow:
    return lambda: SqlUnitOfWork(own_engine)


def connected(uow: Uow, shop_id: str) -> Shop:
    shop = a_shop(shop_id)
    shop.shipstation = replace(shop.shipstation, store_id=1)
    connect(services_on(uow), shop, replace_existing=True)
    with uow() as work:
        work.cursors.set(shop_id, "temu_orders", CURSOR_AT)
        work.commit()
    return shop


def forget(uow: Uow, name: str, *flags: str, answer: str = "") -> tuple[int, str]:
    from flows.cli.app import app

    with wiring.using(services_on(uow)):
        result = CliRunner().invoke(app, ["forget-credentials", name, *flags], input=answer)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, " ".join(result.output.split())


def credentials(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(select(CREDENTIALS.c.shop_id)).scalars())


class TestForgetCredentials:
    def test_refused_while_the_key_opens_them(
        self, own_engine: Engine, own_uow: Uow, shop_id: str
    ) -> None:
        connected(own_uow, shop_id)
        code, said = forget(own_uow, shop_id, "--yes")
        assert (code, said) == (1, KEY_OPENS)
        assert credentials(own_engine) == [shop_id]

    def test_with_the_key_lost_only_the_credentials_go_and_the_shop_is_paused(
        self, own_engine: Engine, own_uow: Uow, shop_id: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        connected(own_uow, shop_id)
        monkeypatch.setenv(KEY_ENV, OTHER_KEY)
        code, said = forget(own_uow, shop_id, "--yes")
        assert code == 0, said
        assert f"Next: {command()} connect {shop_id} --replace" in " ".join(said.split())
        assert credentials(own_engine) == []
        with own_uow() as work:
            shop = work.shops.get(shop_id)
            token = work.tokens.get(shop_id)
            cursor = work.cursors.get(shop_id, "temu_orders")
        assert shop is not None and shop.paused
        assert f"temuship connect {shop_id} --replace" in str(shop.paused_reason)
        assert token is not None and cursor == CURSOR_AT
        with pytest.raises(CredentialsForgotten, match="--replace"):
            shop.temu.access_token.reveal()
        report = shop_status(services_on(own_uow), shop_id)
        assert report["paused"] and report["token"]["state"] == "active"

    def test_connect_replace_then_gives_it_new_ones_under_the_current_key(
        self, own_engine: Engine, own_uow: Uow, shop_id: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        connected(own_uow, shop_id)
        monkeypatch.setenv(KEY_ENV, OTHER_KEY)
        assert forget(own_uow, shop_id, "--yes")[0] == 0
        connected(own_uow, shop_id)
        with own_uow() as work:
            shop = work.shops.get(shop_id)
            cursor = work.cursors.get(shop_id, "temu_orders")
        assert shop is not None and not shop.paused
        assert shop.temu.access_token == a_shop(shop_id).temu.access_token
        assert cursor == CURSOR_AT
        assert forget(own_uow, shop_id, "--yes") == (1, KEY_OPENS)

    def test_it_asks_first_and_a_no_deletes_nothing(
        self, own_engine: Engine, own_uow: Uow, shop_id: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        connected(own_uow, shop_id)
        monkeypatch.setenv(KEY_ENV, OTHER_KEY)
        code, said = forget(own_uow, shop_id, answer="n\n")
        assert code == 1 and "Nothing was deleted." in said
        assert credentials(own_engine) == [shop_id]

    def test_other_shops_under_the_lost_key_must_be_forgotten_before_connecting_again(
        self, own_engine: Engine, own_uow: Uow, shop_id: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        other = f"{shop_id}-b"
        connected(own_uow, shop_id)
        shop = a_shop(other)
        shop.temu = replace(shop.temu, app_key="another-app")
        with own_uow() as work:
            work.shops.save(shop)
            work.commit()
        monkeypatch.setenv(KEY_ENV, OTHER_KEY)
        code, said = forget(own_uow, shop_id, "--yes")
        assert code == 0 and "1 other shop still holds credentials under the lost key" in " ".join(
            said.split()
        )
        with pytest.raises(WrongSecretKey):
            connected(own_uow, shop_id)
        assert forget(own_uow, other, "--yes")[0] == 0
        connected(own_uow, shop_id)
        assert credentials(own_engine) == [shop_id]

    def test_an_unknown_shop_is_bad_usage(self, own_uow: Uow) -> None:
        assert forget(own_uow, "nobody-here", "--yes")[0] == 2
