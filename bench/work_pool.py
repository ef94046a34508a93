"""Many shops of one Temu app key synced through one Prefect work pool by several process
workers, against the simulated APIs at their real limits: Temu 20 requests/second per app key
(4000004 beyond), ShipStation 40 requests/minute per API key (429 beyond).

As it runs for real (README, "Several workers"): `prefect server start` (its scheduler off, so
no scheduled deployment runs meanwhile), the `temuship` process pool, `prefect deploy --all`
from prefect.yaml, the shops connected to one temuship database (a SQLite file, or with
--postgres a scratch database on the server TEMUSHIP_TEST_DATABASE_URL names), and `--workers`
`python -m flows.worker --pool temuship --limit L` (`prefect worker start`, its memory flat:
flows/worker.py). Then one `sync-shop/one-shop` run per shop,
all created at once; every flow run paces its Temu and ShipStation calls by the keys' budgets
in that database (adapters/db/budgets.py), whichever worker runs it.

It prints the wall time; the orders imported per shop; the Temu requests answered and their
rate against the key's 20/s (over the time from the first to the last request the sandbox
answered, and over the wall time); the 4000004 refusals and the 429s (both must be 0); the
runs each worker took; the peak RSS of every flow-run process (VmHWM, read from /proc while it
runs) in the order each worker started them, and each worker's own RSS at start and end; and
how busy the host was (load average, the share of time a task waited for a CPU) and the
longest stall of the simulated APIs' process (a request it reaches late is counted late: 20
requests that reach it together after a stall can crowd one second).
Every process it starts is stopped by its PID, pass or fail.

    python bench/work_pool.py [--shops 20] [--orders 1000] [--workers 2] [--limit 4] [--postgres]
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing as mp
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from simulated import QPS, SEED, limited_sandbox, ss_counters, temu_stats, timing

from tests.e2e.e2e_support import BIN, ROOT, Processes, environment, free_port, wait_for

POOL, DEPLOYMENT = "temuship", "sync-shop/one-shop"
SAMPLE_EVERY = 0.5  # seconds between readings of /proc
BACKFILL_DAYS = 31  # the sandbox's orders were created in the last 30 days: the first sync
# reads them all (the default 7 days would leave about a quarter of them out)


def say(text: str, started: list[float] = [time.monotonic()]) -> None:  # noqa: B006
    print(f"[{time.monotonic() - started[0]:7.1f}s] {text}", flush=True)


# --- the sandbox: a child process -------------------------------------------------------------


def serve_sandbox(orders: int, shops: int, conn: Any) -> None:
    """Child process: both simulated APIs at their real limits; one token (mall) per shop.
    Every token sees every seeded order: each shop has `orders` orders to import."""
    # The simulated Temu counts a request when its event loop reaches it. A full collection
    # of this process's heap (the seeded orders, ShipStation's growing store) stops every
    # thread for 100-360 ms, and the requests that arrived meanwhile are then counted
    # together: refusals no real gateway would give. Only young objects are collected here.
    gc.disable()
    threading.Thread(target=collect_young, daemon=True).start()
    stalls = Stalls()
    threading.Thread(target=stalls.watch, daemon=True).start()
    sandbox, counter = limited_sandbox(shops)
    with sandbox:
        sandbox.temu.seed_orders(orders, seed=SEED)
        conn.send((sandbox.temu_url, sandbox.shipstation_url))
        while True:
            what, arg = conn.recv()
            if what == "timing":
                found = timing([t for t in list(counter.times) if t >= arg])
                conn.send({**found, **stalls.since(arg)})
            elif what == "shipstation":
                with sandbox.shipstation.lock:
                    keys = list(sandbox.shipstation.orders)
                conn.send(Counter(key.rsplit("-PO-", 1)[0] for key in keys))
            else:
                return


def collect_young() -> None:
    while True:
        time.sleep(1.0)
        gc.collect(1)


class Stalls:
    """How late a 10 ms sleep of this process wakes: its stalls (the CPU, the GIL)."""

    def __init__(self) -> None:
        self.late: list[tuple[float, float]] = []

    def watch(self) -> None:
        while True:
            before = time.monotonic()
            time.sleep(0.01)
            after = time.monotonic()
            self.late.append((after, after - before - 0.01))

    def since(self, start: float) -> dict[str, float]:
        late = sorted(lag for at, lag in list(self.late) if at >= start) or [0.0]
        return {"stall_max": late[-1], "stall_p99": late[int(0.99 * (len(late) - 1))]}


def connect_shops(database_url: str, temu_url: str, ss_url: str, shops: int) -> list[str]:
    """As `temuship connect --backfill-days 31` does, once per shop (the budgets in the
    database, as in use)."""
    from adapters.sandbox.shipstation.state import DEMO_API_KEY, DEMO_API_SECRET, DEMO_STORE_ID
    from adapters.sandbox.temu.state import DEMO_ACCESS_TOKEN, DEMO_APP_KEY, DEMO_APP_SECRET
    from domain.secrets import Secret
    from domain.shop import Region, ShipStationCredentials, Shop, TemuCredentials
    from domain.usecases.shops import connect
    from flows import wiring

    services = wiring.bootstrap(database_url)
    ss = ShipStationCredentials(DEMO_API_KEY, Secret(DEMO_API_SECRET), DEMO_STORE_ID, ss_url)
    names = []
    for n in range(shops):
        token = DEMO_ACCESS_TOKEN if n == 0 else f"bench-token-{n}"
        temu = TemuCredentials(DEMO_APP_KEY, Secret(DEMO_APP_SECRET), Secret(token), Region.US,
                               temu_url)  # fmt: skip
        shop = Shop(f"shop-{n}", temu, ss, created_at=services.clock.now(),
                    backfill_days=BACKFILL_DAYS)  # fmt: skip
        connect(services, shop)
        names.append(f"shop-{n}")
    return names


def orders_by_shop(database_url: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from adapters.db.engine import engine_for
    from adapters.db.tables.orders import OrderRow

    table = OrderRow.__table__  # type: ignore[attr-defined]
    with engine_for(database_url).connect() as conn:
        rows = conn.execute(select(table.c.shop_id, func.count()).group_by(table.c.shop_id))
        return {shop: count for shop, count in rows}


# --- memory: read from /proc ------------------------------------------------------------------


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process, in kB; empty once it has gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    fields = (line.split() for line in text.splitlines() if line.startswith(("VmRSS", "VmHWM")))
    return {parts[0].rstrip(":"): int(parts[1]) for parts in fields}


def cpu_waited_us() -> int | None:
    """Microseconds some task has waited for a CPU since boot (/proc/pressure/cpu)."""
    try:
        first = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except (OSError, IndexError):
        return None
    return int(first.rsplit("total=", 1)[1])


def parents() -> dict[int, int]:
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            found[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    return found


@dataclass
class RunMemory:
    """One flow run's process: the workspace supervisor, which then execs the engine (the
    same PID; exec starts a new VmHWM). Peak RSS per program the PID ran, in kB."""

    worker: str
    seen: float  # when first seen (monotonic)
    phases: list[tuple[int, str, int]] = field(default_factory=list)  # (pid, command, VmHWM)

    def note(self, pid: int, command: str, hwm: int) -> None:
        for n, (p, c, peak) in enumerate(self.phases):
            if p == pid and c == command:
                self.phases[n] = (p, c, max(peak, hwm))
                return
        self.phases.append((pid, command, hwm))

    @property
    def peak_kb(self) -> int:
        """The flow-run process's peak: the program it ran last (the engine)."""
        return self.phases[-1][2]

    @property
    def before_kb(self) -> list[int]:
        return [peak for _, _, peak in self.phases[:-1]]


