"""Paging, sorting and date windows of the V2 list endpoints (shipstation-v2.md §1)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from adapters.sandbox.shipstation.v2.errors import bad_field
from adapters.sandbox.shipstation.v2.wire import from_iso, to_ms

Row = dict[str, Any]
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100  # not documented (unconfirmed): the sandbox refuses more


def page_params(params: Mapping[str, str]) -> tuple[int, int]:
    page = _whole(params.get("page"), "page", 1)
    size = _whole(params.get("page_size"), "page_size", DEFAULT_PAGE_SIZE)
    if page < 1:
        raise bad_field("page", "must be 1 or more")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise bad_field("page_size", f"must be 1 to {MAX_PAGE_SIZE}")
    return page, size


def paginate(rows: list[Row], params: Mapping[str, str], key: str, path: str) -> Row:
    """One page of `rows` in V2's envelope; each link's href is a path and query to GET."""
    page, size = page_params(params)
    total = len(rows)
    pages = math.ceil(total / size)

    def link(number: int) -> Row:
        query = {**params, "page": str(number), "page_size": str(size)}
        return {"href": f"{path}?{urlencode(query)}"}

    return {
        key: rows[(page - 1) * size : page * size], "total": total, "page": page,
        "pages": pages, "links": {
            "first": link(1), "last": link(max(pages, 1)),
            "prev": link(page - 1) if 1 < page <= pages + 1 else {},
            "next": link(page + 1) if page < pages else {},
        },
    }  # fmt: skip


def sort_rows(
    rows: list[Row],
    params: Mapping[str, str],
    keys: Mapping[str, Callable[[Row], Any]],
    default: str = "created_at",
) -> list[Row]:
    by = params.get("sort_by") or default
    direction = (params.get("sort_dir") or "desc").lower()
    if by not in keys:
        raise bad_field("sort_by", f"'{by}' is not one of {', '.join(keys)}")
    if direction not in ("asc", "desc"):
        raise bad_field("sort_dir", f"'{direction}' is not asc or desc")
    return sorted(rows, key=keys[by], reverse=direction == "desc")


def window(params: Mapping[str, str], name: str) -> Callable[[datetime | None], bool]:
    """`<name>_start` / `<name>_end` (inclusive, ISO with a zone): a test for one instant."""
    start_text, end_text = params.get(f"{name}_start"), params.get(f"{name}_end")
    start = from_iso(start_text, f"{name}_start") if start_text else None
    end = from_iso(end_text, f"{name}_end") if end_text else None
    if start and end and end < start:
        raise bad_field(f"{name}_end", f"is before {name}_start")

    def inside(moment: datetime | None) -> bool:
        if start is None and end is None:
            return True
        if moment is None:
            return False
        seen = to_ms(moment)
        return (start is None or seen >= start) and (end is None or seen <= end)

    return inside


def one_of(params: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str | None:
    value = params.get(name)
    if value and value not in allowed:
        raise bad_field(name, f"'{value}' is not one of {', '.join(allowed)}")
    return value or None


def _whole(text: str | None, name: str, default: int) -> int:
    if text in (None, ""):
        return default
    try:
        return int(str(text))
    except ValueError:
        raise bad_field(name, f"'{text}' is not a whole number") from None
