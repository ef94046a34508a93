"""`temuship demo` and `temuship sandbox`: temuship end to end without any account."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path
from typing import Any

from adapters.db.location import data_dir
from flows.cli.output import dump, out

DEMO_SHOP = "demo"


def demo_database() -> str:
    """The demo never writes into the seller's own database: it has a file of its own."""
    path = Path(data_dir()) / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def run_demo(order_count: int, as_json: bool) -> int:
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from adapters.sandbox.launcher import Sandbox
    from adapters.sandbox.temu.state import TemuSandbox
    from flows import wiring
    from flows.cli.prefect_api import ensure_prefect_api
    from flows.sync import sync_shop

    url = demo_database()
    services = wiring.bootstrap(url)
    steps: dict[str, Any] = {"database": url}
    with Sandbox(temu=TemuSandbox(qps=20)) as sandbox, wiring.using(services):
        sandbox.temu.seed_orders(order_count, seed=20261127)
        say(
            as_json,
            f"Sandbox: Temu at {sandbox.temu_url}, ShipStation at "
            f"{sandbox.shipstation_url}; {order_count} orders seeded.",
        )
        connect_demo_shop(sandbox, services, as_json)
        say(as_json, "First sync (starts a local Prefect server the first time)...")
        ensure_prefect_api()
        steps["first_sync"] = sync_shop(DEMO_SHOP)
        steps["labels"] = buy_labels(sandbox, services)
        steps["example_order"] = example_order(sandbox)
        steps["addresses_arrived"] = give_addresses(sandbox)
        say(
            as_json,
            f"Bought labels in ShipStation: {steps['labels']}; "
            f"{steps['addresses_arrived']} held orders got their address in Temu.",
        )
        time.sleep(1.1)  # Temu's update times are in seconds
        steps["second_sync"] = sync_shop(DEMO_SHOP)
        steps["temu_shipped"] = len(sandbox.temu.order_sns({4}))
    from domain.usecases.reports import shop_status

    with wiring.using(services):
        steps["status"] = shop_status(services, DEMO_SHOP)
    if as_json:
        dump(steps)
    else:
        summary(steps, url)
    ok = all(steps[k]["status"] == "ok" for k in ("first_sync", "second_sync"))
    return 0 if ok else 1


def connect_demo_shop(sandbox: Any, services: Any, as_json: bool) -> None:
    from domain.shop import Shop
    from domain.usecases.shops import connect

    creds = sandbox.temu_credentials(), sandbox.shipstation_credentials()
    token = connect(services, Shop(DEMO_SHOP, *creds, created_at=services.clock.now()))
    say(as_json, f"Connected shop '{DEMO_SHOP}': token valid until {token.expires_at:%Y-%m-%d}.")


def example_order(sandbox: Any) -> str | None:
    """An order to look up with `temuship history`: one the labels shipped."""
    orders = sandbox.shipstation.orders.values()
    return next((o["orderNumber"] for o in orders if o["orderStatus"] == "shipped"), None)


def say(quiet: bool, text: str) -> None:
    if not quiet:
        out.print(text, highlight=False)


