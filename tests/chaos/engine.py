"""Chaos rounds: a small Temu shop changing under a faulty sandbox, `temuship sync` SIGKILLed.

One `random.Random(seed)` draws the whole schedule before anything runs: each order's fate
(labels full, partial then the rest, in several packages, voided and bought again; Temu
2 -> 41/51 -> 4 and 2 -> 3 behind our back; 1 -> 2; a ship-to arriving for a held order;
held for good) and the round it happens in, each round's faults (Temu 5xx, 4000004,
truncated JSON, HTML and empty 200s, dropped connections, slow answers; ShipStation 5xx,
truncated JSON, HTML and empty 200s, dropped connections, slow answers, 429s from a tight rate
window), where each sync is killed (at its k-th API request, before it is served or just
after, or after a delay), and the round the token expires in (then `temuship reauthorize`
with a rotated token). A planned change whose precondition does not hold yet (its order is
not in ShipStation yet because every sync of the round was killed) waits for the next round,
so a seed always draws the same plan; what ran is in the log.

Each `temuship` command is a real `python -m flows.cli` process (environment as
tests/integration/sync/test_sync_kill.py) against a SQLite file. Changes to the sandbox happen
only between processes, once the tap says no request is still being answered. After the last
round every fault is switched off and a final sync runs; then the invariants are checked
against the sandbox's own records (`check_invariants`).

With `api="v2"` the shop speaks ShipStation V2 under V2's faults (SS_FAULTS_V2: 429 with
Retry-After, 5xx with and without a body, per-item string errors, truncated, HTML and empty
200s, drops, slow answers, a tight V2 rate window), up to three a round; a label is its whole
shipment (no split fates); Temu's 4 comes with Temu's tracking (V2 marks it shipped with a
fulfillment); the token does not expire (Temu's side: the V1 seeds). Two more invariants: one
V2 shipment per external_shipment_id, one fulfillment per shipment.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adapters.sandbox.temu.seed import make_address
from adapters.sandbox.temu.state import DEMO_ACCESS_TOKEN
from domain.model import order_key
from tests.chaos.sandbox import ChaosSandbox, Trigger

MAPPED = {
    1: "on_hold",
    2: "awaiting_shipment",
    41: "awaiting_shipment",
    51: "awaiting_shipment",
    3: "cancelled",
    4: "shipped",
    5: "shipped",
}
LOCKED = frozenset({"shipped", "cancelled"})
TEMU_FAULTS = ("5xx", "rate_limit", "malformed", "html", "empty", "drop", "slow")
SS_FAULTS = ("error", "malformed", "html", "empty", "drop", "slow")
# V2: 5xx with and without a body, 429 with Retry-After, per-item string errors (the tap takes
# a phone out of one shipment of a create), truncated / HTML / empty 200s, drops, slow answers.
SS_FAULTS_V2 = ("error", "empty_error", "rate_limit", "item_error", "malformed", "html",
                "empty", "drop", "slow")  # fmt: skip
# Fates of several labels on one ShipStation order: V2 labels carry no items (a label ships
# its whole shipment; part of one is a split shipment, which the sandbox does not make).
SPLIT_FATES = ("partial then rest", "several packages")
PROCESS_TIMEOUT = 240.0
CONFIRM = "bg.logistics.shipment.v2.confirm"


# --- the plan -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One change to the sandbox, planned for a round."""

    kind: str  # label_full | label_partial | label_rest | label_multi | void | status | address
    sn: str
    status: int = 0  # for `status`: the new parent status (41/51 set one line only)


@dataclass(frozen=True)
class Kill:
    """SIGKILL `before` or `after` the API request at `share` of the requests the last whole
    sync made, or (`timer`) at `share` of its time from its first API request to its end."""

    mode: str
    share: float = 0.0
    match: tuple[str, ...] = ()  # else: at the first request holding all of these

    def at(self, requests: int) -> int:
        return max(1, round(self.share * requests))