class MemoryWatch(threading.Thread):
    """Every SAMPLE_EVERY seconds: each worker's descendants that belong to a flow run
    (PREFECT__FLOW_RUN_ID in their environment), and their VmHWM."""

    def __init__(self, workers: dict[str, int]) -> None:
        super().__init__(daemon=True)
        self.workers = workers
        self.runs: dict[str, RunMemory] = {}
        self.worker_peak_kb: dict[str, int] = {}
        self._run_of: dict[int, str | None] = {}
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(SAMPLE_EVERY):
            self.sample()

    def stop(self) -> None:
        self._halt.set()
        self.join(10)

    def sample(self) -> None:
        tree = parents()
        children: dict[int, list[int]] = {}
        for pid, ppid in tree.items():
            children.setdefault(ppid, []).append(pid)
        for name, worker_pid in self.workers.items():
            self.worker_peak_kb[name] = proc_status(worker_pid).get("VmHWM", 0)
            stack = list(children.get(worker_pid, []))
            while stack:
                pid = stack.pop()
                stack.extend(children.get(pid, []))
                run_id = self.flow_run_of(pid)
                hwm = proc_status(pid).get("VmHWM")
                if run_id is None or hwm is None:
                    continue
                memory = self.runs.setdefault(run_id, RunMemory(name, time.monotonic()))
                memory.note(pid, command_of(pid), hwm)

    def flow_run_of(self, pid: int) -> str | None:
        if pid not in self._run_of:
            try:
                environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            except OSError:
                return None
            found = [e.split(b"=", 1)[1] for e in environ if e.startswith(b"PREFECT__FLOW_RUN_ID=")]
            self._run_of[pid] = found[0].decode() if found else None
        return self._run_of[pid]


