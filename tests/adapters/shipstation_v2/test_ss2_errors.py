"""Every documented V2 failure -> its domain error, with the request_id and never the key."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import httpx
import pytest
import respx

from adapters.shipstation.v2 import (
    NotFound,
    ShipStationV2Api,
    V2AuthenticationFailed,
    V2BusinessError,
    V2ConfigError,
    V2RateLimited,
    V2TransientError,
    pacing,
)
from adapters.temu.pacing import RateLimiter
from domain.errors import (
    AuthenticationFailed,
    BusinessError,
    ConfigError,
    ConnectionLost,
    ExternalApiError,
    MalformedAnswer,
    RateLimited,
    TransientError,
    Unreachable,
)
from tests.adapters.shipstation_v2.conftest import KEY, error_body, shipment_row
from tests.fakes import FakeTime

E = TypeVar("E", bound=Exception)
SHIPMENT = "/v2/shipments/se-1001"
OK = httpx.Response(200, json=shipment_row(1))


class SpyLimiter(RateLimiter):
    """This process's limiter at no rate, recording what the client asked of it."""

    def __init__(self, fake_time: FakeTime) -> None:
        super().__init__(0.0, monotonic=fake_time.monotonic, sleep=fake_time.sleep)
        self.held: list[float] = []
        self.acquired = 0

    def acquire(self, sleep=None) -> float:
        self.acquired += 1
        return super().acquire(sleep)

    def hold_off(self, seconds: float) -> None:
        self.held.append(seconds)
        super().hold_off(seconds)


def fails_with(api: ShipStationV2Api, kind: type[E]) -> E:
    with pytest.raises(kind) as caught:
        api.get_shipment("1001")
    return caught.value


