"""Webhook subscriptions on both APIs, and what a bought label or a fulfillment delivers.

V2 (shipstation-v2.md §8): `/v2/environment/webhooks`, `label_created_v2` and
`fulfillment_shipped_v2` deliveries signed as §8.3 says. V1 (shipstation.md §5):
`/webhooks/subscribe`, `SHIP_NOTIFY` / `ITEM_SHIP_NOTIFY` deliveries, unsigned.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Collection
from typing import Any
from urllib.parse import urlencode, urlparse

from adapters.sandbox.shipstation.v2.delivery import Deliveries
from adapters.sandbox.shipstation.v2.errors import V2Error, bad_field, not_found
from adapters.sandbox.shipstation.v2.signing import Signer
from adapters.sandbox.shipstation.v2.wire import se

Row = dict[str, Any]
V2_EVENTS = ("batch", "carrier_connected", "order_source_refresh_complete", "rate",
             "report_complete", "sales_orders_imported", "track", "batch_processed_v2",
             "fulfillment_rejected_v2", "fulfillment_shipped_v2", "label_created_v2",
             "shipment_created_v2", "track_event_v2")  # fmt: skip
V1_EVENTS = ("ORDER_NOTIFY", "ITEM_ORDER_NOTIFY", "SHIP_NOTIFY", "ITEM_SHIP_NOTIFY",
             "FULFILLMENT_SHIPPED", "FULFILLMENT_REJECTED")  # fmt: skip


def _url(value: Any) -> bool:
    parsed = urlparse(str(value or ""))
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


class Webhooks:
    def __init__(
        self, stores: Callable[[], Collection[int]], deliveries: Deliveries, signer: Signer
    ) -> None:
        self.stores, self.deliveries, self.signer = stores, deliveries, signer
        self.v2: dict[str, Row] = {}
        self.v1: dict[int, Row] = {}
        self._ids = itertools.count(2300001)
        self._lock = threading.Lock()

    # --- V2 -----------------------------------------------------------------------------

    def create_v2(self, body: Any) -> Row:
        hook = self._v2_fields(body, None)
        with self._lock:
            self._refuse_twin(hook, None)
            hook["webhook_id"] = se(next(self._ids))
            self.v2[hook["webhook_id"]] = hook
            return dict(hook)

    def list_v2(self) -> list[Row]:
        with self._lock:
            return [dict(h) for h in self.v2.values()]

    def get_v2(self, webhook_id: str) -> Row:
        with self._lock:
            if webhook_id not in self.v2:
                raise not_found("webhook_id", webhook_id)
            return dict(self.v2[webhook_id])

    def update_v2(self, webhook_id: str, body: Any) -> None:
        """PUT: url, headers and name change (the event and the store do not)."""
        current = self.get_v2(webhook_id)
        if not isinstance(body, dict) or not {"url", "headers", "name"} & set(body):
            raise V2Error(400, "request_body_required", "send url, headers or name to change")
        changed = self._v2_fields({**current, **body}, current)
        with self._lock:
            self._refuse_twin(changed, webhook_id)
            self.v2[webhook_id] = {**changed, "webhook_id": webhook_id}

    def _refuse_twin(self, hook: Row, webhook_id: str | None) -> None:
        """409 when another subscription has the same event and url (§8.1)."""
        for other in self.v2.values():
            same = (other["event"], other["url"]) == (hook["event"], hook["url"])
            if same and other["webhook_id"] != webhook_id:
                raise V2Error(409, "webhook_event_type_conflict",
                              f"a webhook for {hook['event']} to {hook['url']} already exists "
                              f"({other['webhook_id']})")  # fmt: skip

    def delete_v2(self, webhook_id: str) -> None:
        with self._lock:
            if self.v2.pop(webhook_id, None) is None:
                raise not_found("webhook_id", webhook_id)

    def _v2_fields(self, body: Any, current: Row | None) -> Row:
        if not isinstance(body, dict):
            raise V2Error(400, "request_body_required", "the body must be a webhook object")
        if body.get("event") not in V2_EVENTS:
            raise bad_field("event", f"'{body.get('event')}' is not one of {', '.join(V2_EVENTS)}")
        if not _url(body.get("url")):
            raise bad_field("url", f"'{body.get('url')}' is not an http(s) URL")
        if not isinstance(body.get("name"), str) or not body["name"].strip():
            raise bad_field("name", "is required", "field_value_required")
        headers = body.get("headers") or []
        if not isinstance(headers, list) or not all(
                isinstance(h, dict) and isinstance(h.get("key"), str)
                and isinstance(h.get("value"), str) for h in headers):  # fmt: skip
            raise bad_field("headers", 'must be a list of {"key": "…", "value": "…"}')
        store = body.get("store_id")
        if current is None and store is not None and not self._is_store(store):
            raise bad_field("store_id", f"{store!r} is not a store of this account (an integer)")
        return {"url": body["url"], "event": body["event"], "name": body["name"],
                "headers": [{"key": h["key"], "value": h["value"]} for h in headers],
                "store_id": store}  # fmt: skip

    def _is_store(self, store: Any) -> bool:
        return isinstance(store, int) and not isinstance(store, bool) and store in self.stores()

    # --- V1 -----------------------------------------------------------------------------

    def subscribe_v1(self, body: Any) -> tuple[int, Row]:
        """POST /webhooks/subscribe, answered as V1 does (errors: {"Message": …})."""
        if not isinstance(body, dict):
            return 400, {"Message": "The request is invalid."}
        if not _url(body.get("target_url")):
            return 400, {"Message": "The target_url field is required (an http(s) URL)."}
        if body.get("event") not in V1_EVENTS:
            return 400, {"Message": f"'{body.get('event')}' is not a valid event "
                         f"({', '.join(V1_EVENTS)})."}  # fmt: skip
        store = body.get("store_id")
        if store is not None and not self._is_store(store):
            return 400, {"Message": f"store_id {store!r} is not a store of this account."}
        with self._lock:
            hook_id = next(self._ids)
            self.v1[hook_id] = {"id": hook_id, "url": body["target_url"], "event": body["event"],
                                "store_id": store, "name": body.get("friendly_name")}  # fmt: skip
        return 200, {"id": hook_id}

    def list_v1(self) -> Row:
        with self._lock:
            return {"webhooks": [_v1_answer(h) for h in self.v1.values()]}

    def delete_v1(self, hook_id: str) -> tuple[int, Row | None]:
        with self._lock:
            if not hook_id.isdigit() or self.v1.pop(int(hook_id), None) is None:
                return 404, {"Message": f"Webhook {hook_id} was not found."}
        return 200, None

    # --- what fires -----------------------------------------------------------------------

    def labels_bought(self, base: str, batch: int, store: int) -> None:
        """A label batch was bought: label_created_v2, SHIP_NOTIFY and ITEM_SHIP_NOTIFY."""
        v2_url = f"{base}/v2/labels?{urlencode({'batch_id': se(batch)})}"
        self._fire_v2("label_created_v2", "LABEL_CREATED_V2", v2_url, store)
        for event, items in (("SHIP_NOTIFY", "False"), ("ITEM_SHIP_NOTIFY", "True")):
            query = {"storeID": store, "batchId": batch, "includeShipmentItems": items}
            self._fire_v1(event, f"{base}/shipments?{urlencode(query)}", store)

    def fulfilled(self, base: str, row: Row) -> None:
        query = {"fulfillment_id": row["fulfillment_id"], "shipment_id": row["shipment_id"]}
        url = f"{base}/v2/fulfillments?{urlencode(query)}"
        self._fire_v2("fulfillment_shipped_v2", "FULFILLMENT_SHIPPED_V2", url, row["_store"])

    def _fire_v2(self, event: str, resource_type: str, url: str, store: int) -> None:
        for hook in self.list_v2():
            if hook["event"] == event and hook["store_id"] in (None, store):
                record = {"api": "v2", "webhook_id": hook["webhook_id"], "event": event,
                          "url": hook["url"]}  # fmt: skip
                extra = {h["key"]: h["value"] for h in hook["headers"]}
                payload = {"resource_url": url, "resource_type": resource_type}
                self.deliveries.send(record, payload, extra, sign=self.signer.headers)

    def _fire_v1(self, event: str, url: str, store: int) -> None:
        with self._lock:
            hooks = [dict(h) for h in self.v1.values()]
        for hook in hooks:
            if hook["event"] == event and hook["store_id"] in (None, store):
                record = {"api": "v1", "webhook_id": hook["id"], "event": event,
                          "url": hook["url"]}  # fmt: skip
                self.deliveries.send(record, {"resource_url": url, "resource_type": event}, {})


def _v1_answer(hook: Row) -> Row:
    return {
        "IsLabelAPIHook": False, "WebHookID": hook["id"], "SellerID": None,
        "StoreID": hook["store_id"], "HookType": hook["event"], "MessageFormat": "Json",
        "Url": hook["url"], "Name": hook["name"], "BulkCopyBatchID": None,
        "BulkCopyRecordID": None, "Active": True, "WebhookLogs": [], "Seller": None,
        "Store": None,
    }  # fmt: skip
