"""The one path from our store to ShipStation: the push queue of one shop's run.

An order joins the queue when its plan says so (`plan.plan_orders` sets `push_pending`); the
queue is flushed whenever it holds 100 while Temu is still being read (`while_importing`: the
batch is sent beside the import, through the `Background` port, so neither API's budget waits
for the other) and to the last order at the end of the import (`flush`, the push step).
Everything but the sending itself runs on the caller's thread: the queue is read and what
ShipStation answered is recorded between two pages, never while a page is imported.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from domain.history import EventContext
from domain.model import Source
from domain.order import Pushed
from domain.ports import Pending, PushResult, Services, ShipStationGateway
from domain.sync.outcome import Attention, AttentionKind, StepResult, SyncRequest, SyncSummary
from domain.sync.plan import BATCH, REHOLD_WITHIN, Outgoing, choose_pushes, take_batches


@dataclass
class PushTally:
    sent: int = 0
    skipped: int = 0
    calls: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    withheld: list[tuple[str, str]] = field(default_factory=list)

    def result(self, report_failures: bool = True) -> StepResult:
        counts = (("pushed", self.sent), ("push_calls", self.calls),
                  ("push_unchanged", self.skipped))  # fmt: skip
        failed = self.failed if report_failures else []
        refused, kept = AttentionKind.PUSH_FAILED, AttentionKind.NOT_SENT
        attention = [Attention(refused, sn, why) for sn, why in failed]
        attention += [Attention(kept, sn, why) for sn, why in self.withheld]
        return StepResult(counts, tuple(attention))


class PushQueue:
    """One run's push queue (see the module's docstring). A context manager: on the way out,
    a batch still being sent is waited for and recorded, whatever ended the run."""

    def __init__(self, services: Services, request: SyncRequest, summary: SyncSummary) -> None:
        self.services, self.request, self.summary = services, request, summary
        self.queued = 0  # orders queued by the import since batches were last taken
        self._gateway: ShipStationGateway | None = None
        self._sending: tuple[list[list[Outgoing]], Pending[list[list[PushResult]]]] | None = None

    def __enter__(self) -> PushQueue:
        return self

    def __exit__(self, *exc: object) -> None:
        self._collect(wait=True)

    def joined(self, count: int) -> None:
        """A page's plan queued `count` orders."""
        self.queued += count

    def while_importing(self) -> None:
        """Between two pages: take in a finished send; once the queue holds a full batch and
        nothing is being sent, send every full batch beside the import."""
        if not self._collect(wait=False) or self.queued < BATCH:
            return
        tally = PushTally()
        batches = list(self._batches(final=False, tally=tally))
        self.summary.add(tally.result())
        if batches:
            send = self.services.background.start(lambda: [self._send(b) for b in batches])
            self._sending = (batches, send)

    def flush(self) -> StepResult:
        """At the end of the import: everything left, in batches of up to 100 (orders whose
        hold in ShipStation ends soon join the queue first: they are held again)."""
        self._collect(wait=True)
        self._queue_holds_ending()
        tally = PushTally()
        for batch in self._batches(final=True, tally=tally):
            self._record(batch, self._send(batch), tally)
        return tally.result()

    # --- inside -----------------------------------------------------------------------------

    def _batches(self, final: bool, tally: PushTally) -> Iterator[list[Outgoing]]:
        """Walk the queue in our store: drop what ShipStation has already, yield full batches
        (and at the end, if `final`, the rest); `queued` becomes what waits."""
        shop_id, after = self.request.shop_id, None
        ready: list[Outgoing] = []
        gateway, today = self.gateway, self.services.clock.now().date()
        ctx = self._ctx()
        while True:
            with self.services.uow() as uow:
                queued = uow.orders.push_queue(shop_id, BATCH, after)
                choice = choose_pushes(queued, gateway.render, gateway.speaks, today)
                for order, why in choice.withheld:
                    order.mark_push_failed(why, ctx)
                kept = [order for order, _ in choice.withheld]
                uow.orders.save_many(choice.dropped + kept)
                uow.commit()
            tally.skipped += len(choice.dropped)
            tally.withheld += [(o.parent_order_sn, why) for o, why in choice.withheld]
            batches, ready = take_batches(ready + choice.ready, final=final and not queued)
            yield from batches
            if not queued:
                self.queued = len(ready)
                return
            after = queued[-1].parent_order_sn

    def _queue_holds_ending(self) -> None:
        shop_id = self.request.shop_id
        with self.services.uow() as uow:
            ending = uow.orders.holds_ending(
                shop_id, self.services.clock.now().date() + REHOLD_WITHIN
            )
            if not ending:
                return
            held = list(uow.orders.get_many(shop_id, ending).values())
            for order in held:
                order.push_pending = True
            uow.orders.save_many(held)
            uow.commit()

    @property
    def gateway(self) -> ShipStationGateway:
        if self._gateway is None:
            with self.services.uow() as uow:
                shop = uow.shops.get(self.request.shop_id)
            if shop is None:
                raise LookupError(f"no shop named {self.request.shop_id!r}")
            self._gateway = self.services.shipstation_for(shop)
        return self._gateway

    def _send(self, batch: list[Outgoing]) -> list[PushResult]:
        """ShipStation's answer for each order of one batch (the only call to ShipStation)."""
        results = self.gateway.push([o.to_send() for o in batch])
        by_key: dict[str, PushResult] = {result.order_key: result for result in results}
        missing = "ShipStation's answer has no row for this order"
        return [by_key.get(o.order.key) or PushResult(o.order.key, False, error=missing)
                for o in batch]  # fmt: skip

    def _ctx(self) -> EventContext:
        return EventContext(self.services.clock.now(), Source.SHIPSTATION, self.request.run_id)

    def _collect(self, wait: bool) -> bool:
        """Take in the send under way once it is done (or wait for it); True when none is.
        Orders ShipStation refused there stay queued: `flush` sends them again and reports."""
        if self._sending is None:
            return True
        batches, pending = self._sending
        if not wait and not pending.done():
            return False
        self._sending = None
        try:
            answered = pending.result()
        except Exception:  # the push step after the import sends them and says why
            self.summary.counts["push_deferred"] += 1
            return True
        tally = PushTally()
        for batch, outcomes in zip(batches, answered, strict=True):
            self._record(batch, outcomes, tally)
        self.summary.add(tally.result(report_failures=False))
        return True

    def _record(self, batch: list[Outgoing], results: list[PushResult], tally: PushTally) -> None:
        """What ShipStation answered, on the orders as they are now: one the import changed
        since it was sent stays queued, with what was sent recorded."""
        tally.calls += 1
        ctx = self._ctx()
        with self.services.uow() as uow:
            fresh = uow.orders.get_many(
                self.request.shop_id, [o.order.parent_order_sn for o in batch]
            )
            for sent, result in zip(batch, results, strict=True):
                order = fresh.get(sent.order.parent_order_sn)
                if order is None:
                    continue
                if result.success:
                    changed = order.version != sent.order.version
                    taken = Pushed(sent.payload, sent.digest, result.remote_id, result.at,
                                   result.hold_until)  # fmt: skip
                    order.mark_pushed(taken, ctx, sent.order.state, changed)
                    tally.sent += 1
                else:
                    error = result.error or "unknown error"
                    order.mark_push_failed(f"ShipStation refused the order: {error}", ctx)
                    tally.failed.append((order.parent_order_sn, error))
            uow.orders.save_many(list(fresh.values()))
            uow.commit()
