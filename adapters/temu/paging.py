"""Walk every page of an order list, handing each parentOrderSn on once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from domain.ports import OrderPage

MAX_PAGES = 10_000


def iterate_pages(fetch: Callable[[int], OrderPage], page_size: int) -> Iterator[OrderPage]:
    """Pages from 1 while the last one says there is more; duplicates dropped.

    A page has more when it is full and pageNumber*pageSize < total (or the total is not
    known). Sorting by updateTime while orders change can move an order onto a later page,
    so the same parentOrderSn may come back: the first sighting (the newest) wins.
    """
    seen: set[str] = set()
    for number in range(1, MAX_PAGES + 1):
        page = fetch(number)
        fresh = tuple(o for o in page.orders if o.parent_order_sn not in seen)
        seen.update(o.parent_order_sn for o in fresh)
        failures = tuple(
            f for f in page.failures if f.parent_order_sn is None or f.parent_order_sn not in seen
        )
        seen.update(f.parent_order_sn for f in failures if f.parent_order_sn)
        yield replace(page, orders=fresh, failures=failures)
        if not page.has_more:
            return
