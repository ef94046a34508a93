"""The sandboxes' injected faults as the real clients meet them (see conftest.py): each kind is
an answer the adapter classifies (a transient one is retried, then the call succeeds), never
an exception of its own; a burst longer than the client's attempts fails that call with a
domain error; a fault for one path leaves the others alone."""

from __future__ import annotations

import pytest

from adapters.sandbox.shipstation.limits import Faults
from adapters.sandbox.temu.model import FAULT_KINDS
from adapters.shipstation import ShipStationClient
from adapters.temu import TemuClient
from domain.errors import TemushipError, TransientError

# A dropped connection needs a socket: in process the ASGI bridge has no connection to drop.
SS_KINDS = sorted(Faults.KINDS - {"slow"})
TEMU_KINDS = sorted(FAULT_KINDS - {"slow"})


def served_only(kind: str, transport: str) -> None:
    if kind == "drop" and transport != "served":
        pytest.skip("a dropped connection needs a socket")


class TestShipStationFaults:
    def test_every_kind_of_fault_is_covered_here(self) -> None:
        assert {*SS_KINDS, "slow"} == {"error", "slow", "drop", "malformed", "html", "empty"}

    @pytest.mark.parametrize("kind", SS_KINDS)
    def test_two_faults_then_the_answer(
        self, kind: str, transport: str, shipstation, ss_client: ShipStationClient
    ) -> None:
        served_only(kind, transport)
        shipstation.inject_fault(kind, count=2)
        assert [s.store_id for s in ss_client.stores()] == [123456]
        assert shipstation.counters.calls["GET /stores"] == 3
        assert shipstation.faults.pending() == 0

    @pytest.mark.parametrize("kind", ["error", "malformed", "html", "empty"])
    def test_a_burst_longer_than_the_attempts_fails_that_call_with_a_domain_error(
        self, kind: str, shipstation, ss_client: ShipStationClient
    ) -> None:
        shipstation.inject_fault(kind, count=4)
        with pytest.raises(TemushipError) as caught:
            ss_client.stores()
        assert isinstance(caught.value, TransientError), repr(caught.value)
        assert shipstation.counters.calls["GET /stores"] == 4
        assert [s.store_id for s in ss_client.stores()] == [123456]  # the next call is fine

    def test_a_fault_for_one_path_waits_for_that_path(
        self, shipstation, ss_client: ShipStationClient
    ) -> None:
        shipstation.inject_fault("malformed", count=1, path="/shipments")
        assert [s.store_id for s in ss_client.stores()] == [123456]
        assert shipstation.faults.pending() == 1
        assert ss_client.api.get("/shipments", {"pageSize": 1})["shipments"] == []
        assert shipstation.counters.calls["GET /shipments"] == 2
        assert shipstation.faults.pending() == 0


class TestTemuFaults:
    def test_every_kind_of_fault_is_covered_here(self) -> None:
        assert {*TEMU_KINDS, "slow"} == set(FAULT_KINDS)

    @pytest.mark.parametrize("kind", TEMU_KINDS)
    def test_two_faults_then_the_answer(
        self, kind: str, transport: str, temu, temu_client: TemuClient
    ) -> None:
        served_only(kind, transport)
        temu.inject(kind, 2)
        assert temu_client.warehouses()
        assert not temu.faults
        assert temu.requests["bg.logistics.warehouse.list.get"] == 1  # only the good one
        assert sum(temu.requests[f"fault:{kind}"] for kind in TEMU_KINDS) == 2

    @pytest.mark.parametrize("kind", ["5xx", "malformed", "html", "empty"])
    def test_a_burst_longer_than_the_attempts_fails_that_call_with_a_domain_error(
        self, kind: str, temu, temu_client: TemuClient
    ) -> None:
        temu.inject(kind, 5)
        with pytest.raises(TransientError):
            temu_client.warehouses()
        assert temu_client.warehouses()