def command_of(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return "?"
    words = [Path(a).name if "/" in a else a for a in argv if a]
    return " ".join(words)[:60]


# --- Prefect --------------------------------------------------------------------------------


def client() -> Any:
    from prefect.client.orchestration import get_client

    return get_client(sync_client=True)


def start_prefect(processes: Processes, api_url: str) -> None:
    port = api_url.split(":")[-1].split("/")[0]
    prefect = str(BIN / "prefect")
    processes.env["PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED"] = "false"
    processes.start("server", [prefect, "server", "start", "--host", "127.0.0.1", "--port", port])
    del processes.env["PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED"]
    wait_for("the Prefect server", lambda: httpx.get(f"{api_url}/health").is_success, 180)
    processes.run("work-pool", [prefect, "work-pool", "create", POOL, "--type", "process"])
    processes.run("deploy", [prefect, "--no-prompt", "deploy", "--all"], cwd=ROOT, timeout=300)
    with client() as c:
        c.read_deployment_by_name(DEPLOYMENT)  # raises if it is missing


def registered_workers() -> set[str]:
    with client() as c:
        return {w.name for w in c.read_workers_for_work_pool(POOL)}


def create_runs(shops: list[str]) -> list[Any]:
    with client() as c:
        deployment = c.read_deployment_by_name(DEPLOYMENT)
        return [c.create_flow_run_from_deployment(deployment.id, parameters={"shop_id": shop})
                for shop in shops]  # fmt: skip


def read_runs(ids: list[Any]) -> list[Any]:
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with client() as c:
        return list(c.read_flow_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=ids)),
                                     limit=len(ids)))  # fmt: skip


# --- the run --------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shops", type=int, default=20)
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=4, help="flow runs at once per worker")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="temuship-work-pool-"))
    if args.postgres:
        from scratch_db import scratch_postgres  # bench/scratch_db.py

        scratch: Any = scratch_postgres()
    else:
        scratch = nullcontext(f"sqlite:///{work / 'temuship.db'}")
    ok = False
    with scratch as database_url:
        if database_url is None:
            sys.exit("--postgres needs TEMUSHIP_TEST_DATABASE_URL")
        api_url = f"http://127.0.0.1:{free_port()}/api"
        env = environment(
            work, api_url, database_url, secret_key="bench-secret-key-not-for-production"
        )
        os.environ.update(env)  # before prefect is imported
        processes = Processes(work, dict(env))
        ctx = mp.get_context("spawn")
        conn, child_conn = ctx.Pipe()
        child = ctx.Process(target=serve_sandbox, args=(args.orders, args.shops, child_conn))
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


