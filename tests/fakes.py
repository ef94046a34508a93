"""In-memory fakes of the domain's ports: they record outcomes, tests assert on those."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.confirmation import ShipmentConfirmation
from domain.digest import payload_digest
from domain.errors import ExternalApiError
from domain.history import HistoryEntry
from domain.model import Address, Label, OrderAmounts, OrderState, TemuOrder
from domain.order import Order
from domain.ports import (
    LabelPage,
    OrderPage,
    OrderReadFailure,
    OutgoingOrder,
    PushResult,
    Services,
    ShipFrom,
    ShipmentRequest,
    ShipStationCarrier,
    Store,
    TemuCarrier,
    TemuShipment,
    TimeWindow,
    Warehouse,
)
from domain.shop import ShipStationApi, Shop
from domain.token import Token, TokenInfo
from domain.usecases.tokens import REQUIRED_APIS


class FixedClock:
    def __init__(self, at: datetime | None = None) -> None:
        self.at = at or datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


class FakeTime:
    """monotonic() and sleep() for a client that backs off: sleeping moves time, instantly."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class RecordingEvents:
    """The event sink: every event emitted, in order, as (event, shop id, payload)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict]] = []

    def emit(self, event: str, shop_id: str, payload: dict) -> None:
        self.sent.append((event, shop_id, payload))

    def orders(self, event: str) -> list[str]:
        """The orders the events named `event` were about, in the order they went out."""
        return [p["order"] for e, _, p in self.sent if e == event]


class FakeOrders:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Order] = {}
        self.history_rows: dict[tuple[str, str], list[HistoryEntry]] = {}
        self.failures: list[OrderReadFailure] = []
        self.bulk_writes = 0
        self.announcements: dict[tuple[str, str, int], dict[str, datetime]] = {}

    def get_many(self, shop_id: str, sns: Collection[str]) -> dict[str, Order]:
        return {
            sn: copy.deepcopy(self.rows[(shop_id, sn)]) for sn in sns if (shop_id, sn) in self.rows
        }

    def save_many(self, orders: Sequence[Order]) -> None:
        self.bulk_writes += 1
        for order in orders:
            key = (order.shop_id, order.parent_order_sn)
            self.history_rows.setdefault(key, []).extend(order.new_history)
            order.new_history.clear()
            order.version += 1  # as the database's row version
            self.rows[key] = copy.deepcopy(order)

    def owners_of_lines(self, shop_id: str, order_sns: Collection[str]) -> dict[str, str]:
        wanted = set(order_sns)
        return {
            line.order_sn: sn
            for (shop, sn), o in self.rows.items()
            if shop == shop_id
            for line in o.lines
            if line.order_sn in wanted
        }

    def push_queue(self, shop_id: str, limit: int, after: str | None = None) -> list[Order]:
        keys = sorted(
            sn
            for (shop, sn), o in self.rows.items()
            if shop == shop_id and o.push_pending and (after is None or sn > after)
        )
        return [copy.deepcopy(self.rows[(shop_id, sn)]) for sn in keys[:limit]]

    def sent_orders(self, shop_id: str, limit: int, after: str | None = None) -> list[Order]:
        sent = sorted(sn for (s, sn), o in self.rows.items() if s == shop_id and o.pushed_digest)
        return [
            copy.deepcopy(self.rows[(shop_id, sn)]) for sn in sent if after is None or sn > after
        ][:limit]

    def holds_ending(self, shop_id: str, by: date) -> list[str]:
        return sorted(
            sn
            for (s, sn), o in self.rows.items()
            if s == shop_id
            and o.hold_until
            and o.hold_until <= by
            and not o.push_pending
            and o.state is OrderState.ON_HOLD
        )

    def open_confirmations(self, shop_id: str) -> list[ShipmentConfirmation]:
        return [
            c
            for (shop, _), o in self.rows.items()
            if shop == shop_id
            for c in o.confirmations
            if c.is_open
        ]

    def missing_ship_to(self, shop_id: str) -> list[str]:
        return sorted(
            sn
            for (shop, sn), o in self.rows.items()
            if shop == shop_id and o.state is OrderState.MISSING_SHIP_TO
        )

    def history(self, shop_id: str | None, sn: str) -> list[HistoryEntry]:
        return [
            e
            for (shop, s), rows in self.history_rows.items()
            if s == sn and shop_id in (None, shop)
            for e in rows
        ]

    def record_read_failure(self, shop_id: str, failure: OrderReadFailure, at: datetime) -> None:
        self.failures.append(failure)

    def due_to_ship(
        self,
        shop_id: str,
        by: datetime,
        states: Collection[OrderState],
        temu_codes: Collection[int] = (),
    ) -> list[Order]:
        found = [
            o for (shop, _), o in self.rows.items()
            if shop == shop_id and (o.state in states or o.temu_status in temu_codes)
            and o.snapshot is not None and o.snapshot.ship_by is not None
            and o.snapshot.ship_by <= by
        ]  # fmt: skip
        found.sort(key=lambda o: (o.snapshot.ship_by, o.parent_order_sn))  # type: ignore[union-attr]
        return [copy.deepcopy(o) for o in found]

    def announced(self, shop_id: str, kind: str, horizon_hours: int) -> set[str]:
        return set(self.announcements.get((shop_id, kind, horizon_hours), {}))

    def remember_announced(
        self, shop_id: str, kind: str, horizon_hours: int, sns: Collection[str], at: datetime
    ) -> set[str]:
        noted = self.announcements.setdefault((shop_id, kind, horizon_hours), {})
        new = set(sns) - set(noted)
        noted.update(dict.fromkeys(new, at))
        return new

    def forget_announced(
        self, shop_id: str, kind: str, horizon_hours: int, sns: Collection[str]
    ) -> None:
        noted = self.announcements.get((shop_id, kind, horizon_hours), {})
        for sn in sns:
            noted.pop(sn, None)


class FakeShops:
    def __init__(self) -> None:
        self.rows: dict[str, Shop] = {}

    def get(self, shop_id: str, *, decrypt: bool = True) -> Shop | None:
        return copy.deepcopy(self.rows.get(shop_id))

    def list(self) -> list[Shop]:
        return [copy.deepcopy(s) for s in self.rows.values()]

    def ids(self) -> list[str]:
        return list(self.rows)

    def save(self, shop: Shop) -> None:
        self.rows[shop.shop_id] = copy.deepcopy(shop)

    def delete(self, shop_id: str, with_orders: bool) -> None:
        self.rows.pop(shop_id, None)


class FakeTokens:
    def __init__(self) -> None:
        self.rows: dict[str, Token] = {}
        self.history: list[HistoryEntry] = []

    def get(self, shop_id: str) -> Token | None:
        return copy.deepcopy(self.rows.get(shop_id))

    def shops_of_mall(self, mall_id: int) -> list[str]:
        return sorted(s for s, t in self.rows.items() if t.mall_id == mall_id)

    def save(self, token: Token) -> None:
        self.history.extend(token.new_history)
        token.new_history.clear()
        self.rows[token.shop_id] = copy.deepcopy(token)


class FakeCursors:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], datetime] = {}

    def get(self, shop_id: str, name: str) -> datetime | None:
        return self.rows.get((shop_id, name))

    def set(self, shop_id: str, name: str, value: datetime) -> None:
        self.rows[(shop_id, name)] = value


class FakeCarriers:
    def __init__(self) -> None:
        self.rows: dict[str, dict[str, int]] = {}

    def overrides(self, shop_id: str) -> dict[str, int]:
        return dict(self.rows.get(shop_id, {}))

    def set_override(self, shop_id: str, carrier_code: str, temu_carrier_id: int) -> None:
        self.rows.setdefault(shop_id, {})[carrier_code] = temu_carrier_id

    def remove_override(self, shop_id: str, carrier_code: str) -> bool:
        return self.rows.get(shop_id, {}).pop(carrier_code, None) is not None


class FakeStore:
    """The committed state every FakeUnitOfWork reads and writes."""

    def __init__(self) -> None:
        self.shops, self.tokens, self.orders = FakeShops(), FakeTokens(), FakeOrders()
        self.cursors, self.carriers = FakeCursors(), FakeCarriers()
        self.commits = 0


@contextmanager
def throwaway(store: FakeStore) -> Iterator[Callable[[], FakeUnitOfWork]]:
    """A plan's store: a copy of `store` that units of work commit to, dropped at the end."""
    copied = copy.deepcopy(store)
    yield lambda: FakeUnitOfWork(copied)


