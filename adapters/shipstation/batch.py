"""createorders in batches of up to 100: read every row, and let one bad order fail alone."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from adapters.shipstation.errors import ShipStationBadRequest
from domain.ports import PushResult

MAX_BATCH = 100
Payload = Mapping[str, Any]
Send = Callable[[list[Payload]], Any]


def push_orders(send: Send, payloads: Sequence[Payload], size: int = MAX_BATCH) -> list[PushResult]:
    """One result per payload, in the payloads' order."""
    size = min(size, MAX_BATCH)
    results: list[PushResult] = []
    for start in range(0, len(payloads), size):
        results.extend(_push_chunk(send, list(payloads[start : start + size])))
    return results


def _push_chunk(send: Send, chunk: list[Payload]) -> list[PushResult]:
    outcome: dict[int, PushResult] = {}
    pending = list(range(len(chunk)))
    while pending:
        batch = [chunk[i] for i in pending]
        try:
            answer = send(batch)
        except ShipStationBadRequest as exc:
            named = {pos: msg for pos, msg in exc.errors_by_index().items() if pos < len(pending)}
            if not named:  # a refusal of the whole request: every order carries it
                outcome.update({i: _failure(chunk[i], exc.message) for i in pending})
                break
            outcome.update(
                {pending[pos]: _failure(chunk[pending[pos]], m) for pos, m in named.items()}
            )
            pending = [i for pos, i in enumerate(pending) if pos not in named]
            continue
        outcome.update(zip(pending, read_results(answer, batch), strict=True))
        break
    return [outcome[i] for i in range(len(chunk))]


def _failure(payload: Payload, error: str) -> PushResult:
    return PushResult(order_key=str(payload.get("orderKey")), success=False, error=error)


def read_results(answer: Any, sent: list[Payload]) -> list[PushResult]:
    """Match each row of `{hasErrors, results}` to what was sent: by orderKey, else position."""
    rows = answer.get("results") if isinstance(answer, dict) else None
    rows = [r for r in rows or [] if isinstance(r, dict)]
    by_key = {r.get("orderKey"): r for r in rows if r.get("orderKey")}
    results = []
    for position, payload in enumerate(sent):
        key = payload.get("orderKey")
        row = by_key.get(key) or (rows[position] if position < len(rows) else None)
        results.append(_result(payload, row))
    return results


def _result(payload: Payload, row: Mapping[str, Any] | None) -> PushResult:
    key = str(payload.get("orderKey"))
    if row is None:
        return PushResult(key, False, error="ShipStation's answer has no row for this order")
    if row.get("success"):
        return PushResult(key, True, shipstation_order_id=row.get("orderId") or None)
    message = row.get("errorMessage") or "ShipStation refused the order (no message)"
    return PushResult(key, False, shipstation_order_id=row.get("orderId") or None, error=message)