def bench(args: Any, processes: Processes, conn: Any, database_url: str, api_url: str) -> bool:
    set_up = time.monotonic()
    temu_url, ss_url = conn.recv()
    start_prefect(processes, api_url)
    say("Prefect server up, pool and deployments made")
    shops = connect_shops(database_url, temu_url, ss_url, args.shops)
    say(f"{len(shops)} shops of one app key connected")
    names = [f"bench-worker-{n + 1}" for n in range(args.workers)]
    pids = {}
    for name in names:
        command = [str(BIN / "python"), "-m", "flows.worker", "--pool", POOL, "--name", name]
        pids[name] = processes.start(name, [*command, "--limit", str(args.limit)]).pid
    wait_for("the workers to register", lambda: set(names) <= registered_workers(), 180)
    time.sleep(3)  # both polling
    worker_start_kb = {name: proc_status(pid).get("VmRSS", 0) for name, pid in pids.items()}
    watch = MemoryWatch(pids)
    watch.start()
    t0, s0 = temu_stats(temu_url), ss_counters(ss_url)
    say(f"{len(names)} workers polling; creating {len(shops)} runs of {DEPLOYMENT}")
    setup_s = time.monotonic() - set_up
    go, waited_before = time.monotonic(), cpu_waited_us()
    ids = [run.id for run in create_runs(shops)]
    runs = wait_all(ids, go, args.timeout, temu_url)
    wall = time.monotonic() - go
    waited_after = cpu_waited_us()
    load = os.getloadavg()
    watch.sample()
    watch.stop()
    worker_end_kb = {name: proc_status(pid).get("VmRSS", 0) for name, pid in pids.items()}
    t1, s1 = temu_stats(temu_url), ss_counters(ss_url)
    conn.send(("timing", go))
    temu_times = conn.recv()
    conn.send(("shipstation", None))
    in_shipstation = conn.recv()
    imported = orders_by_shop(database_url)
    figures = {
        "wall": wall, "setup": setup_s, "temu": temu_times,
        "answered": sum(t1["requests"].values()) - sum(t0["requests"].values()),
        "refused": t1["refusals"].get("4000004", 0) - t0["refusals"].get("4000004", 0),
        "other_refusals": {k: v - t0["refusals"].get(k, 0) for k, v in t1["refusals"].items()
                           if k != "4000004" and v - t0["refusals"].get(k, 0)},
        "ss_requests": s1["total"] - s0["total"], "ss_429": s1["rate_limited"] - s0["rate_limited"],
        "imported": [imported.get(s, 0) for s in shops],
        "in_shipstation": [in_shipstation.get(f"temu-{s}", 0) for s in shops],
        "server_errors": server_errors(processes),
        "load": load, "cpus": os.cpu_count(),
        "cpu_wait": None if waited_before is None or waited_after is None
        else (waited_after - waited_before) / 1e6 / wall,
    }  # fmt: skip
    return report(args, runs, watch, figures, worker_start_kb, worker_end_kb, database_url)


def server_errors(processes: Processes) -> int:
    log = (processes.log_dir / "server.log").read_text(errors="replace")
    return sum(1 for line in log.splitlines() if "| ERROR" in line)


def wait_all(ids: list[Any], go: float, timeout: float, temu_url: str) -> list[Any]:
    deadline, last_said = go + timeout, 0.0
    while True:
        runs = read_runs(ids)
        done = [r for r in runs if r.state and r.state.is_final()]
        if len(done) == len(ids):
            return runs
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(ids) - len(done)} run(s) not ended after {timeout:.0f} s")
        if time.monotonic() - last_said >= 60:
            running = sum(1 for r in runs if r.state and r.state.is_running())
            answered = sum(temu_stats(temu_url)["requests"].values())
            say(f"{len(done)} runs ended, {running} running; Temu answered {answered} so far")
            last_said = time.monotonic()
        time.sleep(2)


def mb(kb: int) -> str:
    return f"{kb / 1024:.0f} MB"