class FakeUnitOfWork:
    """Writes go to a copy of the store; commit swaps it in, leaving without commit drops it."""

    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.committed = False

    # One transaction at a time, as SQLite's single writer: the sync's push lane works from a
    # thread of its own, and a commit here replaces the whole store.
    _serial = threading.RLock()

    def __enter__(self) -> FakeUnitOfWork:
        self._serial.acquire()
        self._work = copy.deepcopy(self.store.__dict__)
        for name in ("shops", "tokens", "orders", "cursors", "carriers"):
            setattr(self, name, self._work[name])
        return self

    def __exit__(self, *exc: object) -> None:
        self._work = {}
        self._serial.release()

    def commit(self) -> None:
        self.store.__dict__.update({k: v for k, v in self._work.items() if k != "commits"})
        self.store.commits += 1
        self.committed = True

    def rollback(self) -> None:
        self._work = copy.deepcopy(self.store.__dict__)


class FakeTemu:
    """A Temu shop in memory: orders, addresses, carriers; records what was confirmed."""

    def __init__(self) -> None:
        self.orders: dict[str, TemuOrder] = {}
        self.addresses: dict[str, Address | ExternalApiError] = {}
        self.amount_rows: dict[str, OrderAmounts] = {}
        self.amounts_error: ExternalApiError | None = None
        self.confirm_error: ExternalApiError | None = None
        self.confirmed: list[ShipmentRequest] = []
        self.address_calls = 0
        self.amount_calls = 0
        self.info = TokenInfo(1, 211, None, frozenset())
        self.carrier_list = [TemuCarrier(998264743, "USPS"), TemuCarrier(998264744, "UPS")]

    def token_info(self) -> TokenInfo:
        return self.info

    def list_orders(
        self,
        window: TimeWindow | None,
        page: int,
        *,
        status: int | None = None,
        page_size: int = 100,
        then: TimeWindow | None = None,
    ) -> OrderPage:
        found = sorted(self.orders.values(), key=lambda o: o.updated_at, reverse=True)
        found = [o for o in found if status is None or o.status == status]
        chunk = found[(page - 1) * page_size : page * page_size]
        return OrderPage(tuple(chunk), (), page, len(found), page * page_size < len(found))

    def orders_by_sn(self, parent_order_sns: Sequence[str]) -> OrderPage:
        found = tuple(self.orders[sn] for sn in parent_order_sns if sn in self.orders)
        return OrderPage(found, (), 1, len(found), False)

    def ship_to(self, sns: Sequence[str]) -> Mapping[str, Address | ExternalApiError | None]:
        self.address_calls += len(sns)
        return {sn: self.addresses.get(sn) for sn in sns}

    def amounts(self, parent_order_sn: str) -> OrderAmounts:
        self.amount_calls += 1
        if self.amounts_error:
            raise self.amounts_error
        return self.amount_rows.get(parent_order_sn, OrderAmounts(None, {}))

    def amounts_many(self, sns: Sequence[str]) -> Mapping[str, OrderAmounts | ExternalApiError]:
        if self.amounts_error:
            raise self.amounts_error
        return {sn: self.amounts(sn) for sn in sns}

    def warehouses(self) -> list[Warehouse]:
        return [Warehouse("WH-1", "Main", True)]

    def carriers(self, region_id: int) -> list[TemuCarrier]:
        return list(self.carrier_list)

    def confirm_shipment(self, request: ShipmentRequest) -> tuple[str, ...]:
        if self.confirm_error:
            raise self.confirm_error
        self.confirmed.append(request)
        return ()

    def shipments_many(
        self, lines: Sequence[tuple[str, str]]
    ) -> Mapping[str, list[TemuShipment] | ExternalApiError]:
        return {sn: self.shipments(sn, line) for sn, line in lines}

    def shipments(self, parent_order_sn: str, order_sn: str) -> list[TemuShipment]:
        """What was confirmed for the line, as Temu's record shows it."""
        return [
            TemuShipment(package.tracking_number, package.carrier_id)
            for request in self.confirmed
            for package in request.packages
            for item in package.items
            if (item.parent_order_sn, item.order_sn) == (parent_order_sn, order_sn)
        ]


