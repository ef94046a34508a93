"""Hundreds of shops on one Temu app key, as an agency runs them: temuship's database and
Prefect's server both on PostgreSQL, `--workers` process workers on the `temuship` pool, the
`sync-all-shops/every-10-minutes` deployment fanning out one `sync-shop/one-shop` run per
shop every interval. `--shops` quiet shops each get a new order (awaiting shipment, with an
address) at a random moment of every interval; one more shop of the same app key imports a
`--backlog`-order backlog from its first run on. Against the simulated APIs at their real
limits: Temu 20 requests/second per app key, ShipStation V1 40/minute per API key (each shop
its own ShipStation key, as each brand of an agency has its own account).

The interval is the deployment's (`--interval`, 600 s; shorten it to run small) and the bench
starts each turn itself, as the schedule would (the server's scheduler is off, so no other
run starts meanwhile). New orders appear for `--minutes`; the turns go on until every one of
them has arrived in ShipStation or one more interval plus a minute has passed.

It prints, for the quiet shops, p50/p95/max of the time from an order appearing in Temu to its
arrival in ShipStation, over all of them and over those that appeared while the backlog was
importing, also in intervals; the backlog's share of the key (its requests over what the quiet
shops left of 20/s while it imported); the total Temu throughput against the key's ceiling;
Temu requests per order and per quiet run, ShipStation requests per order; refusals (4000004,
429), and for each 4000004 its fullest second (its requests' span and gaps, whose they were);
the turns, the runs started and skipped; ERROR lines and "database is locked" in the
Prefect server's log; and each worker's RSS sampled across the run.

    TEMUSHIP_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
    python bench/scale.py [--shops 100] [--backlog 10000] [--minutes 10] [--interval 600]
                          [--workers 2] [--limit 4]
"""

from __future__ import annotations

import argparse
import compileall
import multiprocessing as mp
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from scale_report import report
from scale_sandbox import BACKLOG_MALL, serve, ss_key, temu_token
from scratch_db import scratch_postgres
from work_pool import POOL, client, orders_by_shop, proc_status, registered_workers, say

from tests.e2e.e2e_support import BIN, ROOT, Processes, environment, free_port, wait_for
from tests.scratch_databases import PG_ENV, scratch_database

PARENT, CHILD = "sync-all-shops/every-10-minutes", "sync-shop/one-shop"
BACKFILL_DAYS = 31  # the backlog's orders were created in the last 30 days
RSS_EVERY = 5.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shops", type=int, default=100, help="quiet shops")
    parser.add_argument("--backlog", type=int, default=10_000, help="the backlog shop's orders")
    parser.add_argument("--minutes", type=float, default=10.0, help="how long orders trickle in")
    parser.add_argument("--interval", type=float, default=600.0, help="seconds between turns")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=4, help="flow runs at once per worker")
    args = parser.parse_args()
    if not os.environ.get(PG_ENV):
        sys.exit(f"set {PG_ENV} (a PostgreSQL server: the bench makes throwaway databases)")
    work = Path(tempfile.mkdtemp(prefix="temuship-scale-"))
    ok = False
    with (
        scratch_postgres() as database_url,
        scratch_database(os.environ[PG_ENV], "prefect_bench") as prefect_url,
    ):
        api_url = f"http://127.0.0.1:{free_port()}/api"
        env = environment(work, api_url, database_url, "bench-secret-key-not-for-production")
        os.environ.update(env)  # before prefect is imported
        processes = Processes(work, dict(env))
        processes.env["PREFECT_API_DATABASE_CONNECTION_URL"] = prefect_url.replace(
            "postgresql+psycopg", "postgresql+asyncpg"
        )
        conn, child_conn = mp.get_context("spawn").Pipe()
        child = mp.get_context("spawn").Process(
            target=serve, args=(args.shops, args.backlog, args.interval, child_conn)
        )
        child.start()
        try:
            ok = bench(args, processes, conn, database_url, api_url)
        finally:
            processes.stop_all()
            conn.send(("stop", None))
            child.join(30)
            if child.is_alive():
                child.kill()
            say(f"stopped the sandbox (pid {child.pid})")
            if not ok:
                processes.print_logs(20)
    if ok:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"\nlogs kept in {work}", flush=True)
    return 0 if ok else 1


def start_prefect(processes: Processes, api_url: str) -> int:
    port = api_url.split(":")[-1].split("/")[0]
    prefect = str(BIN / "prefect")
    processes.env["PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED"] = "false"
    server = processes.start("server", [prefect, "server", "start", "--host", "127.0.0.1",
                                        "--port", port])  # fmt: skip
    del processes.env["PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED"]
    del processes.env["PREFECT_API_DATABASE_CONNECTION_URL"]
    wait_for("the Prefect server", lambda: httpx.get(f"{api_url}/health").is_success, 180)
    processes.run("work-pool", [prefect, "work-pool", "create", POOL, "--type", "process"])
    processes.run("deploy", [prefect, "--no-prompt", "deploy", "--all"], cwd=ROOT, timeout=300)
    return int(server.pid)


