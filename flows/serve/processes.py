"""Processes and ports for `temuship serve`: a port checked free before anything starts, the
children it leaves behind found (Linux /proc) and ended, a process group stopped."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path


def port_free(host: str, port: int) -> bool:
    """Nothing listens on host:port (bound as a server would bind it)."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
    except OSError:
        return False
    return True


def children_of(pid: int) -> list[int]:
    """Every living descendant of `pid` (its children, theirs, ...), from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and fields[0] != "Z":
            parents[int(entry.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        kids = [child for child, ppid in parents.items() if ppid == parent]
        found.extend(kids)
        frontier.extend(kids)
    return found


def end_children(pid: int, grace_s: float = 5.0, keep: int | None = None) -> list[int]:
    """SIGTERM every descendant of `pid` but `keep` and its own, SIGKILL what is left after
    `grace_s`; those found. (Zombies count as gone: their parent collects them.)"""
    spared = {keep, *children_of(keep)} if keep is not None else set()
    found = [child for child in children_of(pid) if child not in spared]
    for child in found:
        _signal(child, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and any(_alive(c) for c in found):
        time.sleep(0.1)
    for child in found:
        if _alive(child):
            _signal(child, signal.SIGKILL)
    return found


def stop_group(pgid: int, grace_s: float = 10.0) -> None:
    """SIGTERM the process group, SIGKILL it after `grace_s` if any of it is left."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and group_alive(pgid):
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return any(_pgid(int(p.name)) == pgid for p in Path("/proc").iterdir() if p.name.isdigit())


def _pgid(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()
    except OSError:
        return None
    return int(fields[2]) if len(fields) > 2 and fields[0] != "Z" else None


def _alive(pid: int) -> bool:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()
    except OSError:
        return False
    return bool(fields) and fields[0] != "Z"


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


def exit_within(seconds: float, code: int, say: Callable[[str], None]) -> None:
    """Exit with `code` if this process has not ended `seconds` from now: Python's exit runs
    what others registered (Prefect sends its last logs and events), which may wait on a server
    that is gone. A daemon timer: it dies with the process when the exit ends in time."""

    def now() -> None:
        say(f"Python's exit hooks did not end within {seconds:g} s: exiting without them")
        os._exit(code)

    timer = threading.Timer(seconds, now)
    timer.daemon = True
    timer.start()
