"""Walk V1 list envelopes `{<items>, total, page, pages}` to the end."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

MAX_PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class Page:
    items: list[dict[str, Any]]
    number: int
    has_more: bool


def pages(
    get: Callable[[dict[str, Any]], Any], params: dict[str, Any], key: str, page_size: int
) -> Iterator[Page]:
    """Every page; `pages` is not trusted alone (samples show 0): a short page ends the walk."""
    number = 1
    while True:
        body = get({**params, "page": number, "pageSize": page_size}) or {}
        items = [item for item in body.get(key) or [] if isinstance(item, dict)]
        has_more = _has_more(items, number, page_size, body.get("total"))
        yield Page(items, number, has_more)
        if not has_more:
            return
        number += 1


def _has_more(items: list[dict[str, Any]], number: int, page_size: int, total: Any) -> bool:
    if len(items) < page_size:
        return False
    return not isinstance(total, int) or number * page_size < total
