"""The account's reference data on V2: warehouses, carriers and their services (§7)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from adapters.sandbox.shipstation.v2.errors import not_found
from adapters.sandbox.shipstation.v2.wire import iso, se, se_number

Row = dict[str, Any]
# Services per V1 carrier code: (service_code, name, domestic, international).
SERVICES = {
    "stamps_com": (("usps_ground_advantage", "USPS Ground Advantage", True, False),
                   ("usps_priority_mail", "USPS Priority Mail", True, False),
                   ("usps_priority_mail_international", "USPS Priority Mail Intl", False, True)),
    "ups": (("ups_ground", "UPS Ground", True, False),
            ("ups_2nd_day_air", "UPS 2nd Day Air", True, False),
            ("ups_worldwide_saver", "UPS Worldwide Saver", False, True)),
    "fedex": (("fedex_ground", "FedEx Ground", True, False),
              ("fedex_2day", "FedEx 2Day", True, False),
              ("fedex_international_economy", "FedEx International Economy", False, True)),
    "dhl_express": (("dhl_express_worldwide", "DHL Express Worldwide", False, True),),
}  # fmt: skip
WAREHOUSES = (
    (260001, "Main warehouse", True, "Austin", "TX", "78701", "500 Congress Ave"),
    (260002, "Overflow warehouse", False, "Reno", "NV", "89502", "1200 Mill St"),
)


class Catalog:
    """Warehouses and carriers of the simulated account, in V2's shapes."""

    def __init__(self, carriers: Sequence[tuple[int, str, str]], created: datetime) -> None:
        """`carriers`: (V1 shippingProviderId, code, name) of V1 `GET /carriers`."""
        self.carriers = [
            {"carrier_id": se(pid), "carrier_code": code, "friendly_name": name}
            for pid, code, name in carriers
        ]
        self.warehouses = [_warehouse(w, created) for w in WAREHOUSES]

    def carrier_id(self, code: str | None) -> str | None:
        return next((c["carrier_id"] for c in self.carriers if c["carrier_code"] == code), None)

    def carrier_code(self, carrier_id: str | None) -> str | None:
        return next((c["carrier_code"] for c in self.carriers
                     if c["carrier_id"] == carrier_id), None)  # fmt: skip

    def warehouse(self, warehouse_id: Any) -> Row | None:
        return next((w for w in self.warehouses if w["warehouse_id"] == warehouse_id), None)

    def one_warehouse(self, warehouse_id: str) -> Row:
        found = self.warehouse(warehouse_id)
        if found is None:
            raise not_found("warehouse_id", warehouse_id)
        return found

    def one_carrier(self, carrier_id: str) -> Row:
        found = next((c for c in self.carriers if c["carrier_id"] == carrier_id), None)
        if found is None:
            raise not_found("carrier_id", carrier_id)
        return self._carrier(found)

    def warehouse_list(self) -> Row:
        return {"warehouses": self.warehouses}

    def carrier_list(self) -> Row:
        return {"carriers": [self._carrier(c) for c in self.carriers]}

    def services(self, carrier_id: str) -> Row:
        carrier = next((c for c in self.carriers if c["carrier_id"] == carrier_id), None)
        if carrier is None:
            raise not_found("carrier_id", carrier_id)
        return {"services": self._services(carrier)}

    def _carrier(self, carrier: Row) -> Row:
        code = carrier["carrier_code"]
        return {
            **carrier, "nickname": carrier["friendly_name"], "account_number": None,
            "requires_funded_amount": code == "stamps_com", "balance": 100.0,
            "primary": code == "stamps_com", "has_multi_package_supporting_services": True,
            "supports_label_messages": True, "disabled_by_billing_plan": False,
            "funding_source_id": None, "services": self._services(carrier),
            "packages": [{"package_id": None, "package_code": "package", "name": "Package",
                          "description": "Package", "dimensions": None}],
            "options": [],
        }  # fmt: skip

    @staticmethod
    def _services(carrier: Row) -> list[Row]:
        return [
            {"carrier_id": carrier["carrier_id"], "carrier_code": carrier["carrier_code"],
             "service_code": code, "name": name, "domestic": domestic,
             "international": international, "is_multi_package_supported": True}
            for code, name, domestic, international in SERVICES.get(carrier["carrier_code"], ())
        ]  # fmt: skip


def warehouse_number(warehouse_id: Any) -> int | None:
    return se_number(warehouse_id)


def _warehouse(row: tuple[int, str, bool, str, str, str, str], created: datetime) -> Row:
    number, name, default, city, state, postal, street = row
    address = {
        "name": name, "phone": "5125550100", "email": None, "company_name": "Temu seller",
        "address_line1": street, "address_line2": None, "address_line3": None,
        "city_locality": city, "state_province": state, "postal_code": postal,
        "country_code": "US", "address_residential_indicator": "no", "instructions": None,
    }  # fmt: skip
    return {"warehouse_id": se(number), "is_default": default, "name": name,
            "created_at": iso(created), "origin_address": address,
            "return_address": dict(address)}  # fmt: skip