@dataclass
class Round:
    number: int
    actions: list[Action] = field(default_factory=list)
    temu_faults: list[dict[str, Any]] = field(default_factory=list)
    ss_faults: list[dict[str, Any]] = field(default_factory=list)
    ss_rate_limit: int | None = None
    kills: list[Kill | None] = field(default_factory=list)  # one per sync: how it is killed
    expire_token: bool = False


def plan_rounds(
    rng: random.Random, temu: Any, rounds: int, api: str = "v1"
) -> tuple[list[Round], dict[str, str]]:
    """Every random choice of the run, drawn before it starts; also each order's fate."""
    plan = [Round(n) for n in range(rounds + 1)]  # round 0: the first import
    fates: dict[str, str] = {}
    targeted: dict[int, Kill] = {}

    def at(first: int, *steps: tuple[int, Action]) -> None:
        for offset, action in steps:
            if first + offset <= rounds:
                plan[first + offset].actions.append(action)

    for sn in sorted(temu.orders):
        order = temu.orders[sn]
        r = rng.randint(1, max(1, rounds - 1))
        multi = len(order.lines) >= 2
        if order.status == 1:
            fates[sn] = rng.choice(("pending", "confirmed", "confirmed"))
            if fates[sn] == "confirmed":
                at(r, (0, Action("status", sn, 2)))
        elif order.status == 2 and order.address is None:
            fates[sn] = rng.choice(("held", "arrives", "arrives then labelled"))
            if fates[sn] == "arrives":
                at(r, (0, Action("address", sn)))
            elif fates[sn] == "arrives then labelled":
                at(r, (0, Action("address", sn)), (1, Action("label_full", sn)))
        elif order.status == 2 and not order.labels and order.shipping_method != 3:
            choices = ["full", "void now", "void later, rebuy", "cancelled", "untouched"]
            choices += ["confirm lost, void", "confirm answer lost"]
            split = list(SPLIT_FATES) if api == "v1" else []
            choices += [*split, "41 then 4", "51 then 4"] * multi
            fates[sn] = rng.choice(choices)
            steps = {
                "full": [(0, Action("label_full", sn))],
                "void now": [(0, Action("label_full", sn)), (0, Action("void", sn))],
                "void later, rebuy": [
                    (0, Action("label_full", sn)),
                    (1, Action("void", sn)),
                    (2, Action("label_full", sn)),
                ],
                "cancelled": [(0, Action("status", sn, 3))],
                "confirm lost, void": [(0, Action("label_full", sn)), (1, Action("void", sn))],
                "confirm answer lost": [(0, Action("label_full", sn))],
                "partial then rest": [
                    (0, Action("label_partial", sn)),
                    (1, Action("label_rest", sn)),
                ],
                "several packages": [(0, Action("label_multi", sn))],
                "41 then 4": [(0, Action("status", sn, 41)), (1, Action("status", sn, 4))],
                "51 then 4": [(0, Action("status", sn, 51)), (1, Action("status", sn, 4))],
                "untouched": [],
            }[fates[sn]]
            at(r, *steps)
            if fates[sn].startswith("confirm"):  # the round's first sync dies at its confirm
                mode = "before" if fates[sn] == "confirm lost, void" else "after"
                targeted.setdefault(r, Kill(mode, match=(CONFIRM, sn)))
        else:
            fates[sn] = f"seeded {order.status}" + ("" if order.address else " without ship-to")
    for rnd in plan:
        rnd.temu_faults = [_temu_fault(rng) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.2:  # a burst longer than the client's five attempts
            rnd.temu_faults.append({"kind": rng.choice(("5xx", "drop")), "count": 6})
        most = 2 if api == "v1" else 3  # a V2 run is about ShipStation's faults
        rnd.ss_faults = [_ss_fault(rng, api) for _ in range(rng.randint(1, most))]
        rnd.ss_rate_limit = rng.choice((2, 4)) if rng.random() < 0.2 else None
        # The first import: killed (mostly), then run to its end. Then one sync a round, now
        # and then two, most of them killed: the next round's sync (or the re-authorisation's
        # catch-up, or the final sync) is the rerun.
        if rnd.number == 0:
            rnd.kills = [_kill(rng) if rng.random() < 0.6 else None, None]
        else:
            syncs = rng.choice((1, 1, 2))
            rnd.kills = [_kill(rng) if rng.random() < 0.6 else None for _ in range(syncs)]
    # Not in a round whose first sync is to die at a confirm: an expired token pauses that sync
    # at its first request, and the kill it was planned for would never come.
    free = [n for n in range(1, rounds + 1) if n not in targeted] or list(range(1, rounds + 1))
    expiring = rng.choice(free)
    plan[expiring].expire_token = api == "v1"  # Temu's side: the V1 seeds run it
    for number, kill in targeted.items():
        plan[number].kills[0] = kill
    return plan, fates


def _temu_fault(rng: random.Random) -> dict[str, Any]:
    kind = rng.choice(TEMU_FAULTS)
    fault: dict[str, Any] = {"kind": kind, "count": rng.randint(1, 3), "every": rng.randint(1, 4)}
    if kind == "5xx":
        fault["status"] = rng.choice((500, 502, 503, 504))
    if kind == "slow":
        fault["delay"] = round(rng.uniform(0.2, 0.8), 2)
    return fault


def _ss_fault(rng: random.Random, api: str = "v1") -> dict[str, Any]:
    kind = rng.choice(SS_FAULTS if api == "v1" else SS_FAULTS_V2)
    fault: dict[str, Any] = {"kind": kind, "count": rng.randint(1, 3)}
    if kind in ("error", "empty_error"):
        fault["status"] = rng.choice((500, 502, 503, 504))
    if kind == "rate_limit":
        fault["retry_after"] = rng.choice((1, 2))
    if kind == "slow":
        fault["delay"] = round(rng.uniform(0.2, 0.8), 2)
    return fault


def _kill(rng: random.Random) -> Kill:
    mode = rng.choice(("before", "after", "after", "timer"))
    return Kill(mode, share=round(rng.uniform(0.05, 0.85), 3))


# --- the processes --------------------------------------------------------------------------


@dataclass
class Run:
    """One `temuship` process: what it was asked, how it ended, what it printed."""

    args: tuple[str, ...]
    code: int | None
    stdout: str
    stderr: str
    seconds: float
    requests: int
    killed: str | None = None  # how it was killed

    @property
    def name(self) -> str:
        return " ".join(a for a in self.args if not a.startswith("upl"))


class Commands:
    """Runs `python -m flows.cli ...` as test_sync_kill.py does, and keeps every run."""

    def __init__(self, sandbox: ChaosSandbox, workdir: Path, prefect_api_url: str) -> None:
        self.sandbox = sandbox
        self.env = {
            **os.environ,
            "TEMUSHIP_DATABASE_URL": f"sqlite:///{workdir / 'temuship.db'}",
            "TEMUSHIP_HOME": str(workdir / "home"),
            "PREFECT_API_URL": prefect_api_url,
            "PREFECT_HOME": str(workdir / "prefect"),
            "PREFECT_LOGGING_LEVEL": "ERROR",
            "COLUMNS": "200",
        }
        self.env.pop("TEMUSHIP_DEBUG", None)
        self.runs: list[Run] = []
        self.estimate, self.duration = 30, 10.0  # requests and seconds of the last whole sync

    def __call__(self, *args: str, kill: Kill | None = None) -> Run:
        at = kill.at(self.estimate) if kill else 0
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "flows.cli", *args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        how: list[str] = []

        def sigkill(trigger: Trigger, where: str) -> None:
            try:
                process.send_signal(signal.SIGKILL)
                how.append(where)
            except ProcessLookupError:  # it had ended on its own
                pass

        tap = self.sandbox.tap
        trigger = None
        if kill is not None and kill.mode != "timer":
            match = tuple(m.encode() for m in kill.match)
            trigger = Trigger(at, kill.mode, sigkill, match)
        tap.arm(trigger)
        try:
            if kill is not None and kill.mode == "timer":
                delay = round(kill.share * self.duration, 2)
                while tap.first_at is None and process.poll() is None:
                    time.sleep(0.01)
                try:
                    process.wait(delay)
                except subprocess.TimeoutExpired:
                    process.send_signal(signal.SIGKILL)
                    how.append(f"timer {delay}s")
            out, err = process.communicate(timeout=PROCESS_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
            err += f"\n[chaos] killed after {PROCESS_TIMEOUT}s: the process hung"
        finally:
            tap.disarm()
        tap.wait_idle()
        killed = how[0] if how and process.returncode == -signal.SIGKILL else None
        run = Run(
            args, process.returncode, out, err, time.monotonic() - started, tap.requests(), killed
        )
        self.runs.append(run)
        if args[0] == "sync" and not killed and tap.first_at is not None:
            self.estimate = max(run.requests, 3)
            self.duration = max(time.monotonic() - tap.first_at, 1.0)
        return run


# --- the run --------------------------------------------------------------------------------


@dataclass
class Report:
    seed: int
    orders: int
    rounds: int
    seconds: float = 0.0
    violations: list[str] = field(default_factory=list)
    checks: dict[str, str] = field(default_factory=dict)
    faults: Counter[str] = field(default_factory=Counter)
    kills: Counter[str] = field(default_factory=Counter)
    exits: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)  # unkilled syncs, by --json status
    fates: Counter[str] = field(default_factory=Counter)
    applied: Counter[str] = field(default_factory=Counter)
    log: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)

    def render(self, verbose: bool = False) -> str:
        lines = [
            f"seed {self.seed}: {self.orders} orders, {self.rounds} rounds, "
            f"{len(self.runs)} temuship processes, {self.seconds:.1f}s"
        ]
        lines += [f"  invariant {name}: {result}" for name, result in self.checks.items()]
        lines.append("  faults fired: " + _counts(self.faults))
        lines.append("  kills: " + _counts(self.kills))
        lines.append("  exit codes (unkilled): " + _counts(self.exits))
        lines.append("  sync outcomes (unkilled): " + _counts(self.outcomes))
        lines.append("  order fates: " + _counts(self.fates))
        lines.append("  changes applied: " + _counts(self.applied))
        lines += [f"  VIOLATION {v}" for v in self.violations]
        lines += [f"  evidence: {e}" for e in self.evidence]
        if verbose or self.violations:
            lines += ["  log:", *(f"    {entry}" for entry in self.log)]
        return "\n".join(lines)


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counter.items())) or "none"