def report(
    args: Any,
    runs: list[Any],
    watch: MemoryWatch,
    f: dict[str, Any],
    start_kb: dict[str, int],
    end_kb: dict[str, int],
    database_url: str,
) -> bool:
    db = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
    states = Counter(r.state.name if r.state else "?" for r in runs)
    temu = f["temu"]
    span = temu["last"] - temu["first"]
    rate_span = f["answered"] / span if span > 0 else 0.0
    rate_wall = f["answered"] / f["wall"]
    imported, sent = f["imported"], f["in_shipstation"]
    print(f"\nwork pool: {args.shops} shops of one Temu app key x {args.orders} orders, "
          f"{args.workers} process workers (--limit {args.limit}), one {db} database")  # fmt: skip
    print(f"  wall time      {f['wall']:.1f} s from creating the {len(runs)} runs to the last "
          f"one's end (set-up before: {f['setup']:.1f} s)")  # fmt: skip
    print(f"  runs           {dict(states)}")
    print(f"  orders         imported per shop: {spread(imported)}; {sum(imported)} in all; "
          f"in ShipStation per shop: {spread(sent)}; {sum(sent)} in all")  # fmt: skip
    per_order = f["answered"] / max(1, sum(imported))
    print(f"  Temu           {f['answered']} requests answered ({per_order:.3f} per order); "
          f"{rate_span:.2f} req/s = {100 * rate_span / QPS:.1f}% of the key's "
          f"{QPS:g}/s over the {span:.1f} s from the first to the last answered request; "
          f"{rate_wall:.2f} req/s = {100 * rate_wall / QPS:.1f}% over the wall time; "
          f"busiest second: {temu['busiest']}")  # fmt: skip
    other = f["other_refusals"]
    note = " (3000032: the amounts API, not granted to a new app)" if "3000032" in other else ""
    print(f"  refusals       4000004: {f['refused']}; other: {other or 0}{note}")
    print(f"  sandbox        its longest stall {1e3 * temu['stall_max']:.0f} ms (p99 "
          f"{1e3 * temu['stall_p99']:.0f} ms; a 10 ms sleep's lateness, its process)")  # fmt: skip
    print(f"  ShipStation    {f['ss_requests']} requests, 429s: {f['ss_429']}")
    by_worker: dict[str, list[tuple[float, Any, RunMemory]]] = {}
    unseen = []
    for run in runs:
        memory = watch.runs.get(str(run.id))
        if memory is None:
            unseen.append(run)
            continue
        started = run.start_time.timestamp() if run.start_time else memory.seen
        by_worker.setdefault(memory.worker, []).append((started, run, memory))
    print("  runs taken     " + ", ".join(f"{w}: {len(by_worker.get(w, []))}" for w in start_kb)
          + (f"; not seen on a worker: {len(unseen)}" if unseen else ""))  # fmt: skip
    print(f"  memory         peak RSS (VmHWM) of each flow-run process, read every "
          f"{SAMPLE_EVERY:g} s, in the order each worker started them:")  # fmt: skip
    first_start = min((s for rows in by_worker.values() for s, _, _ in rows), default=0.0)
    for worker, rows in sorted(by_worker.items()):
        rows.sort(key=lambda row: row[0])
        for n, (started, run, memory) in enumerate(rows, 1):
            took = run.total_run_time.total_seconds() if run.total_run_time else 0.0
            before = "; ".join(mb(kb) for kb in memory.before_kb)
            print(f"    {worker} #{n:<2} {run.parameters.get('shop_id', '?'):8} "
                  f"started +{started - first_start:6.1f} s, ran {took:6.1f} s: "
                  f"{mb(memory.peak_kb)}" + (f" (supervisor before exec: {before})"
                                              if before else ""))  # fmt: skip
        first, last = rows[0][2], rows[-1][2]
        print(
            f"    {worker}: first run {mb(first.peak_kb)}, last run {mb(last.peak_kb)}; "
            f"the worker process itself: RSS {mb(start_kb[worker])} before the runs, "
            f"{mb(end_kb[worker])} after, peak {mb(watch.worker_peak_kb.get(worker, 0))}"
        )
    commands = {memory.phases[-1][1] for memory in watch.runs.values()}
    print(f"    (the flow-run process: {'; '.join(sorted(commands))})")
    print(f"  Prefect server {f['server_errors']} ERROR line(s) in its log")
    wait = (
        ""
        if f["cpu_wait"] is None
        else (f"; some task waited for a CPU {100 * f['cpu_wait']:.0f}% of the wall time")
    )
    print(f"  host           {f['cpus']} CPUs, load average {f['load'][0]:.1f} / {f['load'][1]:.1f}"
          f" / {f['load'][2]:.1f} at the end{wait}")  # fmt: skip
    failures = []
    if set(states) - {"Completed", "Needs a person"}:  # orders due to ship leave work for one
        failures.append(f"runs ended {dict(states)}")
    if f["refused"] or f["ss_429"]:
        failures.append(f"refusals: 4000004 {f['refused']}, 429 {f['ss_429']}")
    if any(n != args.orders for n in imported):
        failures.append(f"orders imported per shop {imported}, expected {args.orders}")
    for failure in failures:
        print(f"FAILED: {failure}", flush=True)
    return not failures


def spread(values: list[int]) -> str:
    low, high = min(values, default=0), max(values, default=0)
    return f"{low} each" if low == high else f"{low} to {high} ({values})"


if __name__ == "__main__":
    sys.exit(main())