def cpu_seconds(pid: int, children: bool) -> float:
    """CPU time of a process (user + system), and with `children` that of its children it
    has waited for (a worker's finished flow runs), in seconds; 0 once it has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    own = int(fields[11]) + int(fields[12])
    ticks = own + (int(fields[13]) + int(fields[14]) if children else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_cpu(pid: int) -> float:
    """A process and every descendant alive now (the Prefect server and its services)."""
    from work_pool import parents

    tree, found, total = parents(), [pid], 0.0
    while found:
        current = found.pop()
        total += cpu_seconds(current, children=True)
        found += [child for child, parent in tree.items() if parent == current]
    return total


def connect_shops(database_url: str, temu_url: str, ss_url: str, quiet: int) -> list[str]:
    """As `temuship connect` does: shop 0 the backlog (backfill 31 days), then the quiet ones,
    each its own Temu token (mall) and ShipStation key."""
    from adapters.sandbox.shipstation.state import DEMO_STORE_ID
    from adapters.sandbox.temu.state import DEMO_APP_KEY, DEMO_APP_SECRET
    from domain.secrets import Secret
    from domain.shop import Region, ShipStationCredentials, Shop, TemuCredentials
    from domain.usecases.shops import connect
    from flows import wiring

    services = wiring.bootstrap(database_url)
    names = []
    for n in range(quiet + 1):
        name = "backlog" if n == 0 else f"quiet-{n:03d}"
        key, secret = ss_key(n)
        ss = ShipStationCredentials(key, Secret(secret), DEMO_STORE_ID, ss_url)
        temu = TemuCredentials(DEMO_APP_KEY, Secret(DEMO_APP_SECRET), Secret(temu_token(n)),
                               Region.US, temu_url)  # fmt: skip
        connect(services, Shop(name, temu, ss, created_at=services.clock.now(),
                               backfill_days=BACKFILL_DAYS))  # fmt: skip
        names.append(name)
    return names


def bench(args: Any, processes: Processes, conn: Any, database_url: str, api_url: str) -> bool:
    temu_url, ss_url = conn.recv()
    server_pid = start_prefect(processes, api_url)
    say("Prefect server up (PostgreSQL), pool and deployments made")
    shops = connect_shops(database_url, temu_url, ss_url, args.shops)
    say(f"{len(shops)} shops of one app key connected ({args.shops} quiet, 1 backlog)")
    # Each flow run is a new process: as on a worker that runs Python as it comes, it reads
    # our modules' bytecode, which an editable install under PYTHONDONTWRITEBYTECODE=1 never
    # writes (compiling them was 6.5% of the flow runs' CPU samples here).
    for package in ("adapters", "domain", "flows"):
        compileall.compile_dir(ROOT / package, quiet=1)
    workers = {}
    for n in range(args.workers):
        name = f"scale-worker-{n + 1}"
        command = [str(BIN / "python"), "-m", "flows.worker", "--pool", POOL, "--name", name]
        workers[name] = processes.start(name, [*command, "--limit", str(args.limit)]).pid
    wait_for("the workers to register", lambda: set(workers) <= registered_workers(), 180)
    conn.send(("figures", 0.0))
    before = conn.recv()
    cpu0 = {name: cpu_seconds(pid, True) for name, pid in workers.items()}
    cpu0["server"] = tree_cpu(server_pid)
    go = time.monotonic()
    conn.send(("trickle", args.minutes * 60))
    conn.recv()
    turns, rss = run_turns(args, go, conn, workers)
    conn.send(("figures", go))
    found = conn.recv()
    wall = time.monotonic() - go
    cpu = {name: cpu_seconds(pid, True) - cpu0[name] for name, pid in workers.items()}
    cpu["server"] = tree_cpu(server_pid) - cpu0["server"]
    runs = child_runs()
    say(f"{turns} turns; {len(runs)} one-shop runs")
    log = (processes.log_dir / "server.log").read_text(errors="replace")
    server = {"errors": sum(1 for line in log.splitlines() if "| ERROR" in line),
              "locked": log.count("database is locked"), "cpu": cpu}  # fmt: skip
    imported = orders_by_shop(database_url)
    return report(args, found, before, runs, turns, wall, rss, server, BACKLOG_MALL, imported)


def run_turns(
    args: Any, go: float, conn: Any, workers: dict[str, int]
) -> tuple[int, dict[str, list[tuple[float, int]]]]:
    """A parent run every interval (as the schedule starts them) until the trickle has ended
    and every trickled order arrived, or an interval plus a minute more has passed."""
    with client() as c:
        parent = c.read_deployment_by_name(PARENT)
    trickle_end = go + args.minutes * 60
    give_up = trickle_end + args.interval + 60
    rss: dict[str, list[tuple[float, int]]] = {name: [] for name in workers}
    turns, next_turn, next_rss, next_say = 0, go, go, go
    while True:
        now = time.monotonic()
        if now >= next_turn and now < give_up:
            with client() as c:
                c.create_flow_run_from_deployment(parent.id)
            turns, next_turn = turns + 1, next_turn + args.interval
        if now >= next_rss:
            for name, pid in workers.items():
                rss[name].append((now - go, proc_status(pid).get("VmRSS", 0)))
            next_rss += RSS_EVERY
        if now >= next_say:
            conn.send(("figures", go))
            found = conn.recv()
            say(f"turn {turns}: {len(found['arrived'])}/{len(found['created'])} new orders in "
                f"ShipStation; Temu answered {found['all']['count']} requests")  # fmt: skip
            next_say += 60
            if now > trickle_end and len(found["arrived"]) == len(found["created"]):
                return turns, rss
        if now >= give_up:
            return turns, rss
        time.sleep(1.0)


def child_runs() -> list[Any]:
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

    with client() as c:
        deployment = c.read_deployment_by_name(CHILD)
        runs, offset = [], 0
        while True:
            page = c.read_flow_runs(
                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id])),
                limit=200, offset=offset,
            )  # fmt: skip
            runs += page
            if len(page) < 200:
                return runs
            offset += 200


if __name__ == "__main__":
    sys.exit(main())
