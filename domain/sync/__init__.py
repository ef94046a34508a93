"""The sync of one shop, readable in one sitting.

outcome.py  what a run is asked (SyncRequest) and what it did (SyncSummary, RunStatus, Attention)
plan.py     the decisions, pure: what to read, what Temu's answer does, what goes to ShipStation
            and when, which labels become confirmations
steps.py    gate, import a page, push, read labels, confirm, watch ship-by: one function each
run.py      the sequence and how a failure is contained; pages.py: every Temu page, in windows
importing.py, pushing.py, confirming.py, shop_state.py   what the steps do with the ports
dry_run.py  `temuship sync --plan`: the same run on ports that send nothing
"""

from domain.sync.outcome import (
    Attention,
    AttentionKind,
    RunStatus,
    Step,
    StepResult,
    SyncRequest,
    SyncSummary,
)
from domain.sync.pages import StepCall
from domain.sync.plan import SHIPMENT_CURSOR, TEMU_CURSOR, Stream
from domain.sync.run import StepRunner, new_request, skipped, sync_shop

__all__ = [
    "SHIPMENT_CURSOR",
    "TEMU_CURSOR",
    "Attention",
    "AttentionKind",
    "RunStatus",
    "Step",
    "StepCall",
    "StepResult",
    "StepRunner",
    "Stream",
    "SyncRequest",
    "SyncSummary",
    "new_request",
    "skipped",
    "sync_shop",
]
