"""Batch creates (`POST /v2/shipments`, `POST /v2/fulfillments`): one result per item sent.

A 200 can hold per-item failures: `has_errors`, and each item's `errors` as plain strings. An
item the answer does not account for (no row, no id and no error, an answer that is not the
documented envelope) is `in_doubt`: ShipStation may have created it, so the caller looks it up
before sending it again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.errors import InvalidPayload, UnusableAnswer

MAX_BATCH = 100  # items per call at most (V2's limit is unconfirmed: never more than V1's)
MAX_ERROR = 500
Payload = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class BatchSpec:
    """How one batch endpoint names things: the list's key, the field that says which item
    a row answers (as sent), and the id ShipStation gives a created item."""

    key: str  # "shipments" / "fulfillments"
    ref_field: str  # "external_shipment_id" / "shipment_id"
    id_field: str  # "shipment_id" / "fulfillment_id"


SHIPMENTS = BatchSpec("shipments", "external_shipment_id", "shipment_id")
FULFILLMENTS = BatchSpec("fulfillments", "shipment_id", "fulfillment_id")


@dataclass(frozen=True, slots=True)
class ItemResult:
    """What became of one item: created (`remote_id`), refused (`errors`), or in doubt."""

    ref: str  # the item's external_shipment_id (shipments) or shipment_id (fulfillments)
    remote_id: str | None = None  # V2's id of what was created (`se-…`)
    errors: tuple[str, ...] = ()
    error_code: str | None = None  # when the refusal came as a whole-call error
    in_doubt: bool = False

    @property
    def ok(self) -> bool:
        return self.remote_id is not None and not self.errors and not self.in_doubt


@dataclass(frozen=True, slots=True)
class BatchAnswer:
    has_errors: bool  # ShipStation's flag, or any item refused or in doubt
    results: tuple[ItemResult, ...]


def chunks(payloads: Sequence[Payload], size: int = MAX_BATCH) -> Iterator[list[Payload]]:
    size = max(1, min(size, MAX_BATCH))
    for start in range(0, len(payloads), size):
        yield list(payloads[start : start + size])


def refs_of(payloads: Sequence[Payload], spec: BatchSpec) -> list[str]:
    """Each item's reference; InvalidPayload when one has none or two share one (their rows
    could not be told apart, and the second create would be refused as a duplicate)."""
    refs = [payload.get(spec.ref_field) for payload in payloads]
    missing = [i for i, ref in enumerate(refs) if not isinstance(ref, str) or not ref]
    if missing:
        raise InvalidPayload(spec.key, f"no {spec.ref_field} at positions {missing[:10]}")
    repeated = sorted({str(ref) for ref in refs if refs.count(ref) > 1})
    if repeated:
        raise InvalidPayload(spec.key, f"{spec.ref_field} sent twice: {repeated[:5]}")
    return [str(ref) for ref in refs]


def all_failed(
    chunk: Sequence[Payload],
    spec: BatchSpec,
    reason: str,
    error_code: str | None = None,
    in_doubt: bool = False,
) -> BatchAnswer:
    """Every item of a call refused as a whole (or whose outcome is unknown) with the reason."""
    refs = refs_of(chunk, spec)
    results = (ItemResult(ref, None, (reason,), error_code, in_doubt) for ref in refs)
    return BatchAnswer(True, tuple(results))


def merge(answers: Sequence[BatchAnswer]) -> BatchAnswer:
    has_errors = any(answer.has_errors for answer in answers)
    return BatchAnswer(has_errors, tuple(r for answer in answers for r in answer.results))


def read_batch(
    answer: Any, sent: Sequence[Payload], spec: BatchSpec, secrets: tuple[str, ...] = ()
) -> BatchAnswer:
    """Match each row of `{has_errors, <key>: [...]}` to what was sent: by reference, else by
    position (a row without one)."""
    refs = refs_of(sent, spec)
    rows = answer.get(spec.key) if isinstance(answer, dict) else None
    if not isinstance(rows, list):
        reason = f"the answer has no list of {spec.key}: {_quote(answer, secrets)}"
        return BatchAnswer(
            True, tuple(ItemResult(r, errors=(reason,), in_doubt=True) for r in refs)
        )
    by_ref = {_text(r.get(spec.ref_field)): r for r in rows if isinstance(r, dict)}
    results = []
    for position, ref in enumerate(refs):
        row = by_ref.get(ref)
        if row is None and position < len(rows) and not _ref_of(rows[position], spec):
            row = rows[position]
        results.append(_result(ref, row, spec, secrets))
    flag = answer.get("has_errors") if isinstance(answer, dict) else None
    has_errors = flag is True or any(not r.ok for r in results)
    return BatchAnswer(has_errors, tuple(results))


def _result(ref: str, row: Any, spec: BatchSpec, secrets: tuple[str, ...]) -> ItemResult:
    if row is None:
        return ItemResult(ref, errors=(f"the answer has no row for {ref}",), in_doubt=True)
    if not isinstance(row, dict):
        return ItemResult(ref, errors=(f"its row is {_quote(row, secrets)}",), in_doubt=True)
    remote_id = _text(row.get(spec.id_field)) or None
    errors = tuple(_errors(row.get("errors"), secrets))
    if errors or remote_id:
        return ItemResult(ref, remote_id, errors)
    reason = f"its row has neither {spec.id_field} nor errors: {_quote(row, secrets)}"
    return ItemResult(ref, None, (reason,), in_doubt=True)


def _errors(raw: Any, secrets: tuple[str, ...]) -> Iterator[str]:
    """Plain strings (the documented form); a structured error gives its message."""
    entries = raw if isinstance(raw, list) else [raw] if raw else []
    for entry in entries:
        text = entry.get("message") if isinstance(entry, dict) else entry
        cleaned = " ".join(UnusableAnswer.scrub(str(text or entry), secrets).split())
        if cleaned:
            yield cleaned[:MAX_ERROR]


def _ref_of(row: Any, spec: BatchSpec) -> str:
    return _text(row.get(spec.ref_field)) if isinstance(row, dict) else ""


def _text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return str(value).strip()[:64]


def _quote(value: Any, secrets: tuple[str, ...]) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (ValueError, TypeError, RecursionError):
        text = f"<{type(value).__name__}>"
    return f"[answer: {UnusableAnswer.excerpt_of(text, secrets)}]"