class Chaos:
    def __init__(
        self,
        seed: int,
        orders: int,
        rounds: int,
        workdir: Path,
        prefect_api_url: str,
        api: str = "v1",
    ):
        self.seed, self.orders, self.rounds, self.api = seed, orders, rounds, api
        self.rng = random.Random(seed)
        self.workdir, self.prefect_api_url = workdir, prefect_api_url
        self.shop = f"chaos-{seed}"
        self.token = DEMO_ACCESS_TOKEN
        self.report = Report(seed, orders, rounds)
        self.labels: dict[str, list[dict[str, Any]]] = defaultdict(list)  # sn -> shipments
        self.changed_in_ss: set[str] = set()  # Temu status changed while in ShipStation
        self.applied: list[Action] = []
        self.fates: dict[str, str] = {}
        self.outside: set[str] = set()  # tracking numbers of orders Temu shipped without us

    def log(self, text: str) -> None:
        self.report.log.append(text)

    def run(self) -> Report:
        started = time.monotonic()
        with ChaosSandbox() as sandbox:
            self.sandbox = sandbox
            self.cli = Commands(sandbox, self.workdir, self.prefect_api_url)
            try:
                self._run()
            finally:
                self.report.runs = self.cli.runs
                self.report.faults = sandbox.fault_counts()
                self.report.seconds = time.monotonic() - started
        return self.report

    def _run(self) -> None:
        temu, sandbox = self.sandbox.temu, self.sandbox
        self._connect()
        self.seeded = set(temu.seed_orders(self.orders, seed=self.seed))
        self._hold_some()
        self.seeded_status = {sn: o.status for sn, o in temu.orders.items()}
        plan, fates = plan_rounds(self.rng, temu, self.rounds, self.api)
        self.fates = fates
        self.report.fates = Counter(fates.values())
        waiting: list[Action] = []
        for rnd in plan:
            waiting = self._apply([*waiting, *rnd.actions], rnd.number)
            self._faults_on(rnd)
            if rnd.expire_token:
                temu.expire_token(self.token)
                self.log(f"round {rnd.number}: token expired")
            for kill in rnd.kills:
                self._sync(rnd.number, kill)
            sandbox.clear_faults()
            if rnd.expire_token:
                self._reauthorize(rnd.number)
        for action in waiting:
            self.log(f"never applied (precondition never held): {action}")
        sandbox.clear_faults()
        final = self._sync(None, None)
        self.final_json, self.status_json = final.stdout, ""
        self.report.checks, self.report.violations = check_invariants(self, final)
        if self.report.violations:  # evidence: temuship's own history of the orders involved
            named = re.findall(r"PO-\d+-\d+", "\n".join(self.report.violations))
            for sn in list(dict.fromkeys(named))[:2]:
                history = self.cli("history", sn, "--json").stdout
                self.report.evidence.append(f"temuship history {sn} --json: {_compact(history)}")

    def _connect(self) -> None:
        """`temuship connect` in this process (it is not what the rounds test)."""
        from tests.integration.sync.sync_helpers import Cli

        cli = Cli(self.cli.env["TEMUSHIP_DATABASE_URL"], self.workdir / "home", self.sandbox)  # type: ignore[arg-type]
        if self.api == "v2":
            from tests.integration.sync.test_sync_v2 import connect_v2

            result = connect_v2(cli, self.shop, "--backfill-days", "60")
        else:
            result = cli.connect(self.shop, "--backfill-days", "60")
        assert result.exit_code == 0, f"connect failed: {result.output}"

    def _hold_some(self) -> None:
        """At least three awaiting orders without a ship-to (the seed makes one in ten)."""
        temu = self.sandbox.temu
        awaiting = sorted(sn for sn, o in temu.orders.items() if o.status == 2 and o.address)
        held = [sn for sn, o in temu.orders.items() if o.status == 2 and not o.address]
        for sn in self.rng.sample(awaiting, k=max(0, min(len(awaiting), 3 - len(held)))):
            temu.set_address(sn, None)

    def _faults_on(self, rnd: Round) -> None:
        for fault in rnd.temu_faults:
            spec = dict(fault)
            self.sandbox.temu.inject(spec.pop("kind"), spec.pop("count"), **spec)
        for fault in rnd.ss_faults:
            if fault["kind"] == "item_error":
                self.sandbox.tap.item_errors += fault["count"]
            else:
                self.sandbox.shipstation.inject_fault(**fault)
        if rnd.ss_rate_limit and self.api == "v2":
            self.sandbox.shipstation.v2.set_rate_limit(rnd.ss_rate_limit, 2.0)
        elif rnd.ss_rate_limit:
            self.sandbox.shipstation.set_rate_limit(rnd.ss_rate_limit, 2.0)
        self.log(
            f"round {rnd.number}: temu faults {rnd.temu_faults}, shipstation faults "
            f"{rnd.ss_faults}, rate window {rnd.ss_rate_limit}/2s"
        )

    def _sync(self, number: int | None, kill: Kill | None) -> Run:
        run = self.cli("sync", self.shop, "--json", kill=kill)
        where = "final" if number is None else f"round {number}"
        if run.killed:
            kind = f"{kill.mode} confirm" if kill and kill.match else run.killed.split()[0]
            self.report.kills[kind] += 1
        else:
            self.report.exits[str(run.code)] += 1
            self.report.outcomes[_outcome(run)] += 1
        self.log(
            f"{where}: sync exit {run.code}, {run.seconds:.1f}s, {run.requests} requests"
            + (f", SIGKILL {run.killed}" if run.killed else "")
            + (f" (planned kill {kill} did not happen)" if kill and not run.killed else "")
            + ("" if run.killed or run.code == 0 else f": {_tail(run)}")
        )
        return run

    def _reauthorize(self, number: int) -> None:
        temu = self.sandbox.temu
        old, self.token = self.token, temu.rotate_token(self.token)
        for attempt in range(1, 4):
            run = self.cli("reauthorize", self.shop, "--access-token", self.token)
            self.report.exits[str(run.code)] += 1
            self.log(
                f"round {number}: reauthorize (attempt {attempt}) exit {run.code}, "
                f"{run.seconds:.1f}s: {_tail(run)}"
            )
            if "resumed" in run.stdout:
                return
        raise AssertionError(f"reauthorize never took the rotated token (old {old[-4:]})")

    # --- the planned changes ------------------------------------------------------------

    def _apply(self, actions: list[Action], number: int) -> list[Action]:
        """Apply what may be applied now; the rest waits for the next round."""
        waiting = []
        for action in actions:
            if self._ready(action):
                self._do(action)
                name = f"{action.kind} {action.status}" if action.status else action.kind
                self.report.applied[name] += 1
                self.applied.append(action)
                self.log(f"round {number}: {action.kind} {action.sn} {action.status or ''}")
            else:
                waiting.append(action)
        return waiting

    def _ss_order(self, sn: str) -> dict[str, Any] | None:
        return self.sandbox.shipstation.orders.get(order_key(self.shop, sn))

    def _ready(self, action: Action) -> bool:
        temu_order = self.sandbox.temu.orders[action.sn]
        ss = self._ss_order(action.sn)
        in_ss_open = ss is not None and ss["orderStatus"] == "awaiting_shipment"
        if action.kind == "address":
            return temu_order.status == 2 and temu_order.address is None
        if action.kind == "status" and action.status == 2:
            return temu_order.status == 1
        if action.kind == "status" and action.status == 4:
            return temu_order.status in (41, 51) and ss is not None
        if action.kind == "status":
            return temu_order.status == 2 and in_ss_open and not self.labels[action.sn]
        if action.kind == "void":
            return bool(self._voidable(action.sn))
        if action.kind == "label_rest":
            return in_ss_open and bool(self.labels[action.sn])
        return in_ss_open and temu_order.status == 2 and not self._live(action.sn)

    def _live(self, sn: str) -> list[dict[str, Any]]:
        return [s for s in self.labels[sn] if not s["voided"]]

    def _voidable(self, sn: str) -> list[dict[str, Any]]:
        """Live labels of the order that Temu has not recorded (a person voids those)."""
        at_temu = {s.tracking_number for s in self.sandbox.temu.shipments}
        return [s for s in self._live(sn) if s["trackingNumber"] not in at_temu]

    def _do(self, action: Action) -> None:
        temu, ss, sn = self.sandbox.temu, self.sandbox.shipstation, action.sn
        lines = temu.orders[sn].lines
        rng = random.Random(f"{self.seed} {action}")  # the same whenever it is applied
        if action.kind == "status" and action.status != 2:
            self.changed_in_ss.add(sn)
        if action.kind == "address":
            temu.set_address(sn, make_address(rng, 1))
        elif action.kind == "status" and action.status in (41, 51):
            with temu.lock:
                temu.set_status(sn, action.status, line_status=2)
                lines[0].status = 4 if action.status == 41 else 5
        elif action.kind == "status" and action.status == 4 and self.api == "v2":
            # Temu shipped it with its own tracking: V2 marks it shipped with a fulfillment.
            tracking = f"TEMU{self.seed}{len(self.outside):04d}"
            self.outside.add(tracking)
            temu.ship_outside(sn, tracking)
        elif action.kind == "status":
            temu.set_status(sn, action.status)
        elif action.kind == "void":
            for shipment in self._voidable(sn):
                ss.void_label(shipment["shipmentId"])
                shipment["voided"] = True
        else:
            packages: list[dict[str, int] | None] = [None]
            if action.kind == "label_partial":
                packages = [{lines[0].order_sn: lines[0].quantity}]
            elif action.kind == "label_multi":
                cut = rng.randint(1, len(lines) - 1)
                packages = [
                    {ln.order_sn: ln.quantity for ln in part} for part in (lines[:cut], lines[cut:])
                ]
            self.labels[sn] += ss.create_labels(order_key(self.shop, sn), packages)


