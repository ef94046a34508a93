"""One process of a shared-budget test: a Temu or ShipStation client of the shared key, paced
by the budget in the database, sending its share of requests when the test says go.

    python budget_worker.py temu DATABASE_URL TEMU_URL ACCESS_TOKEN SN,SN,...
    python budget_worker.py shipstation DATABASE_URL SHIPSTATION_URL SHOP_ID COUNT
    python budget_worker.py backlog|quiet DATABASE_URL TEMU_URL ACCESS_TOKEN SN,SN,... SHOP_ID

`backlog`: the shop reads ship-to addresses as a backlog; `quiet`: amounts, as incremental
work; both as shops of the app key (claimants of its fair share).

Prints "ready", waits for a line on stdin, sends, then prints one JSON line of figures.
"""

from __future__ import annotations

import json
import sys
import time

from adapters.db.budgets import budgets_for
from adapters.db.engine import make_engine
from adapters.sandbox.shipstation.state import DEMO_API_KEY, DEMO_API_SECRET, DEMO_STORE_ID
from adapters.sandbox.temu.state import DEMO_APP_KEY, DEMO_APP_SECRET
from adapters.shipstation.client import ShipStationClient
from adapters.temu.client import TemuClient
from adapters.temu.pacing import mark_backlog
from adapters.temu.transport import router_url
from domain.errors import ExternalApiError
from domain.secrets import Secret
from domain.shop import Region, ShipStationCredentials, TemuCredentials


def go() -> None:
    print("ready", flush=True)
    sys.stdin.readline()


def temu(
    database_url: str, base_url: str, token: str, sns: list[str], kind: str = "temu", shop: str = ""
) -> dict[str, object]:
    credentials = TemuCredentials(
        DEMO_APP_KEY, Secret(DEMO_APP_SECRET), Secret(token), Region.US, base_url
    )
    budget = budgets_for(make_engine(database_url)).temu(router_url(credentials), DEMO_APP_KEY)
    client = TemuClient(credentials, limiter=budget, claimant=shop or None)
    mark_backlog(shop, kind == "backlog")
    go()
    started = time.monotonic()
    read = client.amounts_many if kind == "quiet" else client.ship_to
    found = read(sns)
    elapsed = time.monotonic() - started
    failed = [str(v) for v in found.values() if isinstance(v, ExternalApiError)]
    return {"elapsed": elapsed, "answers": len(found), "failed": failed,
            "round_trips": budget.round_trips, "slots": budget.slots_taken}  # fmt: skip


def shipstation(database_url: str, base_url: str, shop_id: str, count: int) -> dict[str, object]:
    credentials = ShipStationCredentials(
        DEMO_API_KEY, Secret(DEMO_API_SECRET), DEMO_STORE_ID, base_url
    )
    pacer = budgets_for(make_engine(database_url)).shipstation(base_url, DEMO_API_KEY)
    client = ShipStationClient(credentials, shop_id, pacer=pacer)
    go()
    started = time.monotonic()
    for _ in range(count):
        client.stores()
    elapsed = time.monotonic() - started
    return {"elapsed": elapsed, "requests": client.api.requests,
            "rate_limited": client.api.rate_limited, "waited": pacer.waited}  # fmt: skip


if __name__ == "__main__":
    kind, database_url, base_url, who, what = sys.argv[1:6]
    if kind == "temu":
        result = temu(database_url, base_url, who, what.split(","))
    elif kind in ("backlog", "quiet"):
        result = temu(database_url, base_url, who, what.split(","), kind, sys.argv[6])
    else:
        result = shipstation(database_url, base_url, who, int(what))
    print(json.dumps(result), flush=True)
