"""What a run leaves for a person: a summary table and the items that need attention."""

from __future__ import annotations

import re

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from domain.usecases.sync import SyncSummary

ADVICE = {
    "held": "unknown Temu status: check the order in Temu; it is not sent to ShipStation",
    "conflict": "Temu contradicts a locked ShipStation status: check both sides",
    "push_failed": "ShipStation refused the order: fix the field named, it is retried each sync",
    "label_unresolved": "a label whose lines match no Temu line: confirm it in Temu by hand",
    "confirmation_failed": "Temu refused the confirmation: correct it in Temu seller centre",
    "confirmation_waiting": "the confirmation waits for the fix named",
    "confirmation_retry": "a temporary failure: it is retried on the next sync",
    "read_problem": "Temu's data for this order could not be read: it is kept for replay",
}


def artifact_key(prefix: str, shop_id: str) -> str:
    return f"{prefix}-{re.sub(r'[^a-z0-9-]+', '-', shop_id.lower()).strip('-') or 'shop'}"


def publish_summary(outcome: SyncSummary) -> None:
    """Artifacts for one shop's run (they write nothing else)."""
    rows = [{"shop": outcome.shop_id, "status": outcome.status, "reason": outcome.reason or "",
             **{k: v for k, v in sorted(outcome.counts.items())}}]  # fmt: skip
    create_table_artifact(
        rows,
        key=artifact_key("sync-summary", outcome.shop_id),
        description=f"temuship sync of {outcome.shop_id}",
    )
    create_markdown_artifact(
        attention_markdown(outcome),
        key=artifact_key("needs-attention", outcome.shop_id),
        description=f"what needs a person in {outcome.shop_id}",
    )


def attention_markdown(outcome: SyncSummary) -> str:
    lines = [f"# {outcome.shop_id}: {outcome.status}"]
    if outcome.reason:
        lines.append(f"\n**Why:** {outcome.reason}")
    if not outcome.attention:
        lines.append("\nNothing needs a person.")
        return "\n".join(lines)
    lines += ["", "| what | order / shipment | reason | what to do |", "|---|---|---|---|"]
    for kind, ident, reason in outcome.attention:
        cell = reason.replace("|", "\\|")
        lines.append(f"| {kind} | {ident} | {cell} | {ADVICE.get(kind, '')} |")
    shown = len(outcome.attention)
    total = sum(v for k, v in outcome.counts.items() if k.startswith("attention_"))
    if total > shown:
        lines.append(f"\n…and {total - shown} more: `temuship status {outcome.shop_id}`")
    return "\n".join(lines)
