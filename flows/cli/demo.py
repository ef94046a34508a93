"""`temuship demo` and `temuship sandbox`: temuship end to end without any account."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path
from typing import Any

from adapters.db.location import data_dir
from flows.cli.output import command, dump, line, out
from flows.cli.output import say as out_say
from flows.wording import plural, when

DEMO_SHOP = "demo"


def demo_database() -> str:
    """The demo never writes into the seller's own database: it has a file of its own."""
    path = Path(data_dir()) / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def own_prefect() -> Path:
    """The demo's flow runs go to a temporary Prefect server in a Prefect home of its own,
    never to the server PREFECT_API_URL or the active Prefect profile names: a real server's
    UI shows real shops only. Called before Prefect is imported."""
    home = Path(data_dir()) / "demo-prefect"
    home.mkdir(mode=0o700, exist_ok=True)
    for setting in ("API_URL", "UI_URL", "PROFILE", "PROFILES_PATH"):
        os.environ.pop(f"PREFECT_{setting}", None)
    os.environ["PREFECT_HOME"] = str(home)
    return home


def run_demo(order_count: int, as_json: bool) -> int:
    own_prefect()
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from adapters.sandbox.launcher import Sandbox
    from adapters.sandbox.temu.state import TemuSandbox
    from flows import wiring
    from flows.cli.prefect_api import ensure_prefect_api
    from flows.sync import run_sync_shop

    url = demo_database()
    services = wiring.bootstrap(url)
    steps: dict[str, Any] = {"database": url}
    with Sandbox(temu=TemuSandbox(qps=20)) as sandbox, wiring.using(services):
        sandbox.temu.seed_orders(order_count, seed=20261127)
        say(
            as_json,
            f"The sandbox is up: a simulated Temu at {sandbox.temu_url} with {order_count} "
            f"orders, and a simulated ShipStation at {sandbox.shipstation_url}.",
        )
        connect_demo_shop(sandbox, services, as_json)
        say(as_json, "First sync (a temporary Prefect server of the demo's own starts first)...")
        ensure_prefect_api()
        steps["first_sync"] = run_sync_shop(DEMO_SHOP)
        steps["labels"] = buy_labels(sandbox, services)
        steps["example_order"] = example_order(sandbox)
        steps["addresses_arrived"] = give_addresses(sandbox)
        say(as_json, "Bought labels in ShipStation and released addresses in Temu; second sync...")
        time.sleep(1.1)  # Temu's update times are in seconds
        steps["second_sync"] = run_sync_shop(DEMO_SHOP)
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
    say(as_json, f"Connected the shop '{DEMO_SHOP}'; its token is valid until "
                 f"{when(token.expires_at)}.")  # fmt: skip


def example_order(sandbox: Any) -> str | None:
    """An order to look up with `temuship history`: one the labels shipped."""
    orders = sandbox.shipstation.orders.values()
    return next((o["orderNumber"] for o in orders if o["orderStatus"] == "shipped"), None)


def say(quiet: bool, text: str) -> None:
    if not quiet:
        out_say(text)


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
    """The demo's last screen: what each step did, the shop as `temuship status` shows it,
    and the commands to paste next."""
    from flows.cli.views import print_status

    first, second, labels = steps["first_sync"], steps["second_sync"], steps["labels"]
    c1, c2 = first["counts"], second["counts"]
    out.print("\n[bold]What happened[/bold]")
    said(f"The first sync read {plural(c1.get('orders_read', 0), 'Temu order')} and sent "
         f"{c1.get('pushed', 0)} to ShipStation in {plural(c1.get('push_calls', 0), 'call')}; "
         f"{c1.get('orders_without_ship_to', 0)} wait for Temu's ship-to address "
         "(Temu gives it once an order awaits shipment).")  # fmt: skip
    bought = sum(labels.values())
    said(f"Labels were bought in ShipStation for {plural(bought, 'order')}: {labels['full']} "
         f"whole, {labels['partial']} for some lines, {labels['two_packages']} in two boxes, "
         f"{labels['voided']} voided again; Temu gave the address of "
         f"{plural(steps['addresses_arrived'], 'held order')}.")  # fmt: skip
    said(f"The second sync read {plural(c2.get('labels_seen', 0), 'label')}, confirmed "
         f"{plural(c2.get('confirmed', 0), 'shipment')} to Temu in "
         f"{plural(c2.get('confirm_calls', 0), 'call')} and updated "
         f"{plural(c2.get('pushed', 0), 'order')} in ShipStation.")  # fmt: skip
    out.print("\n[bold]The shop now[/bold] (what `temuship status demo` shows)")
    print_status(steps["status"], "labels: read by each sync",
                 dashboard="none: the demo's Prefect server stopped with it")  # fmt: skip
    out.print("[bold]Where to look next[/bold] (paste these; the demo's database is its own)")
    env = f"TEMUSHIP_DATABASE_URL={url}"
    example = steps.get("example_order") or "PO-..."
    line(f"  {env} {command()} status {DEMO_SHOP}")
    line(f"  {env} {command()} history {example}")
    line(f"  {command()} connect --help      # then connect a real shop")


def said(text: str) -> None:
    out_say(text, indent=2)


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
        f"  {command()} connect sandbox {temu} --shipstation-key {DEMO_API_KEY} "
        f"--shipstation-secret {DEMO_API_SECRET} {urls}",
        "or with ShipStation V2 (one API key; the same simulated account):",
        f"  {command()} connect sandbox {temu} {v2} {urls}",
        "A shop connected with V1 moves to V2 (its Temu side, orders and history kept) with:",
        f"  {command()} connect sandbox --replace {v2} --shipstation-url {shipstation_url}",
    ]


def serve_sandbox(temu_port: int, shipstation_port: int, order_count: int) -> None:
    from adapters.sandbox.launcher import Sandbox

    sandbox = Sandbox(temu_port=temu_port, shipstation_port=shipstation_port).start()
    sandbox.temu.seed_orders(order_count)
    say(False, f"A simulated Temu serves at {sandbox.temu_url} ({order_count} orders) and a "
               f"simulated ShipStation at {sandbox.shipstation_url}, until Ctrl-C.")  # fmt: skip
    say(False, "Connect a shop to them with the sandbox's own demo credentials:")
    for text in connect_lines(sandbox.temu_url, sandbox.shipstation_url):
        if text.startswith("  "):
            line(text)  # a command: one line, to copy and paste
        else:
            say(False, text)
    say(False, "Drive them from another terminal (README, The sandbox, lists every admin "
               "route), for example:")  # fmt: skip
    line(f"  curl -X POST {sandbox.temu_url}/admin/seed -H 'Content-Type: application/json' "
         """-d '{"count": 10}'      # 10 new orders, read by the next sync""")  # fmt: skip
    line(
        f"  curl -X POST {sandbox.temu_url}/admin/tokens/expire -H 'Content-Type: "
        "application/json' -d '{}'      # the token expires: the next sync pauses the shop"
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sandbox.stop()
