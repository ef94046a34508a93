"""What the browser tests drive: the end-to-end run's processes (tests/e2e), reused, and the
few Prefect UI moves the tests repeat.

`Stack` is tests/e2e/scenario.py's `Scenario` (server, `prefect deploy --all`, sandbox, shop,
worker), with a Prefect client bound to this stack's server (the pytest process may have
imported Prefect with other settings). Its processes are started through e2e_support's
`Processes`, so `stop()` ends each by its PID; it also ends, by PID, the flow-run processes the
worker started (they run in sessions of their own, out of reach of the worker's group).

Where a PostgreSQL server answers (the one TEMUSHIP_TEST_DATABASE_URL names, else
postgres@127.0.0.1:5432), the Prefect server and temuship each get a database of their own on
it, created for the stack and dropped when it stops: Prefect's server on SQLite answers 503
("database is locked") to the UI's calls when the machine is busy, and the UI does not retry
them. Without PostgreSQL both stay on SQLite files. The server's scheduler is off: no
scheduled sync or watch runs between the steps a test makes.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx

E2E_DIR = Path(__file__).resolve().parents[1] / "e2e"
if str(E2E_DIR) not in sys.path:  # scenario.py imports `e2e_support` as a top-level module
    sys.path.insert(0, str(E2E_DIR))

from e2e_support import BIN, Processes, free_port, say, wait_for  # noqa: E402
from run_e2e import ROOT, environment  # noqa: E402
from scenario import DEPLOYMENTS, REAUTH, SHOP, SYNC, WRONG_TOKEN, Scenario  # noqa: E402

RERUN = "rerun-orders/by-parent-order-sn"

__all__ = [
    "DEPLOYMENTS", "REAUTH", "RERUN", "SHOP", "SYNC", "WRONG_TOKEN", "Stack", "say", "wait_for",
]  # fmt: skip


class Stack(Scenario):
    """A Prefect server with its UI, the deployments, a process worker, the sandbox, one shop."""

    def __init__(self, work: Path) -> None:
        api_url = f"http://127.0.0.1:{free_port()}/api"
        self.databases = Databases.create()
        env = environment(work, api_url) | self.databases.environment() | {
            "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
        }  # fmt: skip
        super().__init__(Processes(work, env), api_url, ROOT)
        self.ui_url = api_url.removesuffix("/api")
        self.work = work

    def start(self) -> None:
        self.start_prefect()
        self.start_sandbox_and_connect()
        self.p.start("worker", [str(BIN / "prefect"), "worker", "start", "--pool", "temuship"])
        self.sync_and_check_orders_arrived()

    def stop(self) -> None:
        """Every process started here, by PID: the children first seen, then the flow runs."""
        flow_runs = _descendants([process.pid for _, process in self.p.started])
        self.p.stop_all()
        for pid, started in flow_runs:
            _stop_pid(pid, started)
        self.databases.drop()

    @contextmanager
    def client(self) -> Iterator[Any]:
        """A sync Prefect client on this stack's server, whatever the process's settings."""
        from prefect.client.orchestration import get_client
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with (
            temporary_settings({PREFECT_API_URL: self.api_url}),
            get_client(sync_client=True) as client,
        ):
            yield client

    # --- what the tests do besides the UI -------------------------------------------------------

    def expire_token(self) -> None:
        httpx.post(f"{self.temu}/admin/tokens/expire", json={}).raise_for_status()

    def rotate_token(self) -> str:
        """The seller authorises the app again in Temu: a new, valid token."""
        answer = httpx.post(f"{self.temu}/admin/tokens/rotate", json={})
        answer.raise_for_status()
        return str(answer.json()["accessToken"])

    def add_orders(self, count: int, seed: int) -> list[str]:
        """Orders created in Temu now, awaiting shipment with an address (so they are sent)."""
        from scenario import make_address  # the sandbox's own, as scenario.py imports it

        seeded = httpx.post(f"{self.temu}/admin/seed", json={"count": count, "seed": seed})
        seeded.raise_for_status()
        sns = [str(sn) for sn in seeded.json()["parentOrderSns"]]
        address = make_address(random.Random(seed), 1)
        for sn in sns:
            httpx.post(f"{self.temu}/admin/orders/{sn}/status", json={"status": 2})
            httpx.post(f"{self.temu}/admin/orders/{sn}/address", json={"address": address})
        return sns

    def start_run(self, deployment: str, parameters: dict[str, Any]) -> UUID:
        with self.client() as client:
            found = client.read_deployment_by_name(deployment)
            run = client.create_flow_run_from_deployment(found.id, parameters=parameters)
        return UUID(str(run.id))

    def wait_final(self, run_id: UUID, timeout: float = 240) -> str:
        return wait_for(f"run {run_id} to end", lambda: self.final_state(run_id), timeout)

    def final_name(self, run_id: UUID) -> str | None:
        """The run's final state as `TYPE/Name` (`FAILED/Shop paused`), None until it ends."""
        with self.client() as client:
            state = client.read_flow_run(run_id).state
        return f"{state.type.value}/{state.name}" if state and state.is_final() else None

    def deployment_id(self, name: str) -> UUID:
        with self.client() as client:
            return UUID(str(client.read_deployment_by_name(name).id))

    def parameter_help(self, name: str) -> dict[str, str]:
        """Each parameter of the deployment `name` with its help text (its description in the
        deployment's parameter schema, which the UI's run form shows), "" when it has none."""
        with self.client() as client:
            schema = client.read_deployment_by_name(name).parameter_openapi_schema or {}
        return {p: str(f.get("description") or "") for p, f in schema["properties"].items()}

    def pause_key(self, run_id: UUID) -> str | None:
        """The key of the run's current pause (token-<run count>-<attempt>), None unless it
        is paused."""
        with self.client() as client:
            state = client.read_flow_run(run_id).state
        return state.state_details.pause_key if state and state.is_paused() else None

    def runs_of(self, deployment: str) -> list[Any]:
        from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

        with self.client() as client:
            found = client.read_deployment_by_name(deployment)
            ids = DeploymentFilter(id=DeploymentFilterId(any_=[found.id]))
            return list(client.read_flow_runs(deployment_filter=ids))

    def artifact_versions(self, key: str) -> list[tuple[UUID, str]]:
        """(id, markdown) of every version of the artifact `key`, newest first."""
        from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
        from prefect.client.schemas.sorting import ArtifactSort

        with self.client() as client:
            found = client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
                sort=ArtifactSort.CREATED_DESC,
            )
        return [(UUID(str(a.id)), str(a.data)) for a in found]

    def artifact_saying(self, key: str, text: str) -> UUID | None:
        """The newest version of the artifact `key` whose markdown contains `text`."""
        return next((i for i, data in self.artifact_versions(key) if text in data), None)

    def stored_inputs(self, run_id: UUID) -> list[str]:
        """The flow-run inputs Prefect still holds for the run (form answers included)."""
        with self.client() as client:
            return [i.value for i in client.filter_flow_run_input(run_id, "", 100, set())]

    def logs(self, lines: int = 80) -> str:
        """The last lines of each process's log, for a failure report."""
        out = []
        for name, _ in self.p.started:
            path = self.work / f"{name}.log"
            tail = path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else []
            out.append(f"----- {name}.log (last {len(tail)} lines) -----\n" + "\n".join(tail))
        return "\n".join(out)


