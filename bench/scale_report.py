"""The figures of bench/scale.py, from what the sandbox counted and Prefect knows."""

from __future__ import annotations

import itertools
import statistics
import time
from collections import Counter
from typing import Any

from simulated import QPS


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def latency_line(values: list[float], interval: float) -> str:
    if not values:
        return "none"
    p50, p95, top = pct(values, 0.5), pct(values, 0.95), max(values)
    return (f"p50 {p50:.0f} s, p95 {p95:.0f} s, max {top:.0f} s "
            f"({p50 / interval:.2f} / {p95 / interval:.2f} / {top / interval:.2f} intervals; "
            f"{len(values)} orders)")  # fmt: skip


def report(
    args: Any,
    found: dict[str, Any],
    before: dict[str, Any],
    runs: list[Any],
    turns: int,
    wall: float,
    rss: dict[str, list[tuple[float, int]]],
    server: dict[str, int],
    backlog_mall: int,
    imported: dict[str, int],
) -> bool:
    created, arrived = found["created"], found["arrived"]
    latencies = {sn: arrived[sn] - at for sn, (_, at) in created.items() if sn in arrived}
    missing = len(created) - len(latencies)
    backlog = found["backlog_times"]
    window = (backlog[0], backlog[-1]) if backlog else (0.0, 0.0)
    during = [v for sn, v in latencies.items() if window[0] <= created[sn][1] <= window[1]]
    by_mall = Counter(found["by_mall"]) - Counter(before["by_mall"])
    backlog_requests = by_mall.get(backlog_mall, 0)
    quiet_requests = sum(by_mall.values()) - backlog_requests
    span = window[1] - window[0]
    # While the backlog imported: its runs in flight (between two, it waited for its next turn).
    spans = backlog_spans(runs, window)
    importing = sum(b - a for a, b in spans)
    in_window = [t for t in found["all_times"] if inside(spans, t)]
    backlog_in = [t for t in backlog if inside(spans, t)]
    quiet_in_window = len(in_window) - len(backlog_in)
    left = QPS * importing - quiet_in_window
    all_times = found["all_times"]
    total_span = (all_times[-1] - all_times[0]) if all_times else 0.0
    refused = found["refusals"].get(4000004, 0) - before["refusals"].get(4000004, 0)
    ss_calls = Counter(found["ss"]["calls"]) - Counter(before["ss"]["calls"])
    ss_429 = found["ss"]["rate_limited"] - before["ss"]["rate_limited"]
    states = Counter(r.state.name if r.state else "?" for r in runs)
    quiet_runs = [r for r in runs if r.parameters.get("shop_id") != "backlog"]
    ended_quiet = sum(1 for r in quiet_runs if r.state and r.state.is_final())
    skipped = turns * (args.shops + 1) - len(runs)
    backlog_skipped = turns - sum(1 for r in runs if r.parameters.get("shop_id") == "backlog")
    sent = found["in_shipstation"]
    iv = args.interval

    print(f"\nscale: {args.shops} quiet shops + 1 backlog shop ({args.backlog} orders) on one "
          f"Temu app key; {args.workers} process workers (--limit {args.limit}); temuship and "
          f"Prefect on PostgreSQL; interval {iv:g} s; orders trickled for "
          f"{args.minutes:g} min (one per quiet shop per interval)")  # fmt: skip
    print(f"  wall           {wall:.0f} s; {turns} turns of {PARENT_NAME}")
    print(f"  quiet shops    Temu -> ShipStation: {latency_line(list(latencies.values()), iv)}"
          + (f"; {missing} not arrived" if missing else ""))  # fmt: skip
    print(f"                 while the backlog imported: {latency_line(during, iv)}")
    print(f"                 goal: p95 within one interval plus a minute ({iv + 60:.0f} s)")
    print(f"  backlog        {imported.get('backlog', 0)}/{args.backlog} orders imported; "
          f"{backlog_requests} Temu requests from its first to its last, {span:.0f} s; "
          f"{len(spans)} run(s) of it in flight for {importing:.0f} s of those, with "
          f"{len(backlog_in)} of its requests, {rate(len(backlog_in), importing):.2f} req/s; "
          f"the quiet shops took {quiet_in_window} meanwhile, leaving {left:.0f}: the "
          f"backlog took {100 * len(backlog_in) / left if left > 0 else 0:.1f}% of what they "
          f"left")  # fmt: skip
    print(f"  throughput     {len(all_times)} Temu requests in {total_span:.0f} s = "
          f"{len(all_times) / total_span if total_span else 0:.2f} req/s "
          f"({100 * len(all_times) / total_span / QPS if total_span else 0:.1f}% of the key's "
          f"{QPS:g}/s); while the backlog imported {rate(len(in_window), importing):.2f} "
          f"req/s ({100 * rate(len(in_window), importing) / QPS:.1f}%)")  # fmt: skip
    print(f"                 {idle_line(spans, in_window)}")
    per_backlog = backlog_requests / max(1, imported.get("backlog", 0))
    print(f"  calls          Temu: {per_backlog:.3f} per backlog order; quiet shops "
          f"{quiet_requests} requests for {len(created)} orders in {ended_quiet} runs = "
          f"{quiet_requests / max(1, ended_quiet):.2f} per run; ShipStation "
          f"{sum(ss_calls.values())} requests ({dict(ss_calls)}) for {sent} orders "
          f"= {sum(ss_calls.values()) / max(1, sent):.3f} per order")  # fmt: skip
    print(f"  refusals       Temu 4000004: {refused}; ShipStation 429: {ss_429}")
    if len(found["refused_at"]) > 1:
        gaps = sorted(b - a for a, b in itertools.pairwise(found["refused_at"]))
        print(
            f"                 seconds from one refusal to the next: min {gaps[0]:.1f}, "
            f"median {statistics.median(gaps):.1f}, max {gaps[-1]:.1f}"
        )
    for seen in found.get("refused_seconds", []):
        print(f"                 {refused_second(seen, backlog_mall)}")
    print(f"  runs           {len(runs)} one-shop runs started, {skipped} skipped (a run "
          f"still in flight at their turn: {backlog_skipped} of the backlog shop, "
          f"{skipped - backlog_skipped} of quiet shops); states {dict(states)}")  # fmt: skip
    messages = Counter(
        (r.state.name, (r.state.message or "")[:160])
        for r in runs
        if r.state and r.state.name not in ("Completed", "Skipped")
    )
    for (name, message), count in messages.most_common(5):
        print(f"                 {count} x {name}: {message}")
    print(f"  Prefect server {server['errors']} ERROR line(s), {server['locked']} 'database is "
          f"locked' in its log")  # fmt: skip
    cpu = dict(server["cpu"])
    server_cpu = cpu.pop("server")
    ended = sum(1 for r in runs if r.state and r.state.is_final())
    print(f"  CPU            flow runs (the workers and the runs they finished): "
          f"{sum(cpu.values()):.0f} s for {ended} runs = {sum(cpu.values()) / max(1, ended):.1f} "
          f"s per run; the Prefect server {server_cpu:.0f} s = {server_cpu / max(1, ended):.2f} "
          f"s per run; {100 * (sum(cpu.values()) + server_cpu) / wall:.0f}% of one core "
          f"over the wall time")  # fmt: skip
    for name, samples in rss.items():
        values = [kb for _, kb in samples if kb]
        half = len(values) // 2 or 1
        early, late = values[:half], values[half:] or values[:half]
        print(f"  memory         {name}: RSS {mb(values[0])} at start, {mb(min(values))} min, "
              f"{mb(max(values))} max, {mb(values[-1])} at the end; mean of the first half "
              f"{mb(sum(early) / len(early))}, of the second {mb(sum(late) / len(late))} "
              f"({len(values)} samples)")  # fmt: skip
    failures = []
    if refused or ss_429:
        failures.append(f"refusals: 4000004 {refused}, 429 {ss_429}")
    if server["locked"]:
        failures.append(f"{server['locked']} 'database is locked' in the Prefect server's log")
    for failure in failures:
        print(f"NOTE: {failure}", flush=True)
    return True