def _compact(text: str) -> str:
    """JSON on one line (history rows: when, from -> to, event, reason)."""
    try:
        rows = json.loads(text)
    except ValueError:
        return text[:3000]
    if isinstance(rows, dict):
        rows = rows.get("history", rows)
    if not isinstance(rows, list):
        return json.dumps(rows)[:3000]
    return " ; ".join(
        " ".join(str(v) for v in row.values() if v not in (None, ""))
        if isinstance(row, dict)
        else str(row)
        for row in rows
    )[:4000]


def _outcome(run: Run) -> str:
    """The status a sync's --json printed (one shop), or what was wrong with its output."""
    try:
        (result,) = json.loads(run.stdout)
        return str(result["status"])
    except (ValueError, TypeError, KeyError):
        return "unreadable output"


def _tail(run: Run) -> str:
    text = (run.stderr.strip() or run.stdout.strip()).splitlines()
    return " | ".join(text[-3:])[:400]


# --- the invariants -------------------------------------------------------------------------


def check_invariants(chaos: Chaos, final: Run) -> tuple[dict[str, str], list[str]]:
    """Each invariant: 'ok' or how often it broke; the violations with their evidence."""
    temu, ss = chaos.sandbox.temu, chaos.sandbox.shipstation
    shop, violations = chaos.shop, []
    checks: dict[str, list[str]] = defaultdict(list)

    # Which orders ShipStation must hold: Temu shows their ship-to (awaiting shipment with an
    # address, or first seen shipped with one), or they were in ShipStation when we changed
    # them (a change needs the order there, so its ship-to was known).
    # V2 marks an order shipped only with Temu's tracking: one first seen shipped without it is
    # never created (it would wait in ShipStation as if it still had to ship).
    acted = {sn for sn, shipments in chaos.labels.items() if shipments} | chaos.changed_in_ss
    tracked = {s.parent_order_sn for s in temu.shipments}
    expected = {
        sn
        for sn, o in temu.orders.items()
        if (o.status == 2 and o.address)
        or (chaos.seeded_status[sn] == 4 and o.address and (chaos.api == "v1" or sn in tracked))
        or sn in acted
    }
    numbers = Counter(o["orderNumber"] for o in ss.orders.values())
    for sn in sorted(expected):
        found = ss.orders.get(order_key(shop, sn))
        if found is None:
            checks["sent once"].append(f"{sn} (Temu {temu.orders[sn].status}) not in ShipStation")
            continue
        if numbers[sn] != 1:
            checks["sent once"].append(f"{sn} is in ShipStation {numbers[sn]} times")
        want = MAPPED[temu.orders[sn].status]
        if found["orderStatus"] != want and found["orderStatus"] not in LOCKED:
            checks["mapped status"].append(
                f"{sn}: Temu {temu.orders[sn].status} -> {want}, ShipStation has "
                f"{found['orderStatus']}"
            )
    for other in sorted(set(numbers) - expected):
        o = temu.orders.get(other)
        what = f"Temu {o.status}, ship-to {'yes' if o.address else 'none'}" if o else "unknown"
        checks["held never sent"].append(f"{other} ({what}) is in ShipStation")

    # Confirmations, counted at the sandbox: one per line of a live label, none for a void.
    live: dict[str, set[str]] = defaultdict(set)
    voided: set[str] = set()
    for shipment in ss.labels.shipments:
        if shipment["voided"]:
            voided.add(shipment["trackingNumber"])
            continue
        for item in shipment["shipmentItems"]:
            live[item["lineItemKey"]].add(shipment["trackingNumber"])
    ours = [s for s in temu.shipments if s.tracking_number not in chaos.outside]
    confirmed = Counter(s.order_sn for s in ours)
    for line_sn, tracking in sorted(live.items()):
        if confirmed[line_sn] != 1:
            checks["labels confirmed once"].append(
                f"line {line_sn} (tracking {sorted(tracking)}) confirmed {confirmed[line_sn]}x"
            )
    for s in ours:
        numbers_sent = {s.tracking_number, *s.sub_tracking}
        if s.order_sn not in live:
            checks["labels confirmed once"].append(
                f"line {s.order_sn} confirmed (tracking {s.tracking_number}) with no live label"
            )
        elif not numbers_sent & live[s.order_sn]:
            checks["labels confirmed once"].append(
                f"line {s.order_sn} confirmed with {s.tracking_number}, labels {live[s.order_sn]}"
            )
        if numbers_sent & voided:
            checks["no confirmation of a void"].append(
                f"line {s.order_sn} confirmed with voided tracking {numbers_sent & voided}"
            )

    if chaos.api == "v2":
        _v2_invariants(chaos, checks)

    if final.code != 0:
        checks["final sync exits 0"].append(f"exit {final.code}: {_tail(final)}")
    else:
        try:
            summary = json.loads(final.stdout)
        except ValueError:
            summary = None
        if not summary or summary[0].get("status") != "ok":
            checks["final sync exits 0"].append(f"final --json says {final.stdout[:300]}")

    for run in chaos.cli.runs:
        for stream, text in (("stdout", run.stdout), ("stderr", run.stderr)):
            if "Traceback" in text:
                where = text.index("Traceback")
                checks["no Traceback"].append(
                    f"`{run.name}` ({'killed ' + run.killed if run.killed else f'exit {run.code}'})"
                    f" {stream}: {text[where : where + 1500]!r}"
                )
        if run.code not in (0, 1, 2) and not run.killed:
            checks["no crash"].append(f"`{run.name}` exit {run.code}: {_tail(run)}")
        if run.args[0] == "sync" and not run.killed:
            # Steps are isolated: a sync ends ok (exit 0), or partial / paused naming why
            # (exit 1); never a run that stopped without saying so.
            outcome = _outcome(run)
            said = {"ok": 0, "partial": 1, "paused": 1}.get(outcome)
            if said is None or said != run.code:
                checks["exit says the outcome"].append(
                    f"`{run.name}` exit {run.code}, --json status {outcome}: {_tail(run)}"
                )
            elif outcome != "ok" and not json.loads(run.stdout)[0].get("reason"):
                checks["exit says the outcome"].append(f"`{run.name}` {outcome} without a reason")

    names = (
        "sent once",
        "mapped status",
        "held never sent",
        "labels confirmed once",
        "no confirmation of a void",
        *(V2_INVARIANTS if chaos.api == "v2" else ()),
        "final sync exits 0",
        "no Traceback",
        "no crash",
        "exit says the outcome",
    )
    results = {name: "ok" if not checks[name] else f"{len(checks[name])} broken" for name in names}
    for name in names:
        violations += [f"[{name}] {v}" for v in checks[name]]
    return results, violations


V2_INVARIANTS = ("one V2 shipment per external_shipment_id", "one fulfillment per shipment")


def _v2_invariants(chaos: Chaos, checks: dict[str, list[str]]) -> None:
    """What V2's lack of upsert could break, read as the V2 API shows it."""
    ss = chaos.sandbox.shipstation
    with ss.lock:
        views = [ss.v2.shipments.view(order) for order in ss.orders.values()]
        fulfilled = [f["shipment_id"] for f in ss.v2.fulfillments.rows if not f["voided"]]
    for ext, n in sorted(Counter(v["external_shipment_id"] for v in views).items()):
        if n > 1:
            checks[V2_INVARIANTS[0]].append(f"{n} V2 shipments have external_shipment_id {ext}")
    for sid, n in sorted(Counter(fulfilled).items()):
        if n > 1:
            checks[V2_INVARIANTS[1]].append(f"shipment {sid} was fulfilled {n} times")


def run_chaos(
    seed: int, orders: int, rounds: int, workdir: Path, prefect_api_url: str, api: str = "v1"
) -> Report:
    """`api` "v2": the shop speaks ShipStation V2 under V2's faults (SS_FAULTS_V2)."""
    return Chaos(seed, orders, rounds, workdir, prefect_api_url, api).run()
