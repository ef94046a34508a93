"""ShipStation accounts: the shops that share one ShipStation API key and base URL, and so one
request budget. Fifty shops on one account cost one label check, not fifty."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from domain.ports import Services
from domain.secrets import mask
from domain.shop import ShipStationApi, Shop
from domain.words import plural

V1_BASE_URL = "https://ssapi.shipstation.com"
V2_BASE_URL = "https://api.shipstation.com"
PER_MINUTE = {"v1": 40, "v2": 200}  # each API's documented request budget per key
API_SETTING = "shipstation_api"  # a shop's settings say "v2" once it is moved to V2


@dataclass(frozen=True)
class Account:
    """One ShipStation account as temuship uses it: its id (a hash, never the key), its API,
    base URL and the shops on it, sorted."""

    account_id: str
    api: str
    base_url: str
    shop_ids: tuple[str, ...]
    key_hint: str

    @property
    def per_minute(self) -> int:
        return PER_MINUTE[self.api]

    def __str__(self) -> str:
        shops = len(self.shop_ids)
        return f"ShipStation {self.api.upper()} account {self.key_hint} ({plural(shops, 'shop')})"


def shipstation_api(shop: Shop) -> str:
    """Which ShipStation API the shop uses: "v2" when its credentials (or settings) say so."""
    if shop.shipstation.api is ShipStationApi.V2 or shop.settings.get(API_SETTING) == "v2":
        return "v2"
    return "v1"


def base_url(shop: Shop) -> str:
    default = V2_BASE_URL if shipstation_api(shop) == "v2" else V1_BASE_URL
    return (shop.shipstation.base_url or default).rstrip("/")


def account_id(api: str, url: str, api_key: str) -> str:
    material = f"temuship-account|{api}|{url}|{api_key}".encode()
    return hashlib.sha256(material).hexdigest()[:16]


def account_of(shop: Shop) -> str:
    """The shop's account id: from V1's key (stored in clear), or V2's key, which is the
    secret (its stored hint, the last four characters, would join two accounts into one)."""
    api = shipstation_api(shop)
    key = shop.shipstation.api_key
    if shop.shipstation.api is ShipStationApi.V2:
        key = shop.shipstation.api_secret.reveal()
    return account_id(api, base_url(shop), key)


def group(shops: list[Shop]) -> list[Account]:
    """The accounts of these shops, each with its shops; in the order of their first shop."""
    found: dict[str, tuple[Shop, list[str]]] = {}
    for shop in shops:
        found.setdefault(account_of(shop), (shop, []))[1].append(shop.shop_id)
    return [
        Account(key, shipstation_api(first), base_url(first), tuple(sorted(ids)),
                mask(first.shipstation.api_key))
        for key, (first, ids) in found.items()
    ]  # fmt: skip


def accounts(services: Services) -> list[Account]:
    """Every connected shop's account (V1's keys are stored in clear; a V2 key, the secret,
    is decrypted to tell two accounts apart)."""
    with services.uow() as uow:
        shops = uow.shops.list()
    return group([shop for shop in shops if shop.shipstation.api_key])  # none: forgotten