class FakeShipStation:
    """ShipStation in memory: keeps the last payload per orderKey, counts createorders calls."""

    def __init__(self) -> None:
        self.orders: dict[str, dict[str, Any]] = {}
        self.calls = 0
        self.reject: dict[str, str] = {}
        self.labels: list[Label] = []
        self.listings = 0  # account listings (labels or voids) asked for

    def render(self, order: Order) -> dict[str, Any]:
        return {
            "orderKey": order.key, "orderNumber": order.parent_order_sn,
            "orderStatus": order.state.value,
            "items": [{"lineItemKey": ln.order_sn, "quantity": ln.quantity} for ln in order.lines],
            "shipTo": {"country": order.ship_to.country} if order.ship_to else None,
        }  # fmt: skip

    speaks = ShipStationApi.V1

    def push(self, orders: Sequence[OutgoingOrder]) -> list[PushResult]:
        return self.create_orders([order.payload for order in orders])

    def create_orders(self, payloads: Sequence[Mapping[str, Any]]) -> list[PushResult]:
        results = []
        for start in range(0, len(payloads), 100):
            self.calls += 1
            for payload in payloads[start : start + 100]:
                key = payload["orderKey"]
                if key in self.reject:
                    results.append(PushResult(key, False, None, self.reject[key]))
                    continue
                self.orders[key] = dict(payload)
                results.append(PushResult(key, True, str(abs(hash(key)) % 10**8)))
        return results

    def labels_since(self, since: datetime) -> Iterator[LabelPage]:
        yield LabelPage(tuple(lb for lb in self.labels if lb.created_at >= since), 1, False)

    def voided_since(self, since: datetime) -> Iterator[LabelPage]:
        yield LabelPage(tuple(lb for lb in self.labels if lb.voided), 1, False)

    def account_labels_since(self, since: datetime) -> Iterator[LabelPage]:
        self.listings += 1
        yield from self.labels_since(since)

    def account_voids_since(self, since: datetime) -> Iterator[LabelPage]:
        self.listings += 1
        yield from self.voided_since(since)

    def stores(self) -> list[Store]:
        return [Store(1, "Temu")]

    def warehouses(self) -> list[ShipFrom]:
        return []

    def carriers(self) -> list[ShipStationCarrier]:
        return [ShipStationCarrier("stamps_com", "Stamps.com")]

    def digest_of(self, key: str) -> str:
        return payload_digest(self.orders[key])


def connected_shop(
    temu: Any = None, shipstation: Any = None, **services: Any
) -> tuple[FakeStore, Services]:
    """A store holding shop "acme" with a token valid 60 days from T0, and the ports on it
    (the given Temu and ShipStation fakes, a clock at T0 unless `clock` is given)."""
    from tests.builders import T0, shop

    store = FakeStore()
    store.shops.save(shop("acme"))
    info = TokenInfo(1, 211, T0 + timedelta(days=60), REQUIRED_APIS)
    store.tokens.save(Token.from_info("acme", info, T0))
    temu, shipstation = temu or FakeTemu(), shipstation or FakeShipStation()
    ports = Services(
        uow=lambda: FakeUnitOfWork(store),
        temu_for=lambda s: temu,
        shipstation_for=lambda s: shipstation,
        shop_lock=None,  # type: ignore[arg-type]
        **{"clock": FixedClock(T0), **services},
    )
    return store, ports