def buy_labels(sandbox: Any, services: Any) -> dict[str, int]:
    """Labels as a seller would buy them: most whole, some partial, some in two boxes."""
    rng = random.Random(7)
    ss = sandbox.shipstation
    done = {"full": 0, "partial": 0, "two_packages": 0, "voided": 0}
    keys = sorted(k for k, o in ss.orders.items() if o["orderStatus"] == "awaiting_shipment")
    for key in keys[: max(1, len(keys) * 6 // 10)]:
        items = [i for i in ss.orders[key]["items"] if i.get("lineItemKey")]
        roll = rng.random()
        if len(items) > 1 and roll < 0.2:
            ss.create_labels(key, [{items[0]["lineItemKey"]: items[0]["quantity"]}])
            done["partial"] += 1
        elif len(items) > 1 and roll < 0.35:
            half = len(items) // 2
            ss.create_labels(
                key,
                [
                    {i["lineItemKey"]: i["quantity"] for i in items[:half]},
                    {i["lineItemKey"]: i["quantity"] for i in items[half:]},
                ],
            )
            done["two_packages"] += 1
        elif roll < 0.37:
            (shipment,) = ss.create_labels(key)
            ss.void_label(shipment["shipmentId"])
            done["voided"] += 1
        else:
            ss.create_labels(key)
            done["full"] += 1
    return done


def give_addresses(sandbox: Any) -> int:
    from adapters.sandbox.temu.seed import make_address

    temu, rng, given = sandbox.temu, random.Random(11), 0
    for sn in sorted(temu.order_sns({2})):
        if temu.orders[sn].address is None:
            temu.set_address(sn, make_address(rng, 1))
            given += 1
    return given


def summary(steps: dict[str, Any], url: str) -> None:
    first, second, status = steps["first_sync"], steps["second_sync"], steps["status"]
    c1, c2 = first["counts"], second["counts"]
    out.print("\n[bold]What happened[/bold]")
    out.print(
        f"  first sync: {c1.get('orders_new', 0)} orders read from Temu, "
        f"{c1.get('pushed', 0)} sent to ShipStation in {c1.get('push_calls', 0)} call(s)"
    )
    out.print(
        f"  second sync: {c2.get('labels_seen', 0)} labels read, "
        f"{c2.get('confirmations_queued', 0)} confirmations queued, "
        f"{c2.get('confirmed', 0)} confirmed to Temu in {c2.get('confirm_calls', 0)} "
        f"call(s); {c2.get('pushed', 0)} orders updated in ShipStation"
    )
    out.print(
        "  orders by state: "
        + ", ".join(f"{k} {v}" for k, v in sorted(status["orders_by_state"].items()))
    )
    out.print(
        f"  held without a ship-to: {status['missing_ship_to']}; "
        f"confirmations: {status['confirmations_by_status']}"
    )
    attention = second.get("attention", [])
    out.print(f"  needing a person: {len(attention)}")
    for kind, ident, reason in attention[:5]:
        out.print(f"    {kind} {ident}: {reason}", highlight=False)
    out.print("\n[bold]Where to look next[/bold]")
    env = f"TEMUSHIP_DATABASE_URL={url}"
    example = steps.get("example_order") or "PO-..."
    out.print(f"  {env} temuship status {DEMO_SHOP}", soft_wrap=True)
    out.print(f"  {env} temuship history {example}", soft_wrap=True)
    out.print("  temuship connect --help   (connect a real shop)")


def connect_lines(temu_url: str, shipstation_url: str) -> list[str]:
    """What `temuship sandbox` tells a person to run: connect with V1 or with V2 (one Temu
    mall is one shop: one of the two), and the move of a V1 shop to V2."""
    from adapters.sandbox.shipstation.state import DEMO_API_KEY, DEMO_API_SECRET
    from adapters.sandbox.shipstation.v2.account import DEMO_V2_API_KEY
    from adapters.sandbox.temu.state import DEMO_ACCESS_TOKEN, DEMO_APP_KEY, DEMO_APP_SECRET

    temu = (f"--region us --app-key {DEMO_APP_KEY} --app-secret {DEMO_APP_SECRET} "
            f"--access-token {DEMO_ACCESS_TOKEN}")  # fmt: skip
    urls = f"--temu-url {temu_url} --shipstation-url {shipstation_url}"
    v2 = f"--shipstation-api v2 --shipstation-key {DEMO_V2_API_KEY}"
    return [
        "Connect with ShipStation V1 (Legacy: a key and a secret):",
        f"  temuship connect sandbox {temu} --shipstation-key {DEMO_API_KEY} "
        f"--shipstation-secret {DEMO_API_SECRET} {urls}",
        "or with ShipStation V2 (one API key; the same simulated account):",
        f"  temuship connect sandbox {temu} {v2} {urls}",
        "A shop connected with V1 moves to V2 (its Temu side, orders and history kept) with:",
        f"  temuship connect sandbox --replace {v2} --shipstation-url {shipstation_url}",
    ]


def serve_sandbox(temu_port: int, shipstation_port: int, order_count: int) -> None:
    from adapters.sandbox.launcher import Sandbox

    sandbox = Sandbox(temu_port=temu_port, shipstation_port=shipstation_port).start()
    sandbox.temu.seed_orders(order_count)
    out.print(f"Simulated Temu: {sandbox.temu_url}   ShipStation: {sandbox.shipstation_url}")
    for line in connect_lines(sandbox.temu_url, sandbox.shipstation_url):
        out.print(line, soft_wrap=True, highlight=False)  # one line each, to copy and paste
    out.print("These are the sandbox's own demo credentials. Ctrl-C stops it.")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sandbox.stop()
