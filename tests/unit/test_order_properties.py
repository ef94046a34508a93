"""For any sequence of Temu statuses, addresses and labels, the order's invariants hold."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.confirmation import ConfirmationStatus
from domain.model import LOCKED_STATES, OrderState, Source
from domain.order import Order
from tests.builders import address, ctx, label, temu_order

CODES = [1, 2, 3, 4, 5, 41, 51, 6, 7, 9, 77]
LINES = 3

temu_event = st.tuples(st.just("temu"), st.sampled_from(CODES), st.booleans())
label_event = st.tuples(
    st.just("label"), st.sets(st.integers(0, LINES - 1), min_size=1), st.booleans()
)
void_event = st.tuples(st.just("void"), st.integers(0, 5), st.none())
send_event = st.tuples(st.just("send"), st.integers(0, 5), st.none())
events = st.lists(st.one_of(temu_event, label_event, void_event, send_event), max_size=25)


def run(script):
    order = Order("shop", "PO-1")
    base = temu_order("PO-1", 2, line_count=LINES)
    labels, states = [], []
    for kind, arg, flag in script:
        before = len(order.new_history)
        fired = None
        if kind == "temu":
            fired = order.observe(
                temu_order("PO-1", arg, ship_to=address() if flag else None, line_count=LINES),
                ctx(),
            )
        elif kind == "label":
            sns = [base.lines[i].order_sn for i in sorted(arg)]
            lb = label(base, *sns)
            labels.append(lb)
            fired = order.record_label(lb, lb.lines, ctx(Source.SHIPSTATION))
        elif kind == "void" and labels:
            lb = labels[arg % len(labels)]
            voided = label(
                base, *[ln.order_sn for ln in lb.lines], shipment_id=lb.shipment_id, voided=True
            )
            fired = order.record_label(voided, voided.lines, ctx(Source.SHIPSTATION))
        elif kind == "send" and order.confirmations:
            conf = order.confirmations[arg % len(order.confirmations)]
            if conf.status is ConfirmationStatus.PENDING:
                conf.record_attempt(1, "WH-1")
        added = len(order.new_history) - before
        assert added == (0 if fired is None else 1), "one history entry per event"
        states.append(order.state)
    return order, states


@settings(max_examples=300, deadline=None)
@given(events)
def test_invariants_hold_for_any_sequence(script):
    order, states = run(script)
    assert all(isinstance(s, OrderState) for s in states)
    for earlier, later in itertools.pairwise(states):
        if earlier in LOCKED_STATES:
            assert later is earlier, f"{earlier} regressed to {later}"
    chain = order.new_history
    for prev, nxt in itertools.pairwise(chain):
        assert prev.to_state == nxt.from_state, "the history's from/to chain is unbroken"
    if chain:
        assert chain[0].from_state == "new" and chain[-1].to_state == order.state.value
    live = [
        ln.order_sn
        for c in order.confirmations
        if c.status is not ConfirmationStatus.VOIDED and c.status is not ConfirmationStatus.FAILED
        for ln in c.lines
    ]
    assert len(live) == len(set(live)), "no line is confirmed twice"
    if order.state is OrderState.MISSING_SHIP_TO or order.ship_to is None:
        assert not order.importable
