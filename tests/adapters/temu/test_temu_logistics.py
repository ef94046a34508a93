"""Ship-to, warehouses, carriers, confirmations and their read-back."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest
from temu_support import ADDRESS, by_type, fail, ok, sent

from domain.errors import BusinessError, TokenExpired, TransientError
from domain.ports import ConfirmItem, ConfirmPackage, ShipmentRequest

CONFIRM = "bg.logistics.shipment.v2.confirm"
SHIPMENT_GET = "bg.logistics.shipment.v2.get"


def item(order_sn: str = "211-1", quantity: int = 1) -> ConfirmItem:
    return ConfirmItem("PO-211-1", order_sn, quantity, 602368171198347, 37386079732361)


def package(tracking: str, *items: ConfirmItem, extra: tuple[str, ...] = ()) -> ConfirmPackage:
    return ConfirmPackage(998264743, tracking, "WH-1", items or (item(),), extra)


class TestShipTo:
    def test_addresses_map_and_missing_ones_are_none(self, client, router) -> None:
        empty = dict.fromkeys(ADDRESS)
        answers = {"PO-211-1": ok(ADDRESS), "PO-211-2": ok(empty), "PO-211-3": ok(None)}
        router.mock(side_effect=lambda req: answers[json.loads(req.content)["parentOrderSn"]])
        found = client.ship_to(["PO-211-1", "PO-211-2", "PO-211-3", "PO-211-1"])
        assert router.call_count == 3 and found["PO-211-2"] is None and found["PO-211-3"] is None
        address = found["PO-211-1"]
        assert (address.name, address.street1, address.street2) == (
            "José Müller",
            "100 River Road",
            "Apt 2601",
        )
        assert (address.city, address.state, address.postal_code, address.country) == (
            "Jersey City",
            "NJ",
            "07310",
            "US",
        )
        assert address.phone == "12015550123-4821" and "Müller" not in repr(address)

    def test_a_per_order_error_is_kept_for_that_order(self, client, router) -> None:
        answers = {"PO-211-1": ok(ADDRESS), "PO-211-2": fail(180020003, "Invalid param")}
        router.mock(side_effect=lambda req: answers[json.loads(req.content)["parentOrderSn"]])
        found = client.ship_to(["PO-211-1", "PO-211-2"])
        assert isinstance(found["PO-211-2"], BusinessError) and found["PO-211-2"].code == 180020003
        assert found["PO-211-1"].city == "Jersey City"

    def test_transient_failures_after_retries_are_kept_per_order(self, client, router) -> None:
        router.mock(return_value=httpx.Response(503))
        assert isinstance(client.ship_to(["PO-211-1"])["PO-211-1"], TransientError)

    def test_an_expired_token_stops_the_batch(self, client, router) -> None:
        router.mock(return_value=fail(3000034))
        with pytest.raises(TokenExpired):
            client.ship_to([f"PO-211-{n}" for n in range(50)])

    def test_addresses_are_fetched_concurrently(self, client, router) -> None:
        active, peak, lock = [0], [0], threading.Lock()

        def slow(request: httpx.Request) -> httpx.Response:
            with lock:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
            time.sleep(0.02)
            with lock:
                active[0] -= 1
            return ok(ADDRESS)

        router.mock(side_effect=slow)
        assert len(client.ship_to([f"PO-211-{n}" for n in range(40)])) == 40
        assert peak[0] > 4


class TestWarehousesAndCarriers:
    def test_warehouses(self, client, router) -> None:
        rows = [
            {"warehouseId": "WH-1", "warehouseName": "NJ", "defaultWarehouse": True},
            {"warehouseId": "WH-2", "warehouseName": "TX", "defaultWarehouse": False},
        ]
        router.mock(return_value=ok({"warehouseList": rows}))
        assert [(w.warehouse_id, w.is_default) for w in client.warehouses()] == [
            ("WH-1", True),
            ("WH-2", False),
        ]

    @pytest.mark.parametrize(
        "wrap",
        [
            lambda rows: rows,
            lambda rows: {"items": rows},
            lambda rows: {"logisticsCompaniesList": rows},
            lambda rows: {"logisticsServiceProviderList": rows},
        ],
        ids=["array", "items", "logisticsCompaniesList", "logisticsServiceProviderList"],
    )
    def test_carriers_are_found_in_any_container(self, client, router, wrap) -> None:
        rows = [
            {
                "logisticsServiceProviderId": 998264743,
                "logisticsServiceProviderName": "USPS",
                "logisticsBrandName": "USPS",
            }
        ]
        router.mock(return_value=ok(wrap(rows)))
        (carrier,) = client.carriers(211)
        assert (carrier.carrier_id, carrier.name, carrier.brand) == (998264743, "USPS", "USPS")
        assert sent(router.calls.last)["regionId"] == 211


class TestConfirm:
    def test_one_package_is_send_type_0_and_returns_warnings(self, client, router) -> None:
        router.mock(return_value=ok({"warningMessage": ["Signature suggested"]}))
        assert client.confirm_shipment(ShipmentRequest((package("T1"),))) == (
            "Signature suggested",
        )
        body = sent(router.calls.last)
        assert body["sendType"] == 0
        assert body["sendRequestList"] == [
            {
                "carrierId": 998264743,
                "trackingNumber": "T1",
                "selfShippingWarehouseId": "WH-1",
                "orderSendInfoList": [
                    {
                        "parentOrderSn": "PO-211-1",
                        "orderSn": "211-1",
                        "goodsId": 602368171198347,
                        "skuId": 37386079732361,
                        "quantity": 1,
                    }
                ],
            }
        ]

    def test_several_packages_are_send_type_1_one_element_each(self, client, router) -> None:
        router.mock(return_value=ok({"warningMessage": []}))
        request = ShipmentRequest((package("T1", item("211-1")), package("T2", item("211-2", 3))))
        client.confirm_shipment(request)
        body = sent(router.calls.last)
        assert body["sendType"] == 1
        assert [p["trackingNumber"] for p in body["sendRequestList"]] == ["T1", "T2"]
        assert body["sendRequestList"][1]["orderSendInfoList"][0]["quantity"] == 3

    def test_extra_tracking_numbers_become_sub_send_requests(self, client, router) -> None:
        router.mock(return_value=ok({"warningMessage": []}))
        client.confirm_shipment(ShipmentRequest((package("T1", extra=("T2", "T3")),)))
        subs = sent(router.calls.last)["sendRequestList"][0]["subSendRequests"]
        assert subs == [
            {"carrierId": 998264743, "trackingNumber": "T2", "selfShippingWarehouseId": "WH-1"},
            {"carrierId": 998264743, "trackingNumber": "T3", "selfShippingWarehouseId": "WH-1"},
        ]

    @pytest.mark.parametrize("code", [120012004, 120014004])
    def test_already_shipped_with_our_tracking_is_success(self, client, router, code) -> None:
        shipped = ok({"shipmentInfoDTO": [{"trackingNumber": "T1", "carrierId": 998264743}]})
        router.mock(side_effect=by_type({CONFIRM: fail(code, "shipped"), SHIPMENT_GET: shipped}))
        assert client.confirm_shipment(ShipmentRequest((package("T1"),)))
        read_back = sent(router.calls.last)
        assert (read_back["type"], read_back["orderSn"]) == (SHIPMENT_GET, "211-1")

    def test_already_shipped_with_other_tracking_is_refused(self, client, router) -> None:
        shipped = ok({"shipmentInfoDTO": [{"trackingNumber": "OTHER", "carrierId": 1}]})
        router.mock(
            side_effect=by_type(
                {CONFIRM: fail(120012004, "The order has been shipped."), SHIPMENT_GET: shipped}
            )
        )
        with pytest.raises(BusinessError) as caught:
            client.confirm_shipment(ShipmentRequest((package("T1"),)))
        assert caught.value.code == 120012004

    def test_shipments_read_back_includes_sub_packages(self, client, router) -> None:
        row = {
            "trackingNumber": "T1",
            "carrierId": 7,
            "skuId": 9,
            "quantity": 2,
            "packageSn": "PK-1",
            "subPackageShipmentInfoList": [{"trackingNumber": "T2"}],
        }
        router.mock(return_value=ok({"shipmentInfoDTO": [row]}))
        found = client.shipments("PO-211-1", "211-1")
        assert [(s.tracking_number, s.carrier_id) for s in found] == [("T1", 7), ("T2", 7)]
        assert found[0].quantity == 2 and found[0].package_sn == "PK-1"
        assert sent(router.calls.last)["orderSn"] == "211-1"
