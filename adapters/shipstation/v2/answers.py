"""Answers as they came, for the self-check to report: status, body, headers, request_id, the
error codes and messages (the standard body's, or a batch item's plain strings)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from adapters.shipstation.v2.api import ShipStationV2Api
from adapters.shipstation.v2.errors import API, failed_answer
from domain.errors import UnexpectedAnswer, UnusableAnswer

_V2_ID = re.compile(r"^se(-[a-z0-9]+)+$", re.IGNORECASE)
ID_FIELDS = ("shipment_id", "label_id", "warehouse_id", "carrier_id")  # store_id: its own line
REQUEST_ID_HEADERS = ("x-request-id", "request-id")


@dataclass(frozen=True, slots=True)
class Finding:
    """One line of the self-check: `ok` False when temuship cannot work as it is with what
    the account answered (or the call failed), with what to do."""

    ok: bool
    item: str
    detail: str


@dataclass(frozen=True)
class Answer:
    """One answer: `where` (`METHOD /path`), its status, headers and decoded body (None when
    it has none or is not JSON); secrets already masked in what it quotes."""

    where: str
    status: int
    headers: httpx.Headers
    body: Any
    raw: bytes
    secrets: tuple[str, ...] = ()

    @classmethod
    def of(cls, where: str, response: httpx.Response, secrets: tuple[str, ...]) -> Answer:
        try:
            body = json.loads(response.content) if response.content.strip() else None
        except (ValueError, RecursionError):
            body = None
        return cls(where, response.status_code, response.headers, body, response.content, secrets)

    @property
    def success(self) -> bool:
        return 200 <= self.status < 300

    @property
    def request_id(self) -> str | None:
        said = self.body.get("request_id") if isinstance(self.body, dict) else None
        said = said or next((self.headers[h] for h in REQUEST_ID_HEADERS if h in self.headers), "")
        text = UnusableAnswer.scrub(str(said), self.secrets).strip()[:100]
        return text or None

    @property
    def error_codes(self) -> frozenset[str]:
        if self.success:
            return frozenset()
        response = httpx.Response(self.status, content=self.raw)
        return failed_answer(response, self.secrets).error_codes

    def errors(self) -> list[str]:
        """`code: message` of a failed answer, or the plain strings of a batch's first item."""
        if not self.success:
            response = httpx.Response(self.status, content=self.raw)
            found = failed_answer(response, self.secrets).details
            return [f"{d.error_code}: {d.message}" if d.error_code else d.message for d in found]
        rows = next(iter(self._lists()), [])
        first = rows[0] if rows and isinstance(rows[0], dict) else {}
        items = first.get("errors")
        listed = items if isinstance(items, list) else []
        return [UnusableAnswer.scrub(str(e), self.secrets)[:300] for e in listed if e]

    def said(self) -> str:
        """`HTTP 400 identifier_conflict: … (request_id …)`, what the person reads."""
        errors = "; ".join(self.errors()[:2])
        if not self.success and not errors:
            errors = f"[answer: {self.excerpt()}]" if self.raw.strip() else "no body"
        rid = f" (request_id {self.request_id})" if self.request_id else ""
        if not rid and not self.success:
            rid = " (no request_id in the answer)"
        return f"HTTP {self.status}" + (f" {errors}" if errors else "") + rid

    def excerpt(self) -> str:
        return UnusableAnswer.excerpt_of(self.raw, self.secrets)

    def json_or_fail(self) -> Any:
        """The body of a successful JSON answer, or UnexpectedAnswer saying what came."""
        if not self.success or self.body is None:
            raise UnexpectedAnswer(API, f"{self.where}: {self.said()}")
        return self.body

    def first_row(self, key: str) -> dict[str, Any]:
        rows = self.body.get(key) if isinstance(self.body, dict) else None
        return rows[0] if isinstance(rows, list) and rows and isinstance(rows[0], dict) else {}

    def values_of(self, name: str) -> Iterator[Any]:
        """Every value of a field named `name` in the body's rows (and the body itself)."""
        for row in self._rows():
            if name in row and row[name] is not None:
                yield row[name]

    def _lists(self) -> Iterator[list[Any]]:
        if isinstance(self.body, list):
            yield self.body
        elif isinstance(self.body, dict):
            yield from (v for v in self.body.values() if isinstance(v, list))

    def _rows(self) -> Iterator[dict[str, Any]]:
        if isinstance(self.body, dict):
            yield self.body
        for rows in self._lists():
            yield from (row for row in rows if isinstance(row, dict))


def id_kinds(answer: Answer) -> dict[str, str]:
    """Each id field seen in an answer and its form: `se-`, `a number`, or `text`."""
    kinds: dict[str, str] = {}
    for name in ID_FIELDS:
        for value in answer.values_of(name):
            text = str(value)
            kind = "se-" if _V2_ID.match(text) else "a number" if text.isdigit() else "text"
            if kinds.get(name, "se-") == "se-":
                kinds[name] = kind
    return kinds


def shape_of_next(body: Any) -> str:
    """What `links.next` of a list answer is: an href (a URL or a path), `{}`, or absent."""
    links = body.get("links") if isinstance(body, dict) else None
    if not isinstance(links, dict) or "next" not in links:
        return "absent"
    nxt = links["next"]
    href = nxt.get("href") if isinstance(nxt, dict) else None
    if not isinstance(href, str) or not href:
        return "{} (no next page)" if nxt in ({}, None) else f"unreadable ({type(nxt).__name__})"
    return "href, a full URL" if httpx.URL(href).is_absolute_url else "href, a path"


class Calls:
    """Sends each call once through the API's `exchange` and keeps every answer."""

    def __init__(self, api: ShipStationV2Api) -> None:
        self.api = api
        self.answers: list[Answer] = []

    def __call__(
        self, method: str, path: str, params: dict[str, Any] | None = None, body: Any = None
    ) -> Answer:
        response = self.api.exchange(method, path, params=params, body=body)
        answer = Answer.of(f"{method} {path}", response, self.api.secrets)
        self.answers.append(answer)
        return answer
