"""Errors the storage raises on purpose."""

from __future__ import annotations

from collections.abc import Iterable

from domain.errors import TemushipError
from domain.words import plural


class ConcurrentUpdate(TemushipError):
    """Another writer changed (or created) these orders since they were read.

    Raised by `orders.save_many` when an order's stored version is not the one it was loaded
    with, including a new order that another writer inserted first. Nothing of the unit of
    work may be committed: leave it (it rolls back), reload the orders and decide again.
    """

    def __init__(self, shop_id: str, parent_order_sns: Iterable[str]) -> None:
        self.shop_id = shop_id
        self.parent_order_sns = tuple(sorted(parent_order_sns))
        shown = ", ".join(self.parent_order_sns[:5])
        more = len(self.parent_order_sns) - 5
        super().__init__(
            f"shop {shop_id}: {plural(len(self.parent_order_sns), 'order')} changed by another "
            f"writer since they were read ({shown}{f' and {more} more' if more > 0 else ''}); "
            "reload and retry"
        )


class SecretKeyMismatch(TemushipError):
    """Stored credentials cannot be decrypted with this process's key."""

    def __init__(self) -> None:
        super().__init__(
            "stored credentials cannot be decrypted: TEMUSHIP_SECRET_KEY (or the local key file) "
            "is not the one they were saved with"
        )
