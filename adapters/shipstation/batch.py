"""createorders in batches of up to 100: read every row, and let one bad order fail alone."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from adapters.shipstation.errors import ShipStationBadRequest
from domain.errors import UnusableAnswer
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
    """Match each row of `{hasErrors, results}` to what was sent: by orderKey, else position.

    An answer without a list of results fails every order of the call, each with the reason;
    a row that cannot be read fails its order alone."""
    rows = answer.get("results") if isinstance(answer, dict) else None
    if not isinstance(rows, list):
        reason = "ShipStation's answer has no list of results " + _quote(answer)
        return [_failure(payload, reason) for payload in sent]
    by_key = {r["orderKey"]: r for r in rows if isinstance(r, dict) and _key(r)}
    results = []
    for position, payload in enumerate(sent):
        row = by_key.get(payload.get("orderKey"))
        if row is None and position < len(rows) and not _key(rows[position]):
            row = rows[position]  # a row without orderKey: trust its position
        results.append(_result(payload, row))
    return results


def _key(row: Any) -> str | None:
    key = row.get("orderKey") if isinstance(row, dict) else None
    return key if isinstance(key, str) and key else None


def _result(payload: Payload, row: Any) -> PushResult:
    key = str(payload.get("orderKey"))
    if row is None:
        return PushResult(key, False, error="ShipStation's answer has no row for this order")
    if not isinstance(row, dict):
        return PushResult(key, False, error=f"ShipStation's row for this order {_quote(row)}")
    order_id = _order_id(row.get("orderId"))
    success = row.get("success")
    if success is True:
        return PushResult(key, True, remote_id=order_id)
    if success is not False:
        error = f"ShipStation's row for this order has no true/false success {_quote(row)}"
        return PushResult(key, False, remote_id=order_id, error=error)
    message = row.get("errorMessage") or "ShipStation refused the order (no message)"
    return PushResult(key, False, remote_id=order_id, error=str(message)[:500])


def _order_id(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63
    return str(value) if ok else None


def _quote(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (ValueError, TypeError, RecursionError):
        text = f"<{type(value).__name__}>"
    return f"[answer: {UnusableAnswer.excerpt_of(text)}]"
