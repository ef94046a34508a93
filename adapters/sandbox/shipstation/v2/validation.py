"""What a V2 shipment must hold to be created or replaced (shipstation-v2.md §4.1, §4.3)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from adapters.sandbox.shipstation.v2.errors import V2Error
from adapters.sandbox.shipstation.v2.readings import Readings
from adapters.sandbox.shipstation.v2.reference import Catalog
from adapters.sandbox.shipstation.v2.wire import day_of, from_iso, se_number

Problem = tuple[str, str]  # (error_code, message)
MAX_ID = 50
MAX_CUSTOM_FIELD = 100
ADDRESS_REQUIRED = ("name", "address_line1", "city_locality", "state_province", "postal_code",
                    "country_code", "address_residential_indicator")  # fmt: skip
RESIDENTIAL = ("yes", "no", "unknown")
CREATE_STATUSES = ("pending", "processing", "label_purchased", "cancelled")
UNCONFIRMED_ON_CREATE = ("ship_by_date", "hold_until_date", "tags")
MONEY_FIELDS = ("amount_paid", "shipping_paid", "tax_paid")


class Checker:
    """Validates one shipment of a request; each problem is (error_code, message)."""

    def __init__(
        self, readings: Readings, catalog: Catalog, stores: Callable[[], Collection[int]]
    ) -> None:
        """`stores`: the account's store numbers now (a store can be added later)."""
        self.readings, self.catalog, self.stores = readings, catalog, stores

    def shipment(self, raw: Any, creating: bool) -> list[Problem]:
        if not isinstance(raw, dict):
            return [("invalid_object", "a shipment must be a JSON object")]
        problems = self._identity(raw, creating) + self._origin(raw)
        problems += self._address(raw.get("ship_to"), "ship_to", required=True)
        problems += self._items(raw.get("items"))
        problems += self._money(raw) + self._options(raw.get("advanced_options"))
        problems += self._dates(raw, creating)
        return problems

    def store_id(self, value: Any) -> int:
        """The store number a request names ("N" or "se-N"); V2Error when it is none."""
        if (
            isinstance(value, int)
            and not isinstance(value, bool)
            and not (self.readings.store_id_as_string)
        ):
            value = str(value)
        number = se_number(value, plain_too=True) if isinstance(value, str) else None
        if number is None or number not in self.stores():
            raise V2Error(400, "invalid_identifier", f"store_id {value!r} is not a store of this "
                          'account (send it as a string, "N" or "se-N")')  # fmt: skip
        return number

    def _identity(self, raw: dict[str, Any], creating: bool) -> list[Problem]:
        problems: list[Problem] = []
        for name in ("external_shipment_id", "shipment_number"):
            value = raw.get(name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                problems.append(("invalid_field_value", f"{name} must be a non-empty string"))
        number = raw.get("shipment_number")
        if isinstance(number, str) and len(number) > MAX_ID:
            problems.append(("invalid_string_length",
                             f"shipment_number is longer than {MAX_ID} characters"))  # fmt: skip
        status = raw.get("shipment_status")
        if creating and status is not None and status not in CREATE_STATUSES:
            problems.append(("invalid_field_value", f"shipment_status '{status}' cannot be "
                             f"set on create (one of {', '.join(CREATE_STATUSES)})"))  # fmt: skip
        if raw.get("store_id") is not None:
            try:
                self.store_id(raw["store_id"])
            except V2Error as err:
                problems.append((err.code, err.message))
        return problems

    def _origin(self, raw: dict[str, Any]) -> list[Problem]:
        warehouse, ship_from = raw.get("warehouse_id"), raw.get("ship_from")
        if warehouse is None and ship_from is None:
            return [("field_value_required", "warehouse_id or ship_from is required")]
        if warehouse is not None and self.catalog.warehouse(warehouse) is None:
            return [("invalid_identifier", f"warehouse_id '{warehouse}' is not a warehouse of "
                     "this account (GET /v2/warehouses)")]  # fmt: skip
        return self._address(ship_from, "ship_from", required=False)

    def _address(self, value: Any, where: str, required: bool) -> list[Problem]:
        if value is None:
            return [("field_value_required", f"{where} is required")] if required else []
        if not isinstance(value, dict):
            return [("invalid_object", f"{where} must be an address object")]
        needed = ADDRESS_REQUIRED + (("phone",) if self.readings.phone_required else ())
        problems = [("field_value_required", f"{where}.{name} is required")
                    for name in needed if value.get(name) in (None, "")]  # fmt: skip
        country = value.get("country_code")
        if country and not (isinstance(country, str) and len(country) == 2 and country.isalpha()):
            message = f"{where}.country_code '{country}' is not a 2-letter ISO code"
            problems.append(("invalid_field_value", message))
        flag = value.get("address_residential_indicator")
        if flag not in (None, "") and flag not in RESIDENTIAL:
            problems.append(("invalid_field_value", f"{where}.address_residential_indicator "
                             f"'{flag}' is not one of {', '.join(RESIDENTIAL)}"))  # fmt: skip
        return problems

    def _items(self, items: Any) -> list[Problem]:
        if items is None:
            return []
        if not isinstance(items, list):
            return [("invalid_field_value", "items must be a list")]
        return [p for i, item in enumerate(items) for p in _item_problems(item, f"items[{i}]")]

    def _money(self, raw: dict[str, Any]) -> list[Problem]:
        problems = []
        for name in MONEY_FIELDS:
            value = raw.get(name)
            if value is not None and not _is_money(value):
                problems.append(("invalid_field_value", f"{name} must be a money object "
                                 '{"currency": "usd", "amount": 1.5}'))  # fmt: skip
        return problems

    def _options(self, options: Any) -> list[Problem]:
        if options is None:
            return []
        if not isinstance(options, dict):
            return [("invalid_object", "advanced_options must be an object")]
        return [("invalid_string_length", f"advanced_options.{name} is longer than "
                 f"{MAX_CUSTOM_FIELD} characters")
                for name in ("custom_field1", "custom_field2", "custom_field3")
                if isinstance(options.get(name), str) and len(options[name]) > MAX_CUSTOM_FIELD
                ]  # fmt: skip

    def _dates(self, raw: dict[str, Any], creating: bool) -> list[Problem]:
        given = [name for name in UNCONFIRMED_ON_CREATE if raw.get(name) not in (None, [])]
        if creating and self.readings.refuse_unconfirmed_create_fields and given:
            return [("invalid_field_value", f"{name} cannot be set when a shipment is created "
                     "(use the hold or tag endpoints; ship_by_date is not accepted)")
                    for name in given]  # fmt: skip
        checks = (("ship_by_date", from_iso), ("hold_until_date", day_of))
        problems: list[Problem] = []
        for name, check in checks:
            try:
                if raw.get(name) is not None:
                    check(raw[name], name)
            except V2Error as err:
                problems.append((err.code, err.message))
        tags = raw.get("tags")
        if tags is not None and not (
            isinstance(tags, list)
            and all(isinstance(t, dict) and isinstance(t.get("name"), str) for t in tags)
        ):
            problems.append(("invalid_field_value", 'tags must be a list of {"name": "…"}'))
        return problems


def _item_problems(item: Any, where: str) -> list[Problem]:
    if not isinstance(item, dict):
        return [("invalid_object", f"{where} must be an object")]
    problems: list[Problem] = []
    quantity = item.get("quantity")
    if not (isinstance(quantity, int) and not isinstance(quantity, bool) and quantity > 0):
        message = f"{where}.quantity must be a whole number above 0, not {quantity!r}"
        problems.append(("invalid_field_value", message))
    for name in ("unit_price", "tax_amount", "shipping_amount"):
        value = item.get(name)
        if value is not None and not (_is_number(value) and value >= 0):
            problems.append(("invalid_field_value", f"{where}.{name} must be a number ≥ 0"))
    key = item.get("external_order_item_id")
    if key is not None and not isinstance(key, str):
        problems.append(("invalid_field_value", f"{where}.external_order_item_id must be a string"))
    options = item.get("options")
    if options is not None and not (
        isinstance(options, list)
        and all(isinstance(o, dict) and "name" in o and "value" in o for o in options)
    ):
        problems.append(("invalid_field_value",
                         f'{where}.options must be a list of {{"name", "value"}}'))  # fmt: skip
    return problems


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_money(value: Any) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("currency"), str)
            and _is_number(value.get("amount")))  # fmt: skip
