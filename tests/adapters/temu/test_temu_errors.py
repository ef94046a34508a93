"""Temu answers become domain errors by code; secrets never reach a message or a repr."""

from __future__ import annotations

import httpx
import pytest
from temu_support import SECRET, TOKEN, fail, ok

from domain.errors import (
    BusinessError,
    ConfigError,
    PermissionMissing,
    RateLimited,
    TokenExpired,
    TokenRevoked,
    TransientError,
)

EXPIRED_MSG = "access_token is expired or have been refreshed, please contact seller"


class TestTokenErrors:
    def test_3000034_is_token_expired(self, client, router) -> None:
        router.mock(return_value=fail(3000034, EXPIRED_MSG))
        with pytest.raises(TokenExpired) as caught:
            client.token_info()
        assert caught.value.code == 3000034

    def test_http_401_saying_expired_is_token_expired(self, client, router) -> None:
        router.mock(
            return_value=httpx.Response(401, text="access token is expired, please refresh it")
        )
        with pytest.raises(TokenExpired):
            client.warehouses()

    def test_http_401_with_json_body_saying_expired_is_token_expired(self, client, router) -> None:
        router.mock(
            return_value=httpx.Response(
                401, json={"errorCode": 3000034, "errorMsg": "Access Token is EXPIRED"}
            )
        )
        with pytest.raises(TokenExpired):
            client.warehouses()

    @pytest.mark.parametrize("code", [3000031, 3000033])
    def test_unknown_or_unmapped_token_is_revoked(self, client, router, code: int) -> None:
        router.mock(return_value=fail(code))
        with pytest.raises(TokenRevoked):
            client.token_info()

    @pytest.mark.parametrize("status", [401, 403])
    def test_other_http_401_or_403_is_revoked(self, client, router, status: int) -> None:
        router.mock(return_value=httpx.Response(status, text="forbidden"))
        with pytest.raises(TokenRevoked):
            client.token_info()

    def test_an_expired_token_is_not_retried(self, client, router, sleeps) -> None:
        router.mock(return_value=fail(3000034, EXPIRED_MSG))
        with pytest.raises(TokenExpired):
            client.token_info()
        assert router.call_count == 1 and sleeps == []


class TestOtherCodes:
    def test_3000032_names_the_api_type(self, client, router) -> None:
        router.mock(return_value=fail(3000032, "access_token don't have this api access"))
        with pytest.raises(PermissionMissing) as caught:
            client.amounts("PO-211-1")
        assert caught.value.api_type == "bg.order.amount.query"
        assert "bg.order.amount.query" in str(caught.value)

    @pytest.mark.parametrize(
        "code", [3000001, 3000019, 3000022, 3000026, 3000028, 5000000, 5000003, 120011072]
    )
    def test_signature_and_configuration_codes_are_config_errors(
        self, client, router, code
    ) -> None:
        router.mock(return_value=fail(code))
        with pytest.raises(ConfigError) as caught:
            client.warehouses()
        assert caught.value.code == code and router.call_count == 1

    def test_nine_digit_codes_are_business_errors_keeping_code_and_message(
        self, client, router
    ) -> None:
        router.mock(return_value=fail(120014004, "Tracking number has been used"))
        with pytest.raises(BusinessError) as caught:
            client.shipments("PO-211-1", "211-1")
        assert (caught.value.code, caught.value.message) == (
            120014004,
            "Tracking number has been used",
        )
        assert router.call_count == 1

    def test_a_wrong_base_url_is_a_config_error(self, client, router) -> None:
        router.mock(return_value=httpx.Response(404, text="not found"))
        with pytest.raises(ConfigError):
            client.warehouses()


class TestSecretsStayOut:
    def test_token_and_secret_are_scrubbed_from_messages(self, client, router) -> None:
        router.mock(return_value=fail(3000031, f"access_token {TOKEN}-{SECRET} not exists."))
        with pytest.raises(TokenRevoked) as caught:
            client.token_info()
        assert TOKEN not in str(caught.value) and SECRET not in str(caught.value)

    def test_reprs_do_not_show_secrets(self, client, credentials) -> None:
        for text in (repr(client), repr(client.transport), repr(credentials), str(credentials)):
            assert TOKEN not in text and SECRET not in text

    def test_failed_calls_log_no_secret(self, client, router, caplog) -> None:
        caplog.set_level("DEBUG")
        router.mock(side_effect=[fail(4000000), ok([])])
        client.carriers(211)
        assert caplog.records and TOKEN not in caplog.text and SECRET not in caplog.text


class TestRetries:
    @pytest.mark.parametrize(
        "failure",
        [
            fail(2000000),
            fail(4000000),
            httpx.Response(502, text="bad gateway"),
            httpx.Response(200, text='{"success": tr'),
            httpx.ConnectError("reset"),
            httpx.ReadTimeout("slow"),
            httpx.RemoteProtocolError("peer closed connection"),
        ],
    )
    def test_transient_failures_are_retried(self, client, router, sleeps, failure) -> None:
        router.mock(side_effect=[failure, ok([{"logisticsServiceProviderId": 1}])])
        assert [c.carrier_id for c in client.carriers(211)] == [1]
        assert router.call_count == 2 and len(sleeps) == 1

    def test_backoff_grows_exponentially_and_attempts_are_bounded(
        self, client, router, sleeps
    ) -> None:
        router.mock(return_value=httpx.Response(503))
        with pytest.raises(TransientError):
            client.warehouses()
        assert router.call_count == 5
        assert sleeps == [0.5, 1.0, 2.0, 4.0]

    def test_rate_limited_waits_at_least_the_retry_after(self, client, router, sleeps) -> None:
        router.mock(side_effect=[fail(4000004, "RATE_LIMIT_EXCEED_EXCEPTION"), ok([])])
        client.carriers(211)
        assert sleeps[0] == 1.0  # then the shared limiter holds every caller off as long

    def test_http_429_honours_retry_after(self, client, router, sleeps) -> None:
        router.mock(side_effect=[httpx.Response(429, headers={"Retry-After": "3"}), ok([])])
        client.carriers(211)
        assert sleeps[0] == 3.0

    def test_rate_limited_to_the_end_raises_rate_limited(self, client, router) -> None:
        router.mock(return_value=fail(4000004))
        with pytest.raises(RateLimited):
            client.warehouses()

    def test_every_attempt_is_signed_afresh(self, client, router) -> None:
        router.mock(side_effect=[httpx.Response(500), ok([])])
        client.carriers(211)
        assert all(c.request.content.endswith(b'"}') for c in router.calls)
        assert router.calls[0].request.content == router.calls[1].request.content