class TestRefusals:
    def test_401_names_the_v2_key_and_where_to_find_it_and_is_not_retried(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        body = error_body("unauthorized", "The API key is invalid", "req-401", "security")
        route = router.get(SHIPMENT).respond(401, json=body)
        error = fails_with(api, V2AuthenticationFailed)
        assert isinstance(error, AuthenticationFailed)
        assert "Account > API Settings > V2" in str(error)
        assert "request_id req-401" in str(error)
        assert route.call_count == 1

    @pytest.mark.parametrize(
        "code", ["forbidden", "subscription_inactive", "trial_expired", "invalid_billing_plan"]
    )
    def test_403_is_a_config_error_naming_the_code_and_the_fix(
        self, router: respx.Router, api: ShipStationV2Api, code: str
    ) -> None:
        router.get(SHIPMENT).respond(403, json=error_body(code, "no", "req-403", "account_status"))
        error = fails_with(api, V2ConfigError)
        assert not isinstance(error, AuthenticationFailed)
        assert error.error_code == code
        assert code in str(error) and "request_id req-403" in str(error)
        assert "plan" in str(error)

    def test_404_is_a_not_found_the_caller_can_test_for(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        router.get(SHIPMENT).respond(404, json=error_body("invalid_identifier", "not found"))
        error = fails_with(api, NotFound)
        assert isinstance(error, BusinessError) and error.request_id == "req-9f1c"
        assert "GET /v2/shipments/se-1001" in str(error)

    @pytest.mark.parametrize(
        ("status", "code"),
        [
            (400, "invalid_field_value"),
            (400, "field_value_required"),
            (400, "invalid_string_length"),
            (400, "invalid_identifier"),
            (400, "invalid_status"),
            (400, "invalid_address"),
            (400, "request_body_required"),
            (400, "warehouse_conflict"),
            (400, "carrier_not_connected"),
            (400, "unknown"),
            (400, "unspecified"),
            (409, "identifier_conflict"),
            (409, "field_conflict"),
            (409, "webhook_event_type_conflict"),
            (422, "invalid_field_value"),
        ],
    )
    def test_4xx_is_a_business_error_carrying_its_error_code(
        self, router: respx.Router, api: ShipStationV2Api, status: int, code: str
    ) -> None:
        route = router.get(SHIPMENT).respond(status, json=error_body(code, "refused", "req-4"))
        error = fails_with(api, V2BusinessError)
        assert not isinstance(error, NotFound)
        assert (error.error_code, error.request_id, error.code) == (code, "req-4", status)
        assert f"{code}: refused" in str(error) and "request_id req-4" in str(error)
        assert route.call_count == 1

    def test_every_error_of_the_body_is_kept_and_the_first_three_quoted(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        body = error_body("invalid_field_value", "m1")
        more = [{"error_code": f"c{i}", "message": f"m{i}"} for i in range(2, 6)]
        body["errors"] += more
        router.get(SHIPMENT).respond(400, json=body)
        error = fails_with(api, V2BusinessError)
        assert error.error_codes == {"invalid_field_value", "c2", "c3", "c4", "c5"}
        assert "c3: m3" in str(error) and "c4" not in str(error) and "2 more" in str(error)

    def test_a_redirect_is_not_followed_the_key_stays_home(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        router.get(SHIPMENT).respond(302, headers={"Location": "https://elsewhere.example/x"})
        error = fails_with(api, ConfigError)
        assert "redirected" in str(error) and "base URL" in str(error)


class TestEveryFailureNamesItsRequest:
    @pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 408, 409, 422, 429, 500, 503])
    def test_the_request_id_and_the_call_are_in_the_message(
        self, router: respx.Router, api: ShipStationV2Api, status: int
    ) -> None:
        router.get(SHIPMENT).respond(status, json=error_body("unknown", "no", f"req-{status}"))
        with pytest.raises(ExternalApiError) as caught:
            api.get_shipment("1001")
        assert f"request_id req-{status}" in str(caught.value)
        assert "GET /v2/shipments/se-1001" in str(caught.value)
        assert caught.value.request_id == f"req-{status}"  # type: ignore[attr-defined]

    def test_an_answer_without_one_says_so(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        router.get(SHIPMENT).respond(400, json={"message": "bad"})
        error = fails_with(api, V2BusinessError)
        assert error.request_id is None and "no request_id in the answer" in str(error)
        assert "not ShipStation's error body" in str(error) and "bad" in str(error)


class TestTheKeyNeverShows:
    def test_an_answer_quoting_the_key_is_masked_in_message_and_excerpt(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        body = error_body("invalid_field_value", f"bad key {KEY}", f"req-{KEY}")
        router.get(SHIPMENT).respond(400, json=body)
        error = fails_with(api, V2BusinessError)
        assert KEY not in str(error) and KEY not in repr(error.answer)
        assert "***" in str(error)

    def test_an_html_error_page_quoting_the_key_is_masked(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        html = f"<html><body>Bad gateway for API-Key: {KEY}</body></html>"
        router.get(SHIPMENT).respond(502, text=html, headers={"Content-Type": "text/html"})
        error = fails_with(api, V2TransientError)
        assert KEY not in str(error) and "Bad gateway" in str(error)

    def test_a_2xx_that_is_not_json_quoting_the_key_is_masked(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        router.get(SHIPMENT).respond(200, text=f"<html>login {KEY}")
        error = fails_with(api, MalformedAnswer)
        assert KEY not in str(error) and "login" in str(error)

    def test_the_client_and_its_repr_never_show_the_key(self, api: ShipStationV2Api) -> None:
        assert KEY not in repr(api) and KEY[-4:] in repr(api)

    def test_the_key_goes_in_the_api_key_header_only(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        route = router.get(SHIPMENT).mock(return_value=OK)
        api.get_shipment("1001")
        request = route.calls.last.request
        assert request.headers["API-Key"] == KEY
        assert KEY not in str(request.url) and "authorization" not in request.headers


class TestRateLimits:
    def test_429_waits_retry_after_then_succeeds(
        self, router: respx.Router, api: ShipStationV2Api, fake_time
    ) -> None:
        limited = httpx.Response(
            429, json=error_body("rate_limit_exceeded", "slow down", "req-429", "system"),
            headers={"Retry-After": "17"},
        )  # fmt: skip
        route = router.get(SHIPMENT).mock(side_effect=[limited, OK])
        assert api.get_shipment("1001").shipment_id == "se-1001"
        assert route.call_count == 2
        assert fake_time.sleeps == [pytest.approx(17.0)]
        assert api.http.rate_limited == 1 and api.requests == 2

    @pytest.mark.parametrize(
        ("header", "wait"),
        [
            (None, 60.0),
            ("soon", 60.0),
            ("nan", 60.0),
            ("0", 1.0),
            ("-5", 1.0),
            ("2.5", 2.5),
            ("86400", 300.0),
            ("Mon, 02 Mar 2026 12:00:42 GMT", 42.0),
            ("Mon, 02 Mar 2026 11:00:00 GMT", 1.0),
        ],
    )
    def test_retry_after_missing_garbled_dated_or_huge_is_bounded(
        self, router: respx.Router, api: ShipStationV2Api, fake_time, header, wait
    ) -> None:
        headers = {"Retry-After": header} if header is not None else {}
        limited = httpx.Response(429, json=error_body("rate_limit_exceeded"), headers=headers)
        router.get(SHIPMENT).mock(side_effect=[limited, OK])
        api.get_shipment("1001")
        assert fake_time.sleeps == [pytest.approx(wait)]

    def test_429_again_and_again_gives_up_as_rate_limited_with_the_request_id(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        body = error_body("rate_limit_exceeded", "slow", "req-r")
        limited = httpx.Response(429, json=body, headers={"Retry-After": "3"})
        route = router.get(SHIPMENT).mock(return_value=limited)
        error = fails_with(api, V2RateLimited)
        assert isinstance(error, RateLimited) and error.retry_after == 3.0
        assert "request_id req-r" in str(error)
        assert route.call_count == api.http.retry.rate_limited_attempts + 1

    def test_a_429_holds_back_the_keys_budget_for_retry_after(
        self, router: respx.Router, make_api: Callable[..., ShipStationV2Api], fake_time
    ) -> None:
        spy = SpyLimiter(fake_time)
        api = make_api(limiter=spy)
        limited = httpx.Response(429, json=error_body(), headers={"Retry-After": "30"})
        router.get(SHIPMENT).mock(side_effect=[limited, OK])
        api.get_shipment("1001")
        assert spy.held == [30.0] and spy.acquired == 2
        assert fake_time.sleeps == [pytest.approx(30.0)]  # the second slot waits the hold

    def test_a_carriers_429_waits_without_holding_back_the_keys_budget(
        self, router: respx.Router, make_api: Callable[..., ShipStationV2Api], fake_time
    ) -> None:
        spy = SpyLimiter(fake_time)
        api = make_api(limiter=spy)
        carrier = error_body("rate_limit_exceeded", "carrier busy", source="carrier")
        limited = httpx.Response(429, json=carrier, headers={"Retry-After": "5"})
        router.get(SHIPMENT).mock(side_effect=[limited, OK])
        api.get_shipment("1001")
        assert spy.held == [] and fake_time.sleeps == [pytest.approx(5.0)]

    def test_by_default_clients_of_one_key_and_host_share_one_budget(self) -> None:
        first, second = ShipStationV2Api(KEY), ShipStationV2Api(KEY)
        other_key = ShipStationV2Api(KEY + "-2")
        other_host = ShipStationV2Api(KEY, base_url="http://127.0.0.1:9")
        assert first.limiter is second.limiter
        assert first.limiter is not other_key.limiter
        assert first.limiter is not other_host.limiter
        assert first.limiter.rate == pytest.approx(200 / 60)
        assert not any(KEY in name for name in pacing._limiters)

    def test_requests_are_spaced_at_200_a_minute_by_default(
        self, router: respx.Router, make_api: Callable[..., ShipStationV2Api], fake_time
    ) -> None:
        api = make_api(rate=200 / 60)
        router.get(SHIPMENT).mock(return_value=OK)
        for _ in range(3):
            api.get_shipment("1001")
        assert len(fake_time.sleeps) == 2
        assert all(0.3 <= s <= 0.33 for s in fake_time.sleeps)  # 60/200 s, plus a 5% margin


class TestTransientFailures:
    def test_a_500_with_an_empty_body_is_retried_then_final_naming_no_request_id(
        self, router: respx.Router, api: ShipStationV2Api, fake_time
    ) -> None:
        route = router.get(SHIPMENT).respond(500, content=b"")
        error = fails_with(api, V2TransientError)
        assert isinstance(error, TransientError)
        assert "an empty answer (HTTP 500, no request_id in the answer)" in str(error)
        assert route.call_count == api.http.retry.attempts
        assert len(fake_time.sleeps) == api.http.retry.attempts - 1

    @pytest.mark.parametrize("status", [408, 500, 502, 503, 504])
    def test_408_and_5xx_are_retried_until_an_answer(
        self, router: respx.Router, api: ShipStationV2Api, status: int
    ) -> None:
        failed = httpx.Response(status, json=error_body("unknown", "oops", "req-5", "system"))
        route = router.get(SHIPMENT).mock(side_effect=[failed, failed, OK])
        assert api.get_shipment("1001").shipment_id == "se-1001"
        assert route.call_count == 3 and api.http.retried == 2

    def test_a_final_5xx_carries_its_request_id(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        router.get(SHIPMENT).respond(503, json=error_body("unknown", "maintenance", "req-503"))
        assert "request_id req-503" in str(fails_with(api, V2TransientError))

    @pytest.mark.parametrize(
        "answer",
        [
            httpx.Response(200, content=b""),
            httpx.Response(200, text="<html>maintenance</html>"),
            httpx.Response(200, text='{"shipment_id": "se-1001", "shipm'),
            httpx.Response(200, text="null garbage"),
        ],
        ids=["empty", "html", "truncated", "not-json"],
    )
    def test_an_unreadable_200_is_retried(
        self, router: respx.Router, api: ShipStationV2Api, answer: httpx.Response
    ) -> None:
        route = router.get(SHIPMENT).mock(side_effect=[answer, OK])
        assert api.get_shipment("1001").shipment_id == "se-1001"
        assert route.call_count == 2

    def test_an_unreadable_200_every_time_is_a_malformed_answer(
        self, router: respx.Router, api: ShipStationV2Api
    ) -> None:
        router.get(SHIPMENT).respond(200, text="<html>maintenance</html>")
        error = fails_with(api, MalformedAnswer)
        assert "not JSON" in str(error) and "maintenance" in error.excerpt
        assert "GET /v2/shipments/se-1001" in str(error)

    @pytest.mark.parametrize(
        ("exc", "kind"),
        [
            (httpx.ConnectError("refused"), Unreachable),
            (httpx.ConnectTimeout("slow"), Unreachable),
            (httpx.ReadTimeout("slow"), ConnectionLost),
            (httpx.RemoteProtocolError("dropped"), ConnectionLost),
        ],
    )
    def test_transport_failures_are_domain_errors_retried_for_a_read(
        self, router: respx.Router, api: ShipStationV2Api, exc: Exception, kind: type[Exception]
    ) -> None:
        route = router.get(SHIPMENT).mock(side_effect=exc)
        error = fails_with(api, kind)
        assert "ShipStation V2" in str(error) and "api.shipstation.com" in str(error)
        assert route.call_count == api.http.retry.attempts

    def test_a_bad_base_url_is_refused_before_anything_is_sent(self) -> None:
        with pytest.raises(ConfigError, match="not http"):
            ShipStationV2Api(KEY, base_url="ftp://api.shipstation.com")
        with pytest.raises(ConfigError, match="no V2 API key"):
            ShipStationV2Api(" ")