# --- databases ---------------------------------------------------------------------------------


class Databases:
    """The stack's two PostgreSQL databases (Prefect's, temuship's), or none (SQLite files)."""

    def __init__(self, server: Any, names: tuple[str, str] | None) -> None:
        self.server, self.names = server, names

    @classmethod
    def create(cls) -> Databases:
        server = _postgres_server()
        if server is None:
            say("no PostgreSQL server answers: the Prefect server and temuship use SQLite")
            return cls(None, None)
        tag = uuid.uuid4().hex[:10]
        names = (f"temuship_browser_prefect_{tag}", f"temuship_browser_{tag}")
        with _admin(server) as admin:
            for name in names:
                admin.execute(f'CREATE DATABASE "{name}"')
        say(f"PostgreSQL databases {', '.join(names)} for the stack")
        return cls(server, names)

    def environment(self) -> dict[str, str]:
        if self.names is None:
            return {}
        prefect, temuship = self.names
        return {
            "PREFECT_API_DATABASE_CONNECTION_URL": self._url("postgresql+asyncpg", prefect),
            "TEMUSHIP_DATABASE_URL": self._url("postgresql+psycopg", temuship),
        }

    def _url(self, driver: str, database: str) -> str:
        url = self.server.set(drivername=driver, database=database)
        return str(url.render_as_string(hide_password=False))

    def drop(self) -> None:
        if self.names is None:
            return
        with _admin(self.server) as admin:
            for name in self.names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.names = None


def _postgres_server() -> Any:
    """The PostgreSQL server (a SQLAlchemy URL) to create the stack's databases on, if one
    answers: the one TEMUSHIP_TEST_DATABASE_URL names, else postgres@127.0.0.1:5432."""
    from sqlalchemy.engine import make_url

    given = os.environ.get("TEMUSHIP_TEST_DATABASE_URL", "")
    if given and not given.startswith("postgresql"):
        return None
    server = make_url(given or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    try:
        with _admin(server) as admin:
            admin.execute("SELECT 1")
    except Exception:
        return None
    return server


@contextmanager
def _admin(server: Any) -> Iterator[Any]:
    """An autocommit connection to the server's `postgres` database (CREATE/DROP DATABASE)."""
    import psycopg

    with psycopg.connect(
        host=server.host or "127.0.0.1", port=server.port or 5432, user=server.username,
        password=server.password, dbname="postgres", autocommit=True, connect_timeout=5,
    ) as connection:  # fmt: skip
        yield connection


# --- processes by PID ---------------------------------------------------------------------------


def _proc_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, start time) of the live processes, from /proc (Linux)."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if fields[0] != "Z":  # a zombie has exited already
                table[int(stat.parent.name)] = (int(fields[1]), fields[19])
    return table


def _descendants(roots: list[int]) -> list[tuple[int, str]]:
    """Every live descendant of `roots`, as (pid, start time), so a reused PID is left alone."""
    table = _proc_table()
    found, todo = [], list(roots)
    while todo:
        parent = todo.pop()
        for pid, (ppid, started) in table.items():
            if ppid == parent:
                found.append((pid, started))
                todo.append(pid)
    return found


def _stop_pid(pid: int, started: str) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if _proc_table().get(pid, (0, None))[1] != started:
            return  # gone (or the PID now names another process)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and _proc_table().get(pid, (0, None))[1] == started:
            time.sleep(0.2)
    say(f"stopped flow-run process {pid}")