PARENT_NAME = "sync-all-shops/every-10-minutes"


def mb(kb: float) -> str:
    return f"{kb / 1024:.0f} MB"


def backlog_spans(runs: list[Any], window: tuple[float, float]) -> list[tuple[float, float]]:
    """When a run of the backlog shop was in flight, within `window`, on this host's monotonic
    clock (the sandbox's request times are on it)."""
    offset = time.time() - time.monotonic()
    spans = []
    for run in runs:
        if run.parameters.get("shop_id") != "backlog" or run.start_time is None:
            continue
        start = run.start_time.timestamp() - offset
        end = run.end_time.timestamp() - offset if run.end_time else window[1]
        start, end = max(start, window[0]), min(end, window[1])
        if end > start:
            spans.append((start, end))
    return sorted(spans)


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else 0.0


def inside(spans: list[tuple[float, float]], t: float) -> bool:
    return any(a <= t <= b for a, b in spans)


def refused_second(seen: dict[str, Any], backlog_mall: int) -> str:
    """A refusal's fullest second: its requests, over how long, how bunched, from whom. Sent
    on their slots (1.03/QPS apart) they span 1.03 s; a span under 1 s says some came late."""
    near = sorted([*seen["near"], (0.0, seen["mall"])])
    times = [t for t, _ in near]
    end = max((e for e in times if e >= 0.0), key=lambda e: sum(e - 1.0 < t <= e for t in times))
    inside = [(t, mall) for t, mall in near if end - 1.0 < t <= end]
    gaps = [b - a for (a, _), (b, _) in itertools.pairwise(inside)] or [0.0]
    backlog = sum(1 for _, mall in inside if mall == backlog_mall)
    quiet = {mall for _, mall in inside if mall != backlog_mall}
    who = "the backlog's" if seen["mall"] == backlog_mall else "a quiet shop's"
    return (f"a refused request's fullest second: {len(inside)} requests over "
            f"{1000 * (inside[-1][0] - inside[0][0]):.0f} ms, gaps {1000 * min(gaps):.0f}-"
            f"{1000 * max(gaps):.0f} ms ({sum(1 for g in gaps if g < 0.5 / QPS)} under half a "
            f"slot), {backlog} of the backlog, {len(inside) - backlog} of {len(quiet)} quiet "
            f"shop(s); the refused one was {who}, "
            f"{1000 * (0.0 - inside[0][0]):.0f} ms after the first")  # fmt: skip


def idle_line(spans: list[tuple[float, float]], times: list[float]) -> str:
    """Where the key's slots went unused while the backlog imported: the gaps between answered
    requests longer than two slots (a claimant late to bid, a slot given up), in slots lost."""
    slot = 1.0 / QPS
    gaps = []
    for start, end in spans:
        gaps += [
            b - a for a, b in itertools.pairwise(sorted(t for t in times if start <= t <= end))
        ]
    long = [g for g in gaps if g > 2 * slot]
    lost = sum(g - slot for g in long) / slot
    total = sum(end - start for start, end in spans)
    return (f"unused: {lost:.0f} slots in {len(long)} gaps of over two slots "
            f"({100 * lost * slot / total if total else 0:.1f}% of the time; gaps of 2-4 slots "
            f"{sum(1 for g in long if g <= 4 * slot)}, over 4 "
            f"{sum(1 for g in long if g > 4 * slot)})")  # fmt: skip
