"""Walk V2 list answers `{<items>, total, page, pages, links}` by `links.next.href`.

The walk ends when `links.next` is absent, null or `{}`. A next link that repeats one already
followed, points at another host, or a walk longer than `max_pages`, fails the call
(UnexpectedAnswer); so does a page of the wrong shape. Page sizes are not documented: we ask
for at most 100 a page and take whatever the server gives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from adapters.shipstation.reading import kind_of, unexpected
from adapters.shipstation.v2.errors import API
from domain.errors import UnexpectedAnswer

MAX_PAGE_SIZE = 100  # the largest page_size asked for (the server's maximum is unconfirmed)
MAX_PAGES = 10_000
_DEFAULT_PORTS = {"http": 80, "https": 443}

Fetch = Callable[[str, Mapping[str, str | int] | None], Any]


@dataclass(frozen=True, slots=True)
class V2Page:
    items: list[Any]  # the rows as sent: each is read (or fails) on its own
    number: int
    total: int | None
    has_more: bool


def origin(url: httpx.URL) -> tuple[str, str, int | None]:
    scheme = url.scheme.lower()
    return scheme, url.host.lower(), url.port or _DEFAULT_PORTS.get(scheme)


def same_origin(url: str, base_url: str) -> bool:
    """Scheme, host and port of `url` are the base URL's (a relative URL is not)."""
    try:
        parsed, base = httpx.URL(url), httpx.URL(base_url)
    except (httpx.InvalidURL, ValueError, TypeError):
        return False
    return parsed.is_absolute_url and origin(parsed) == origin(base)


def absolute(url: str, base_url: str) -> str:
    """A URL made absolute against the base URL (an absolute one is returned as is)."""
    try:
        parsed = httpx.URL(url)
        return url if parsed.is_absolute_url else str(httpx.URL(base_url).join(parsed))
    except (httpx.InvalidURL, ValueError, TypeError):
        return url


def walk(
    fetch: Fetch,
    target: str,
    params: Mapping[str, str | int] | None,
    key: str,
    base_url: str,
    *,
    secrets: tuple[str, ...] = (),
    max_pages: int = MAX_PAGES,
) -> Iterator[V2Page]:
    """Every page from `target` (a path or a URL of the base's host), following next links."""
    followed: set[str] = set()
    for number in range(1, max_pages + 1):
        body = fetch(target, params)
        items, total, next_href = read_page(body, key, secrets)
        nxt = _next_target(next_href, base_url, followed, (key, body, secrets))
        yield V2Page(items, _page_number(body, number), total, nxt is not None)
        if nxt is None:
            return
        followed.add(nxt)
        target, params = nxt, None
    raise UnexpectedAnswer(API, f"the /{key} list goes on past {max_pages} pages: stopped")


def read_page(
    body: Any, key: str, secrets: tuple[str, ...] = ()
) -> tuple[list[Any], int | None, str | None]:
    """The rows under `key`, the `total` (None when not a count) and `links.next.href`."""
    if not isinstance(body, dict):
        reason = f"a /{key} page must be a JSON object, not {kind_of(body)}"
        raise unexpected(reason, body, secrets, API)
    total = body.get("total")
    total = total if isinstance(total, int) and not isinstance(total, bool) else None
    rows = body.get(key)
    if rows is None and total == 0:
        rows = []
    if not isinstance(rows, list):
        raise unexpected(f"a /{key} page has no list of {key}", body, secrets, API)
    return rows, total, _next_href(body, (key, body, secrets))


Context = tuple[str, Any, tuple[str, ...]]  # the list's key, the page, the secrets to mask


def _refuse(reason: str, context: Context) -> UnexpectedAnswer:
    key, body, secrets = context
    return unexpected(f"a /{key} page's {reason}", body, secrets, API)


def _next_href(body: dict[str, Any], context: Context) -> str | None:
    links = body.get("links")
    if links is None:
        return None
    if not isinstance(links, dict):
        raise _refuse(f"links is {kind_of(links)}, not an object", context)
    nxt = links.get("next")
    if not nxt:  # absent, null or {}
        return None
    if not isinstance(nxt, dict):
        raise _refuse(f"links.next is {kind_of(nxt)}, not an object", context)
    href = nxt.get("href")
    if href is None:
        return None
    if not isinstance(href, str):
        raise _refuse(f"links.next.href is {kind_of(href)}, not text", context)
    return href.strip() or None


def _next_target(
    href: str | None, base_url: str, followed: set[str], context: Context
) -> str | None:
    if href is None:
        return None
    href = absolute(href, base_url)
    if not same_origin(href, base_url):
        raise _refuse(f"next link leaves {base_url}: not followed", context)
    if href in followed:
        raise _refuse("next link repeats a page already read: stopped", context)
    return href


def _page_number(body: dict[str, Any], counted: int) -> int:
    page = body.get("page")
    return page if isinstance(page, int) and not isinstance(page, bool) and page > 0 else counted
