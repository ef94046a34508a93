"""Helpers for the end-to-end sync tests: the CLI runner, sandbox look-ups, order set-up."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from adapters.sandbox.launcher import Sandbox
from adapters.sandbox.shipstation.state import DEMO_API_KEY, DEMO_API_SECRET
from adapters.sandbox.temu.seed import make_address
from adapters.sandbox.temu.state import DEMO_ACCESS_TOKEN, DEMO_APP_KEY, DEMO_APP_SECRET
from adapters.temu.client import TemuClient
from domain.model import order_key
from domain.shop import Shop
from flows import wiring
from flows.cli.app import app


@dataclass
class ConfirmCall:
    """One confirmation request as the simulated Temu received it, and how it answered."""

    send_type: int
    packages: list[dict[str, Any]]
    error: int | None

    def lines(self) -> list[str]:
        return sorted(i["orderSn"] for p in self.packages for i in p["orderSendInfoList"])

    def tracking(self) -> list[str]:
        subs = [s["trackingNumber"] for p in self.packages for s in p.get("subSendRequests") or []]
        return sorted([p["trackingNumber"] for p in self.packages] + subs)


def fast_temu(shop: Shop) -> TemuClient:
    """The real client, paced for a sandbox with its limit off (the default paces at 20/s)."""
    return TemuClient(shop.temu, rate=1000.0)


@dataclass
class Cli:
    """Runs `temuship ...` in this process against one database and the test's sandbox."""

    database_url: str
    home: Path
    sandbox: Sandbox
    runner: CliRunner = field(default_factory=CliRunner)

    def __call__(self, *args: str) -> Any:
        env = {"TEMUSHIP_DATABASE_URL": self.database_url, "TEMUSHIP_HOME": str(self.home),
               "COLUMNS": "200"}  # fmt: skip
        services = wiring.bootstrap(self.database_url, temu_for=fast_temu)
        with wiring.using(services):
            return self.runner.invoke(app, list(args), env=env, catch_exceptions=False)

    def json(self, *args: str) -> Any:
        return self.json_exit(*args, code=0)

    def json_exit(self, *args: str, code: int) -> Any:
        result = self(*args, "--json")
        assert result.exit_code == code, result.output
        return json.loads(result.stdout)

    def connect(self, name: str, *flags: str, **overrides: str) -> Any:
        options = {
            "--app-key": DEMO_APP_KEY, "--app-secret": DEMO_APP_SECRET,
            "--access-token": DEMO_ACCESS_TOKEN, "--shipstation-key": DEMO_API_KEY,
            "--shipstation-secret": DEMO_API_SECRET, "--temu-url": self.sandbox.temu_url,
            "--shipstation-url": self.sandbox.shipstation_url, **overrides,
        }  # fmt: skip
        return self("connect", name, *flags, *(x for pair in options.items() for x in pair))


def ss_order(sandbox: Sandbox, shop: str, parent_order_sn: str) -> dict[str, Any] | None:
    return sandbox.shipstation.orders.get(order_key(shop, parent_order_sn))


def ss_status(sandbox: Sandbox, shop: str, parent_order_sn: str) -> str | None:
    found = ss_order(sandbox, shop, parent_order_sn)
    return found["orderStatus"] if found else None


def createorders_calls(sandbox: Sandbox) -> int:
    return int(sandbox.shipstation.counters.calls["POST /orders/createorders"])


def make_awaiting(sandbox: Sandbox, sns: list[str], seed: int = 5) -> None:
    """Orders awaiting shipment with a ship-to and nothing pending: plain, shippable orders."""
    rng, temu = random.Random(seed), sandbox.temu
    with temu.lock:
        for sn in sns:
            order = temu.orders[sn]
            order.labels.clear()
            order.shipped_at = None
            order.address = make_address(rng, 1)
            temu.set_status(sn, 2)


def seed_awaiting(sandbox: Sandbox, count: int, seed: int = 7) -> list[str]:
    sns = sandbox.temu.seed_orders(count, seed=seed)
    make_awaiting(sandbox, sns)
    return sns


def multi_line(sandbox: Sandbox, sns: list[str]) -> list[str]:
    return [sn for sn in sns if len(sandbox.temu.orders[sn].lines) >= 2]


def set_line_status(sandbox: Sandbox, sn: str, parent: int, first_line: int) -> None:
    """A partial parent status: the first line done, the others still awaiting shipment."""
    temu = sandbox.temu
    with temu.lock:
        temu.set_status(sn, parent, line_status=2)
        temu.orders[sn].lines[0].status = first_line


def item_keys(sandbox: Sandbox, shop: str, sn: str) -> dict[str, int]:
    found = ss_order(sandbox, shop, sn)
    assert found is not None, f"{sn} is not in ShipStation"
    return {i["lineItemKey"]: i["quantity"] for i in found["items"]}


def temu_shipments(sandbox: Sandbox, sn: str | None = None) -> list[tuple[str, str]]:
    """(orderSn, tracking number) of every line Temu recorded as shipped."""
    return sorted(
        (s.order_sn, s.tracking_number)
        for s in sandbox.temu.shipments
        if sn is None or s.parent_order_sn == sn
    )


def flat(text: str) -> str:
    return " ".join(text.split())


SHOP_TABLES = ("shops", "tokens", "token_history", "orders", "order_lines", "order_history",
               "shipment_confirmations", "sync_cursors", "carrier_mappings")  # fmt: skip


def database_rows(database_url: str, shop: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row the shop has in our database, table by table (to prove nothing was written)."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    meta = sa.MetaData()
    meta.reflect(engine, only=SHOP_TABLES)
    try:
        with engine.connect() as conn:
            return {
                name: sorted(map(tuple, conn.execute(
                    sa.select(table).where(table.c.shop_id == shop)).all()), key=repr)
                for name, table in meta.tables.items()
            }  # fmt: skip
    finally:
        engine.dispose()
