"""Auth, faults and account calls against the simulated ShipStation over HTTP."""

from __future__ import annotations

import pytest

from adapters.sandbox.shipstation.app import ShipStationSandbox
from adapters.shipstation import ShipStationClient
from domain.errors import AuthenticationFailed


def test_a_wrong_secret_is_refused_with_401(make_client, sandbox: ShipStationSandbox) -> None:
    client = make_client(secret="not-the-secret")
    with pytest.raises(AuthenticationFailed, match="ShipStation rejected the API key"):
        client.stores()
    assert sandbox.counters.unauthorized == 1


def test_stores_and_carriers_validate_a_connection(client: ShipStationClient) -> None:
    assert [s.store_id for s in client.stores()] == [123456]
    assert {"stamps_com", "ups", "fedex", "dhl_express"} <= {c.code for c in client.carriers()}


def test_rate_headers_come_with_every_answer(client: ShipStationClient) -> None:
    client.stores()
    client.carriers()
    assert client.pacer.state.remaining == 38 and client.pacer.state.limit == 40


@pytest.mark.parametrize("kind", ["error", "drop"])
def test_server_errors_and_dropped_connections_are_retried(
    kind: str, client: ShipStationClient, sandbox: ShipStationSandbox
) -> None:
    sandbox.inject_fault(kind, count=2)
    assert len(client.stores()) == 1
    assert sandbox.counters.calls["GET /stores"] == 3


def test_a_slow_answer_times_out_and_is_retried(make_client, sandbox: ShipStationSandbox) -> None:
    client = make_client(timeout=0.2)
    sandbox.inject_fault("slow", count=1, delay=1.0)
    assert len(client.carriers()) == 4
    assert sandbox.counters.calls["GET /carriers"] == 2
