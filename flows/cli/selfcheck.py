"""`temuship check NAME [--probe-write]` on a ShipStation V2 shop: besides the usual lines, what
the account answers on each point the V2 reference leaves open (adapters/shipstation/v2/
selfcheck.py reads; probing.py writes one test shipment and cancels it)."""

from __future__ import annotations

from domain.ports import Services
from domain.shop import ShipStationApi
from domain.usecases.shops import CheckLine, Mistake

PROBE_V1 = (
    "--probe-write is for ShipStation V2 shops: {name} speaks {api}, which upserts by orderKey "
    "and has nothing left open to probe; run `temuship check {name}` without it"
)


def refuse_probe_on_v1(services: Services, name: str) -> None:
    """--probe-write on a V1 shop: refused (exit 2) before anything is asked or written."""
    with services.uow() as uow:
        shop = uow.shops.get(name, decrypt=False)
    if shop is not None and shop.shipstation.api is not ShipStationApi.V2:
        raise Mistake(PROBE_V1.format(name=name, api=shop.shipstation.api.label))


def v2_lines(services: Services, name: str, probe_write: bool) -> list[CheckLine]:
    """The V2 self-check's lines for a V2 shop (none for a V1 shop); with `probe_write`, the
    test shipment's too."""
    from adapters.shipstation.v2.api import ShipStationV2Api
    from adapters.shipstation.v2.selfcheck import probe_write as probe
    from adapters.shipstation.v2.selfcheck import read_checks

    with services.uow() as uow:
        shop = uow.shops.get(name)
    if shop is None or shop.shipstation.api is not ShipStationApi.V2:
        return []
    api = getattr(services.shipstation_for(shop), "api", None)
    if not isinstance(api, ShipStationV2Api):
        return [CheckLine(False, "V2 self-check", "this shop's ShipStation client is not the V2 "
                          "API client: nothing to probe")]  # fmt: skip
    ss = shop.shipstation
    findings = read_checks(api, ss.warehouse_id, ss.store_id)
    lines = [CheckLine(f.ok, f.item, f.detail) for f in findings]
    if not probe_write:
        return lines
    if not findings[0].ok:  # the key was refused
        return [*lines, CheckLine(False, "probe", "not run: ShipStation refused the key")]
    made = probe(api, ss.warehouse_id, ss.store_id, services.clock.now().date())
    return lines + [CheckLine(f.ok, f.item, f.detail) for f in made]
