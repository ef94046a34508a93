"""temu.md §1.4: the signature, reproduced from its test vectors, on what the client sends."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from temu_support import APP_KEY, NOW, SECRET, TOKEN, ok, sent

from adapters.temu.signing import sign
from domain.ports import ConfirmItem, ConfirmPackage, ShipmentRequest, TimeWindow

COMMON = {"app_key": APP_KEY, "access_token": TOKEN, "data_type": "JSON", "timestamp": NOW}
VECTOR_A = json.loads(
    '{"access_token":"2nifvmpyymvypwmcms5ct4uqqudrwgpmzbcnmkt1jzjkuaf3x56iixym",'
    '"app_key":"f9d5cc9313893a20d5aa85c654e8f503","data_type":"JSON","sendRequestList":'
    '[{"orderSendInfoList":[{"quantity":1,"orderSn":"211-21905473070712792",'
    '"parentOrderSn":"PO-211-21905452099192792","goodsId":601099548666279,'
    '"skuId":17592352673534}],"carrierId":"699272611","trackingNumber":"270324232756"}],'
    '"sendType":0,"timestamp":1711009072,"type":"bg.logistics.shipment.confirm"}'
)


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class TestSignatureVectors:
    def test_vector_a_the_temu_doc_example(self) -> None:
        assert sign(VECTOR_A, "c7e0a1a63542be4de3cb5488f9fba8149e8fc290") == (
            "4CCF219942D4180C6DDA3CE36C1B838F"
        )

    @pytest.mark.parametrize(
        ("business", "expected"),
        [
            (
                {
                    "type": "bg.order.list.v2.get",
                    "pageNumber": 1,
                    "pageSize": 10,
                    "hasPreSaleOrder": False,
                },
                "A98C047C907A78CB98E04444F3E8AE91",
            ),
            (
                {"type": "bg.logistics.companies.get", "regionId": 211},
                "C7FEEB803CD75748D0041B46C9C07057",
            ),
            (
                {"type": "bg.order.list.v2.get", "pageNumber": 1, "pageSize": 100},
                "E196C89DF3D3D47A08CAD4017C2DC8F3",
            ),
        ],
    )
    def test_vectors_d_g_h(self, business: dict, expected: str) -> None:
        assert sign({**COMMON, **business}, SECRET) == expected

    def test_nested_keys_keep_their_order(self) -> None:
        reordered = json.loads(json.dumps(VECTOR_A))
        item = reordered["sendRequestList"][0]["orderSendInfoList"][0]
        reordered["sendRequestList"][0]["orderSendInfoList"][0] = dict(sorted(item.items()))
        assert sign(reordered, "c7e0a1a63542be4de3cb5488f9fba8149e8fc290") != (
            "4CCF219942D4180C6DDA3CE36C1B838F"
        )


class TestClientSignsWhatItSends:
    def test_order_list_is_vector_b(self, client, router) -> None:
        router.mock(return_value=ok({"totalItemNum": 0, "pageItems": []}))
        client.list_orders(TimeWindow(at(1735603200), at(1735689600)), 1, status=2)
        body = sent(router.calls.last)
        assert body["sign"] == "EB14C8D9CD031CD9B6BAD0B29B53E41F"
        assert body == {
            "type": "bg.order.list.v2.get",
            **COMMON,
            "pageNumber": 1,
            "pageSize": 100,
            "parentOrderStatus": 2,
            "updateAtStart": 1735603200,
            "updateAtEnd": 1735689600,
            "sortby": "updateTime",
            "sign": body["sign"],
        }
        assert list(body)[-1] == "sign"

    def test_token_info_is_vector_e(self, client, router) -> None:
        router.mock(return_value=ok({"mallId": 1}))
        client.token_info()
        assert sent(router.calls.last)["sign"] == "BE7BCBCF6BE328F148E2D209D9D32CA7"

    def test_shipping_info_is_vector_f(self, client, router) -> None:
        router.mock(return_value=ok(None))
        client.ship_to(["PO-211-03568242816633450"])
        body = sent(router.calls.last)
        assert body["parentOrderSn"] == "PO-211-03568242816633450"
        assert body["sign"] == "E2957B7BF07ACD52DB76BE2ECAAA336F"

    def test_carriers_is_vector_g(self, client, router) -> None:
        router.mock(return_value=ok([]))
        client.carriers(211)
        assert sent(router.calls.last)["sign"] == "C7FEEB803CD75748D0041B46C9C07057"

    def test_confirm_is_vector_c(self, client, router) -> None:
        router.mock(return_value=ok({"assistantAgreementText": None, "warningMessage": []}))
        item = ConfirmItem(
            "PO-211-03568242816633450", "211-03568305731193450", 1, 602368171198347, 37386079732361
        )
        package = ConfirmPackage(
            998264743, "9400111899223344556677", "WH-04024228864152414", (item,)
        )
        client.confirm_shipment(ShipmentRequest((package,)))
        body = sent(router.calls.last)
        assert body["sign"] == "3F810D7B98D76B438A4760D3804C23F3"
        assert body["sendType"] == 0

    def test_the_wire_bytes_are_compact_utf8_json(self, client, router) -> None:
        router.mock(return_value=ok(None))
        client.ship_to(["PO-211-Ünïcode"])
        content = router.calls.last.request.content
        assert b", " not in content and "Ünïcode".encode() in content
        assert router.calls.last.request.headers["content-type"] == "application/json"
