"""The simulated ShipStation V2 API (api/shipstation-v2.md), beside V1 over the same account.

Routes, all under /v2 on the V1 server (a V2 client's base URL is the V1 one): shipments
(create, get, by external_shipment_id, list, PUT, cancel, hold, restore), fulfillments,
labels (list, get, void), warehouses, carriers and their services, environment/webhooks,
and GET /v2/jwks (outside the key check). `wire.py` maps V1 <-> V2 in one place.

Where the reference marks a point "(unconfirmed)", the sandbox takes the stricter reading
(`readings.Readings` switches the lenient one on where it is plausible):
- batch size: more than 100 shipments (or fulfillments) in one call refused (400).
- a create or fulfillment batch whose every item fails: 400 with one error per item
  (switch whole_batch_400; otherwise 200, has_errors, a plain string per item).
- a duplicate external_shipment_id: that item alone fails, a string naming the id
  (error_code identifier_conflict when the whole batch answers 400).
- ship_to.phone (and ship_from.phone) required (switch phone_required).
- ship_by_date, hold_until_date and tags refused on create (switch
  refuse_unconfirmed_create_fields); shipment_number, warehouse_id, create_sales_order and
  items[].external_order_item_id are accepted (real integrations send them) and round-trip.
- store_id: a string, "N" or "se-N", of a store of the account; answers show "se-N" (switch
  store_id_as_string lets a JSON number through).
- PUT /v2/shipments/{id}: the whole shipment (ship_to and warehouse_id/ship_from required,
  fields left out cleared; switch put_replaces_whole merges instead), only while pending
  (switch update_only_pending also allows on_hold); read-only fields (shipment_id, created_at,
  shipment_status, tags) may be sent unchanged, a different value is refused (400);
  external_shipment_id and store_id cannot change (400 field_conflict).
- restore: PUT /v2/shipments/{id}/restore (the path is unconfirmed); hold and restore answer
  204 with no body, as cancel does (only cancel's 204 is documented).
- status map: awaiting_shipment <-> pending, on_hold <-> on_hold, cancelled <-> cancelled,
  shipped <-> label_purchased (a label or a fulfillment ships it: V2 has no other "shipped"),
  awaiting_payment <-> awaiting_payment, pending_fulfillment <-> processing (our inference).
- page_size: at most 100 (400 above); links' hrefs are a path and query ("/v2/labels?...");
  sort_dir defaults to desc and sort_by to created_at on every list.
- date filters: ISO 8601 with Z or an offset; a bare local time is refused (400).
- 429: Retry-After in seconds and the standard body (error_type system); no X-Rate-Limit-*
  headers on V2. The window is per V2 key, 200 a minute, apart from V1's.
- V2 keys are apart from V1 key/secret pairs; several may be valid at once (the sandbox's
  admin API makes them).
- webhooks: name required, store_id an integer, 409 on a second subscription with the same
  event and url; label_created_v2 and fulfillment_shipped_v2 fire; the timestamp header is
  ISO 8601 UTC with milliseconds; the JWKS also holds an EC key that signs nothing (a
  verifier must choose by kid).
- a shipment created without external_shipment_id gets its own shipment_id as one (the
  external-identifiers guide); a longer one is cut to 50 characters.
"""
