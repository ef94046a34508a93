"""What the use cases need from storage: repositories on one unit of work."""

from __future__ import annotations

import builtins
from collections.abc import Collection, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from domain.confirmation import ShipmentConfirmation
from domain.history import HistoryEntry
from domain.model import OrderState
from domain.order import Order
from domain.ports.values import OrderReadFailure, ShopReport
from domain.shop import Shop
from domain.token import Token


class ShopRepository(Protocol):
    def get(self, shop_id: str, *, decrypt: bool = True) -> Shop | None:
        """The shop with its credentials (WrongSecretKey when they were saved with another
        key); `decrypt=False` leaves them encrypted until revealed, for showing the shop."""
        ...

    def list(self) -> list[Shop]:
        """Every shop; credentials are decrypted only when revealed."""
        ...

    def ids(self) -> builtins.list[str]:
        """Every shop's id, sorted (no credentials read)."""
        ...

    def save(self, shop: Shop) -> None:
        """Insert or update a shop and its (encrypted) credentials."""

    def delete(self, shop_id: str, with_orders: bool) -> None:
        """Remove a shop, its credentials, token, cursors and carrier overrides; with its
        orders, their lines, confirmations and history too when `with_orders`."""
        ...


class TokenRepository(Protocol):
    def get(self, shop_id: str) -> Token | None: ...

    def shops_of_mall(self, mall_id: int) -> list[str]:
        """The shops whose token belongs to this Temu mall."""
        ...

    def save(self, token: Token) -> None:
        """Store the token's state and append its new history entries."""
        ...


class OrderRepository(Protocol):
    def get_many(self, shop_id: str, parent_order_sns: Collection[str]) -> dict[str, Order]: ...

    def save_many(self, orders: Sequence[Order]) -> None:
        """Bulk-write state, snapshot, new history and confirmations in the current transaction."""
        ...

    def owners_of_lines(self, shop_id: str, order_sns: Collection[str]) -> dict[str, str]:
        """order_sn -> parent_order_sn for the lines we know."""
        ...

    def push_queue(self, shop_id: str, limit: int, after: str | None = None) -> list[Order]:
        """Orders marked for a push to ShipStation, by parent_order_sn, after a key."""
        ...

    def sent_orders(self, shop_id: str, limit: int, after: str | None = None) -> list[Order]:
        """Orders ShipStation has a payload of, by parent_order_sn, after a key."""
        ...

    def holds_ending(self, shop_id: str, by: date) -> list[str]:
        """Orders on hold in ShipStation whose hold ends by `by` and that are not queued."""
        ...

    def open_confirmations(self, shop_id: str) -> list[ShipmentConfirmation]: ...

    def missing_ship_to(self, shop_id: str) -> list[str]:
        """The parent orders held because Temu gave no ship-to yet, in order."""
        ...

    def due_to_ship(
        self,
        shop_id: str,
        by: datetime,
        states: Collection[OrderState],
        temu_codes: Collection[int] = (),
    ) -> list[Order]:
        """Orders in one of `states`, or whose last Temu status is one of `temu_codes`, with a
        Temu ship-by time at or before `by`; earliest ship-by first; orders without a ship-by
        time are left out (the ship-by watch)."""
        ...

    def announced(self, shop_id: str, kind: str, horizon_hours: int) -> set[str]:
        """The parent orders announced already for this kind and horizon."""
        ...

    def remember_announced(
        self, shop_id: str, kind: str, horizon_hours: int, sns: Collection[str], at: datetime
    ) -> set[str]:
        """Note the orders as announced; returns those no run had noted before (only they are
        to be announced: two runs at once never both announce an order)."""
        ...

    def forget_announced(
        self, shop_id: str, kind: str, horizon_hours: int, sns: Collection[str]
    ) -> None:
        """Drop the notes: these orders may be announced again when they qualify again."""
        ...

    def history(self, shop_id: str | None, parent_order_sn: str) -> list[HistoryEntry]: ...

    def record_read_failure(self, shop_id: str, failure: OrderReadFailure, at: datetime) -> None:
        """Keep the raw payload of an order that could not be read, for replay."""
        ...


class CursorRepository(Protocol):
    def get(self, shop_id: str, name: str) -> datetime | None: ...

    def set(self, shop_id: str, name: str, value: datetime) -> None: ...


class CarrierMappingRepository(Protocol):
    def overrides(self, shop_id: str) -> dict[str, int]:
        """ShipStation carrierCode -> Temu carrier id, set by a person."""
        ...

    def set_override(self, shop_id: str, carrier_code: str, temu_carrier_id: int) -> None: ...

    def remove_override(self, shop_id: str, carrier_code: str) -> bool:
        """Drop one override; False if there was none."""
        ...


class ReportRepository(Protocol):
    def shop_report(self, shop_id: str, limit: int = 20) -> ShopReport:
        """What `temuship status` shows: counts, and the items that need a person."""
        ...


class UnitOfWork(Protocol):
    """One transaction: nothing is written unless `commit()` is called."""

    @property
    def shops(self) -> ShopRepository: ...

    @property
    def tokens(self) -> TokenRepository: ...

    @property
    def orders(self) -> OrderRepository: ...

    @property
    def cursors(self) -> CursorRepository: ...

    @property
    def carriers(self) -> CarrierMappingRepository: ...

    @property
    def reports(self) -> ReportRepository: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...
