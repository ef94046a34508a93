"""Walk V1 list envelopes `{<items>, total, page, pages}` to the end."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from adapters.shipstation.reading import unexpected

MAX_PAGE_SIZE = 500
MAX_PAGES = 10_000


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Any]  # the rows as sent: each is read (or fails) on its own
    number: int
    has_more: bool


def pages(
    get: Callable[[dict[str, Any]], Any], params: dict[str, Any], key: str, page_size: int
) -> Iterator[Page]:
    """Every page; `pages` is not trusted alone (samples show 0): a short page ends the walk.

    An answer that is not such an envelope fails the call (UnexpectedAnswer)."""
    for number in range(1, MAX_PAGES + 1):
        body = get({**params, "page": number, "pageSize": page_size})
        items, total = envelope_rows(body, key)
        has_more = _has_more(items, number, page_size, total)
        yield Page(items, number, has_more)
        if not has_more:
            return


def envelope_rows(body: Any, key: str) -> tuple[list[Any], int | None]:
    """The rows under `key` and the `total` (None when it is not a count)."""
    if not isinstance(body, dict):
        raise unexpected(f"a /{key} page must be a JSON object", body)
    total = body.get("total")
    total = total if isinstance(total, int) and not isinstance(total, bool) else None
    rows = body.get(key)
    if rows is None and total == 0:
        return [], 0
    if not isinstance(rows, list):
        raise unexpected(f"a /{key} page has no list of {key}", body)
    return rows, total


def _has_more(items: list[Any], number: int, page_size: int, total: int | None) -> bool:
    if len(items) < page_size:
        return False
    return total is None or number * page_size < total
