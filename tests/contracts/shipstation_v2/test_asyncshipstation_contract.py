"""The maintained third-party V2 client `AsyncShipStation` (PyPI asyncshipstation) against the
sandbox served on 127.0.0.1: its shipments, labels, warehouses, carriers and webhooks calls.

Its v2 endpoint is configurable (`ConnectionConfig(v2_endpoint=...)`, the base URL plus
"/v2"). Two of its calls cannot work against any V2 server that answers as documented, and
are exercised here only to pin that down: `WebhookPortal.delete_by_id` and `update_by_id`
parse the body of the documented `204 No Content` as JSON and report a failure (500) after
the server did what was asked."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from AsyncShipStation import (
    CarrierPortal,
    LabelPortal,
    ShipmentPortal,
    ShipStationClient,
    WarehousePortal,
    WebhookPortal,
)
from AsyncShipStation.common.base import ConnectionConfig

from adapters.sandbox.server import ServerThread
from adapters.sandbox.shipstation.app import DEMO_V2_API_KEY, create_shipstation_app
from tests.contracts.shipstation_v2.conftest import shipment

Connected = Callable[[Callable[[Any], Awaitable[Any]]], Any]


@pytest.fixture
def connected(shipstation) -> Iterator[Connected]:
    """Runs `work(connection)` with a connection of the client to the served sandbox."""
    server = ServerThread(create_shipstation_app(shipstation)).start()
    config = ConnectionConfig(version="v2", timeout=10, v2_endpoint=f"{server.url}/v2")

    async def run(work: Callable[[Any], Awaitable[Any]]) -> Any:
        connection = await ShipStationClient.start(
            v2_key=DEMO_V2_API_KEY, config=config, version="v2"
        )
        try:
            return await work(connection)
        finally:
            await ShipStationClient.close(connection=connection, version="v2", force=True)

    try:
        yield lambda work: asyncio.run(run(work))
    finally:
        server.stop()


class TestShipments:
    def test_create_get_by_ids_and_list(self, connected: Connected) -> None:
        async def work(connection: Any) -> Any:
            created = await ShipmentPortal.create(connection, [shipment(1), shipment(2)])
            made = created[1]["shipments"][0]
            by_id = await ShipmentPortal.get_by_id(connection, made["shipment_id"])
            by_key = await ShipmentPortal.get_by_external_id(connection, "temu-shop-PO-000002")
            listed = await ShipmentPortal.where(connection, store_id=123456, page_size=1)
            missing = await ShipmentPortal.get_by_external_id(connection, "never-made")
            return created, made, by_id, by_key, listed, missing

        created, made, by_id, by_key, listed, missing = connected(work)
        assert created[0] == 200 and created[1]["has_errors"] is False
        assert by_id == (
            200,
            {k: v for k, v in made.items() if k not in ("errors", "address_validation")},
        )
        assert by_key[1]["shipment_number"] == "PO-000002"
        assert (listed[0], listed[1]["total"], listed[1]["pages"]) == (200, 2, 2)
        assert listed[1]["links"]["next"]["href"].startswith("/v2/shipments?")
        assert missing[0] == 404 and missing[1]["errors"][0]["error_code"] == "invalid_identifier"

    def test_cancel(self, connected: Connected) -> None:
        async def work(connection: Any) -> Any:
            (made,) = (await ShipmentPortal.create(connection, [shipment(3)]))[1]["shipments"]
            cancelled = await ShipmentPortal.cancel_by_id(connection, made["shipment_id"])
            again = await ShipmentPortal.cancel_by_id(connection, made["shipment_id"])
            return cancelled, again

        cancelled, again = connected(work)
        assert cancelled == (204, None)
        assert again[0] == 400 and again[1]["errors"][0]["error_code"] == "invalid_status"


class TestLabels:
    def test_list_get_and_void(self, connected: Connected, shipstation) -> None:
        async def work(connection: Any) -> Any:
            (made,) = (await ShipmentPortal.create(connection, [shipment(4)]))[1]["shipments"]
            (bought,) = shipstation.create_labels(made["external_shipment_id"])
            label_id = f"se-{bought['shipmentId']}"
            listed = await LabelPortal.where(connection, shipment_id=made["shipment_id"])
            one = await LabelPortal.get_by_id(connection, label_id)
            voided = await LabelPortal.void_label(connection, label_id)
            gone = await LabelPortal.where(connection, label_status="voided", sort_by="modified_at")
            return made, label_id, listed, one, voided, gone

        made, label_id, listed, one, voided, gone = connected(work)
        assert [x["label_id"] for x in listed[1]["labels"]] == [label_id]
        assert one[0] == 200 and one[1]["shipment_id"] == made["shipment_id"]
        assert voided[0] == 200 and voided[1]["approved"] is True
        assert [x["label_id"] for x in gone[1]["labels"]] == [label_id]


class TestReferenceData:
    def test_warehouses_carriers_and_services(self, connected: Connected) -> None:
        async def work(connection: Any) -> Any:
            warehouses = await WarehousePortal.where(connection)
            default = await WarehousePortal.get_by_name(connection, "Main warehouse")
            carriers = await CarrierPortal.all(connection)
            first = carriers[1]["carriers"][0]["carrier_id"]
            services = await CarrierPortal.get_services(connection, first)
            carrier = await CarrierPortal.get_by_id(connection, first)
            return warehouses, default, carriers, services, carrier

        warehouses, default, carriers, services, carrier = connected(work)
        assert [w["is_default"] for w in warehouses[1]["warehouses"]] == [True, False]
        assert default[1]["warehouse_id"] == "se-260001"
        codes = [c["carrier_code"] for c in carriers[1]["carriers"]]
        assert codes == ["stamps_com", "ups", "fedex", "dhl_express"]
        assert services[1]["services"][0]["service_code"] == "usps_ground_advantage"
        assert carrier[1]["carrier_code"] == "stamps_com"


class TestWebhooks:
    def test_create_list_get(self, connected: Connected) -> None:
        async def work(connection: Any) -> Any:
            made = await WebhookPortal.create(
                connection,
                name="temuship",
                event="label_created_v2",
                url="https://example.com/hook",
                store_id=123456,
            )
            listed = await WebhookPortal.where(connection)
            one = await WebhookPortal.get_by_id(connection, made[1]["webhook_id"])
            return made, listed, one

        made, listed, one = connected(work)
        assert made[0] == 200 and made[1]["event"] == "label_created_v2"
        assert listed == (200, [made[1]]) and one == (200, made[1])

    def test_its_delete_and_update_misread_the_documented_204(
        self, connected: Connected, shipstation
    ) -> None:
        """A bug of the client, not of the server: the change is made, the client reports 500."""

        async def work(connection: Any) -> Any:
            made = await WebhookPortal.create(
                connection, name="n", event="label_created_v2", url="https://example.com/a"
            )
            hook_id = made[1]["webhook_id"]
            updated = await WebhookPortal.update_by_id(
                connection, hook_id, url="https://example.com/b"
            )
            after_update = await WebhookPortal.get_by_id(connection, hook_id)
            deleted = await WebhookPortal.delete_by_id(connection, hook_id)
            return updated, after_update, deleted

        updated, after_update, deleted = connected(work)
        assert updated[0] == deleted[0] == 500
        assert "JSON decode error" in updated[1]["errors"][0]["message"]
        assert after_update[1]["url"] == "https://example.com/b"
        assert shipstation.v2.webhooks.list_v2() == []
