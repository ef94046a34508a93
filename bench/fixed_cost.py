"""The fixed cost of one `temuship sync`: what the command takes beyond its API calls.

A shop of the built-in sandbox with nothing new to read is synced by the `temuship` command
(a process each time, as cron or a person runs it), in three settings:

- `server`: against a running Prefect server (`prefect server start`, PREFECT_API_URL set);
- `temporary, warm`: no PREFECT_API_URL, Prefect's temporary server, its home used before;
- `temporary, fresh`: the same with a new Prefect home (a fresh install: migrations too).

The same sync run in this process, without Prefect, gives the API calls' own time; the fixed
cost is the command's wall time minus that.

    python bench/fixed_cost.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from flows.settings import apply_offline_defaults

ROOT = Path(__file__).resolve().parents[1]
TEMUSHIP = [sys.executable, "-m", "flows.cli"]


def command_seconds(env: dict[str, str], *args: str) -> float:
    started = time.monotonic()
    done = subprocess.run([*TEMUSHIP, *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"`temuship {' '.join(args)}` exited {done.returncode}: {done.stderr[-2000:]}")
    return time.monotonic() - started


def api_seconds(database_url: str, shop: str, runs: int) -> float:
    """The same sync in this process, Prefect left out: its API calls and database work."""
    from dataclasses import replace

    import domain.sync as sync
    from flows import wiring

    class NoEvents:
        def emit(self, *args: object) -> None: ...

    services = replace(wiring.bootstrap(database_url), events=NoEvents())
    times = []
    for _ in range(runs):
        started = time.monotonic()
        summary = sync.sync_shop(services, sync.new_request(services, shop))
        times.append(time.monotonic() - started)
        assert summary.status == "ok", summary.reason
    return statistics.median(times)


def start_server(env: dict[str, str], home: Path) -> tuple[subprocess.Popen[bytes], str]:
    from tests.e2e.e2e_support import free_port, wait_for

    port = free_port()
    server_env = {**env, "PREFECT_HOME": str(home)}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "prefect"), "server", "start", "--host",
         "127.0.0.1", "--port", str(port)],
        env=server_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/api"
    wait_for("the Prefect server", lambda: httpx.get(f"{url}/health").status_code == 200, 180)
    return server, url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    apply_offline_defaults()
    from adapters.sandbox.launcher import Sandbox
    from adapters.sandbox.shipstation.state import DEMO_API_KEY, DEMO_API_SECRET
    from adapters.sandbox.temu.state import DEMO_ACCESS_TOKEN, DEMO_APP_KEY, DEMO_APP_SECRET

    work = Path(tempfile.mkdtemp(prefix="temuship-fixed-cost-"))
    database_url = f"sqlite:///{work / 'temuship.db'}"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(TEMUSHIP_DATABASE_URL=database_url, TEMUSHIP_HOME=str(work / "home"),
               TEMUSHIP_SECRET_KEY="bench-secret-key-not-for-production",
               PREFECT_HOME=str(work / "prefect-warm"))  # fmt: skip
    os.environ.update({k: env[k] for k in ("TEMUSHIP_HOME", "TEMUSHIP_SECRET_KEY")})
    with Sandbox() as sandbox:
        sandbox.temu.seed_orders(20, seed=3)
        command_seconds(
            env, "connect", "bench", "--app-key", DEMO_APP_KEY, "--app-secret", DEMO_APP_SECRET,
            "--access-token", DEMO_ACCESS_TOKEN, "--shipstation-key", DEMO_API_KEY,
            "--shipstation-secret", DEMO_API_SECRET, "--temu-url", sandbox.temu_url,
            "--shipstation-url", sandbox.shipstation_url,
        )  # fmt: skip
        command_seconds(env, "sync", "bench")  # the first import; warms the Prefect home too
        api = api_seconds(database_url, "bench", args.runs)
        results: dict[str, list[float]] = {}
        fresh = [
            command_seconds({**env, "PREFECT_HOME": tempfile.mkdtemp(dir=work)}, "sync", "bench")
            for _ in range(max(1, args.runs // 2))
        ]
        results["temporary, fresh"] = fresh
        warm = [command_seconds(env, "sync", "bench") for _ in range(args.runs)]
        results["temporary, warm"] = warm
        server, url = start_server(env, work / "prefect-server")
        try:
            served = {**env, "PREFECT_API_URL": url}
            results["server"] = [command_seconds(served, "sync", "bench") for _ in range(args.runs)]
        finally:
            server.terminate()
            server.wait(30)
    print(f"a sync with nothing new: its API calls take {api:.2f} s (in process, no Prefect)")
    for name in ("server", "temporary, warm", "temporary, fresh"):
        wall = statistics.median(results[name])
        print(f"  {name:17} temuship sync {wall:6.1f} s wall, fixed cost {wall - api:5.1f} s "
              f"(runs: {', '.join(f'{t:.1f}' for t in results[name])})")  # fmt: skip


if __name__ == "__main__":
    main()
