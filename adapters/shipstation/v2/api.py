"""ShipStationV2Api: one method per V2 call temuship makes, each raising only domain errors."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote

import httpx

from adapters.shipstation.pacing import RetryPolicy
from adapters.shipstation.v2.batch import (
    FULFILLMENTS,
    SHIPMENTS,
    BatchAnswer,
    Payload,
    all_failed,
    chunks,
    merge,
    read_batch,
    refs_of,
)
from adapters.shipstation.v2.errors import API, NotFound, OutcomeUnknown, V2BusinessError
from adapters.shipstation.v2.http import EMPTY_BODY, Params, V2Http
from adapters.shipstation.v2.ids import from_v2_id, to_v2_id
from adapters.shipstation.v2.pacing import limiter_for
from adapters.shipstation.v2.paging import MAX_PAGE_SIZE, absolute, same_origin, walk
from adapters.shipstation.v2.reading import (
    ReadFailure,
    ReadPage,
    V2Carrier,
    V2Label,
    V2Shipment,
    Warehouse,
    Webhook,
    one,
    parse_carriers,
    parse_label,
    parse_shipment,
    parse_warehouses,
    parse_webhook,
    parse_webhooks,
    read_rows,
)
from adapters.temu.pacing import Limiter
from domain.errors import ConfigError, InvalidPayload, MalformedAnswer
from domain.secrets import Secret, mask

DEFAULT_BASE_URL = "https://api.shipstation.com"
# The restore-from-hold path is not confirmed by ShipStation's pages: kept here alone.
RESTORE_PATH = "/v2/shipments/{shipment_id}/restore"
# A whole-call refusal of a batch of shipments with one of these is asked again one shipment
# at a time, so that one bad shipment fails alone (a duplicate is refused, never created).
SPLIT_STATUSES = frozenset({400, 409, 413, 422})
Filter = str | int | bool | date | datetime | None
T = TypeVar("T")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ShipStationV2Api:
    """ShipStation V2 for one API key: `API-Key` header, paced at the key's 200 a minute
    (`limiter`: a shared budget; default: this process's for the key), retried safely."""

    def __init__(
        self,
        api_key: str | Secret,
        *,
        base_url: str | None = None,
        http: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        limiter: Limiter | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        clock: Callable[[], datetime] = _utc_now,
        timeout: float = 30.0,
        page_size: int = MAX_PAGE_SIZE,
    ) -> None:
        key = api_key.reveal() if isinstance(api_key, Secret) else api_key
        self.base_url = _checked_base(base_url or DEFAULT_BASE_URL, key)
        self._key_hint = mask(key)
        self._owns_http = http is None
        self._http = http or httpx.Client(transport=transport, timeout=timeout)
        self._http.base_url = httpx.URL(self.base_url)
        self._http.headers.update({"API-Key": key, "Accept": "application/json"})
        self._http.follow_redirects = False  # a redirect would carry the key elsewhere
        self.secrets = (key,)
        self.limiter: Limiter = limiter or limiter_for(self.base_url, key)
        self.http = V2Http(
            self._http,
            self.limiter,
            retry=retry or RetryPolicy(),
            sleep=sleep,
            rng=rng or random.Random(),
            clock=clock,
            secrets=self.secrets,
        )
        self.page_size = max(1, min(page_size, MAX_PAGE_SIZE))

    def __repr__(self) -> str:
        return f"ShipStationV2Api(key={self._key_hint}, {self.base_url})"

    @property
    def requests(self) -> int:
        """Requests sent so far (every attempt counts: each took a slot of the budget)."""
        return self.http.requests

    # --- shipments ----------------------------------------------------------------------------

    def create_shipments(self, shipments: Sequence[Payload]) -> BatchAnswer:
        """Create shipments, at most 100 a call; one result per shipment, in order. V2 has no
        upsert: look each up first (find_shipment); a result `in_doubt` must be looked up."""
        refs_of(shipments, SHIPMENTS)
        return merge([self._create_chunk(chunk) for chunk in chunks(shipments)])

    def _create_chunk(self, chunk: list[Payload]) -> BatchAnswer:
        try:
            answer = self._create("/v2/shipments", {"shipments": chunk})
        except OutcomeUnknown as exc:
            return all_failed(chunk, SHIPMENTS, exc.message, in_doubt=True)
        except NotFound:
            raise  # the endpoint itself is missing: the base URL or the account
        except V2BusinessError as exc:
            if len(chunk) > 1 and exc.answer.status in SPLIT_STATUSES:
                return merge([self._create_chunk([payload]) for payload in chunk])
            return all_failed(chunk, SHIPMENTS, exc.message, error_code=exc.error_code)
        return read_batch(answer, chunk, SHIPMENTS, self.secrets)

    def get_shipment(self, shipment_id: str) -> V2Shipment:
        answer = self.http.request("GET", f"/v2/shipments/{_segment(to_v2_id(shipment_id))}")
        return one(parse_shipment, answer, self.secrets)

    def find_shipment(self, external_shipment_id: str) -> V2Shipment | None:
        """The shipment created with this external_shipment_id (our order key), or None."""
        path = f"/v2/shipments/external_shipment_id/{_segment(external_shipment_id)}"
        try:
            answer = self.http.request("GET", path)
        except NotFound:
            return None
        return one(parse_shipment, answer, self.secrets)

    def update_shipment(self, shipment_id: str, body: Mapping[str, Any]) -> V2Shipment | None:
        """PUT the shipment (send it whole: GET, merge, PUT); the updated one when answered."""
        path = f"/v2/shipments/{_segment(to_v2_id(shipment_id))}"
        answer = self.http.request("PUT", path, body=dict(body), expect_body=False)
        if not isinstance(answer, dict) or "shipment_id" not in answer:
            return None  # done: the answer does not repeat the shipment
        return one(parse_shipment, answer, self.secrets)

    def cancel_shipment(self, shipment_id: str) -> None:
        """Cancel a shipment (void its labels first)."""
        path = f"/v2/shipments/{_segment(to_v2_id(shipment_id))}/cancel"
        self._status_put(path, shipment_id, "cancelled")

    def hold_shipment(self, shipment_id: str, until: date) -> None:
        """Hold until a date (after today); ShipStation restores it to pending on that date."""
        body = {"hold_until_date": until.isoformat()}
        path = f"/v2/shipments/{_segment(to_v2_id(shipment_id))}/hold"
        self._status_put(path, shipment_id, "on_hold", body)

    def restore_shipment(self, shipment_id: str) -> None:
        """Take a shipment off hold (back to pending)."""
        path = RESTORE_PATH.format(shipment_id=_segment(to_v2_id(shipment_id)))
        self._status_put(path, shipment_id, "pending")

    def _status_put(
        self, path: str, shipment_id: str, wanted: str, body: Mapping[str, Any] | None = None
    ) -> None:
        """A status change: done on a 204 (or a body). A 200 with no body may not be
        ShipStation's (a proxy's): done only if the shipment now has the status."""
        if self._put(path, body) is not EMPTY_BODY:
            return
        now = self.get_shipment(shipment_id).shipment_status
        if now != wanted:
            reason = f"PUT {path}: an empty 200, and the shipment is {now}, not {wanted}"
            raise MalformedAnswer(API, f"{reason}: not done, sent again at the next sync")

    def shipments(self, **filters: Filter) -> Iterator[ReadPage[V2Shipment]]:
        """Shipments by filters (`modified_at_start=`, `sort_by="modified_at"`, ...), oldest
        first unless `sort_dir` says otherwise, page by page."""
        return self._shipment_pages("/v2/shipments", self._query(filters))

    def shipments_at(self, url: str) -> Iterator[ReadPage[V2Shipment]]:
        """The shipments a webhook's resource_url lists (only on the client's own host)."""
        return self._shipment_pages(self._own_url(url), None)

    def _shipment_pages(self, target: str, params: Params | None) -> Iterator[ReadPage[V2Shipment]]:
        seen: set[tuple[str, datetime | None]] = set()
        for page in self._walk(target, params, "shipments"):
            read = read_rows(page, parse_shipment)
            fresh = _new(read.rows, seen, lambda s: (s.shipment_id, s.modified_at))
            yield ReadPage(fresh, read.failures, read.number, read.has_more)

    # --- labels and fulfillments -------------------------------------------------------------

    def labels(self, **filters: Filter) -> Iterator[ReadPage[V2Label]]:
        """Labels by filters (`created_at_start=`, `label_status=`, `sort_by=`, ...), page by
        page; each Label's lines are empty (labels carry no items: see V2Label)."""
        return self._label_pages("/v2/labels", self._query(filters))

    def labels_at(self, url: str) -> Iterator[ReadPage[V2Label]]:
        """The labels a webhook's resource_url lists (only on the client's own host)."""
        return self._label_pages(self._own_url(url), None)

    def _label_pages(self, target: str, params: Params | None) -> Iterator[ReadPage[V2Label]]:
        seen: set[str] = set()
        for page in self._walk(target, params, "labels"):
            read = read_rows(page, parse_label)
            fresh = _new(read.rows, seen, lambda label: label.label.shipment_id)
            yield ReadPage(fresh, read.failures, read.number, read.has_more)

    def get_label(self, label_id: str) -> V2Label:
        answer = self.http.request("GET", f"/v2/labels/{_segment(to_v2_id(label_id))}")
        return one(parse_label, answer, self.secrets)

    def create_fulfillments(self, fulfillments: Sequence[Payload]) -> BatchAnswer:
        """Mark shipments shipped without a ShipStation label, at most 100 a call. A refusal
        of a whole call fails each of its items (not asked again one by one: fulfillments
        have no unique key, so a second send could make a second fulfillment)."""
        refs_of(fulfillments, FULFILLMENTS)
        answers = []
        for chunk in chunks(fulfillments):
            try:
                answer = self._create("/v2/fulfillments", {"fulfillments": chunk})
            except OutcomeUnknown as exc:
                answers.append(all_failed(chunk, FULFILLMENTS, exc.message, in_doubt=True))
                continue
            except NotFound:
                raise
            except V2BusinessError as exc:
                failed = all_failed(chunk, FULFILLMENTS, exc.message, error_code=exc.error_code)
                answers.append(failed)
                continue
            answers.append(read_batch(answer, chunk, FULFILLMENTS, self.secrets))
        return merge(answers)

    # --- account ------------------------------------------------------------------------------

    def warehouses(self) -> list[Warehouse]:
        return parse_warehouses(self.http.request("GET", "/v2/warehouses"), self.secrets)

    def carriers(self) -> list[V2Carrier]:
        return parse_carriers(self.http.request("GET", "/v2/carriers"), self.secrets)

    def list_webhooks(self) -> list[Webhook]:
        answer = self.http.request("GET", "/v2/environment/webhooks")
        return parse_webhooks(answer, self.secrets)

    def create_webhook(
        self,
        name: str,
        event: str,
        url: str,
        headers: Mapping[str, str] | None = None,
        store_id: str | int | None = None,
    ) -> Webhook:
        """Subscribe `url` to `event` (e.g. label_created_v2). A dropped answer raises
        OutcomeUnknown: list the webhooks before subscribing again."""
        body: dict[str, Any] = {"name": name, "event": event, "url": url}
        body["headers"] = [{"key": k, "value": v} for k, v in (headers or {}).items()]
        if store_id is not None:
            body["store_id"] = _store_number(store_id)
        answer = self._create("/v2/environment/webhooks", body)
        secrets = self.secrets + tuple((headers or {}).values())
        return parse_webhook(answer, secrets)

    def delete_webhook(self, webhook_id: str) -> bool:
        """Unsubscribe; False when there was no such webhook (already gone)."""
        try:
            path = f"/v2/environment/webhooks/{_segment(webhook_id)}"
            self.http.request("DELETE", path, expect_body=False)
        except NotFound:
            return False
        return True

    # --- webhook resources --------------------------------------------------------------------

    def get(self, url: str) -> Any:
        """GET a webhook's resource_url as given (decoded JSON), with the API key; refused
        (InvalidPayload) unless it is on the client's own scheme, host and port."""
        return self.http.request("GET", self._own_url(url))

    def _own_url(self, url: str) -> str:
        full = absolute(url, self.base_url) if isinstance(url, str) else ""
        base_path = httpx.URL(self.base_url).path.rstrip("/")
        if not same_origin(full, self.base_url):
            raise InvalidPayload("resource_url", f"not on {self.base_url}: not fetched")
        if not httpx.URL(full).path.startswith(f"{base_path}/v2/"):
            raise InvalidPayload("resource_url", "not a /v2/ resource: not fetched")
        return full

    # --- plumbing -----------------------------------------------------------------------------

    def exchange(
        self, method: str, path: str, *, params: Params | None = None, body: Any = None
    ) -> httpx.Response:
        """One request as is, paced by the key's budget, never retried: the answer whatever it
        was (adapters.shipstation.v2.selfcheck reports them). Only on this client's host."""
        return self.http.exchange(method, self._own_url(path), params=params, body=body)

    def _create(self, path: str, body: Mapping[str, Any]) -> Any:
        return self.http.request("POST", path, body=dict(body), creates=True)

    def _put(self, path: str, body: Mapping[str, Any] | None = None) -> Any:
        return self.http.request("PUT", path, body=body, expect_body=False)

    def _walk(self, target: str, params: Params | None, key: str) -> Iterator[Any]:
        fetch = lambda t, p: self.http.request("GET", t, params=p)  # noqa: E731
        return walk(fetch, target, params, key, self.base_url, secrets=self.secrets)

    def _query(self, filters: Mapping[str, Filter]) -> dict[str, str | int]:
        query: dict[str, str | int] = {"page_size": self.page_size, "sort_dir": "asc"}
        query.update({k: _param(v) for k, v in filters.items() if v is not None})
        query["page_size"] = max(1, min(int(query["page_size"]), MAX_PAGE_SIZE))
        return query

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _checked_base(base_url: str, key: str) -> str:
    if not key or not key.strip():
        raise ConfigError(API, "no V2 API key: generate one under Account > API Settings > V2")
    try:
        url = httpx.URL(base_url.strip())
    except (httpx.InvalidURL, ValueError, TypeError):
        url = httpx.URL("invalid:")
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigError(API, f"base URL {base_url[:100]!r} is not http(s)://host: fix it")
    return str(url).rstrip("/")


def _segment(value: str) -> str:
    return quote(str(value), safe="")


def _param(value: Filter) -> str | int:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value if isinstance(value, int) else str(value)


def _store_number(store_id: str | int) -> int | str:
    # Webhook subscriptions take the store as an integer; an id with no number stays text.
    text = from_v2_id(str(store_id))
    return int(text) if text.isdigit() else text


def _new(rows: Sequence[T], seen: set[Any], key: Callable[[T], Any]) -> tuple[T, ...]:
    """The rows not met earlier in this walk (a row can move to a later page mid-walk)."""
    fresh = []
    for row in rows:
        if key(row) not in seen:
            seen.add(key(row))
            fresh.append(row)
    return tuple(fresh)


__all__ = ["DEFAULT_BASE_URL", "RESTORE_PATH", "ReadFailure", "ShipStationV2Api"]
