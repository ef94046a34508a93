"""Generated Temu orders with realistic variety, deterministic for a given seed."""

from __future__ import annotations

import random
from typing import Any

from adapters.sandbox.temu.model import SandboxLine, SandboxOrder

DAY = 86_400
HOUR = 3_600
OPEN_STATUSES = frozenset({1, 2, 41, 51})
# An open order's ship-by time, in hours from now: (weight, earliest, latest). A few are late,
# a few due within the day, most later, as in a shop that keeps up with its orders.
SHIP_BY_SPREAD = ((6, -36, -1), (10, 1, 24), (84, 24, 120))
# (parent status, weight): mostly awaiting shipment, every other status present.
STATUSES = ((2, 50), (1, 8), (3, 8), (4, 15), (5, 9), (41, 5), (51, 5))
GOODS = (
    ("Stainless Steel Water Bottle 500ml", "Color: Blue", "WB-500-BLU", 1299),
    ("Wireless Earbuds Pro", "Color: Black", "EB-PRO-BLK", 2599),
    ("Cotton T-Shirt", "Color: White, Size: M", "TS-WHT-M", 899),
    ("Crème Brûlée Torch — Kitchen Édition", "Style: Classic", "TORCH-CL", 1850),
    ("LED Desk Lamp", "Warm white", "LAMP-WW", 2199),
    ("Yoga Mat 6mm", "Color: Purple", "YM-6-PUR", 1599),
    ("手机壳 Phone Case", "Model: 15 Pro", "PC-15P", 499),
)
NAMES = (
    "Jane Doe", "José Müller", "Zoë Ørsted", "李雷", "Renée Dubois", "Łukasz Żółć",
    "Siobhán O'Connor", "Ahmed Al-Farsi", "Mary-Kate Smith", "Nguyễn Văn An",
)  # fmt: skip
STREETS = (
    "100 River Road",
    "221B Baker Street",
    "12345 Extraordinarily Long Boulevard Name That Keeps Going Northeast, Building C",
    "1600 Amphitheatre Pkwy",
    "8 Rue de l'Église",
)
CITIES = (("Jersey City", "NJ", "07310"), ("Austin", "TX", "73301"), ("Seattle", "WA", "98101"))
WAREHOUSE = "WH-04024228864152414"


def generate(count: int, seed: int, now: int, start_index: int = 0) -> list[SandboxOrder]:
    """`count` orders created within the last 30 days, all updated no later than `now`."""
    rng = random.Random(seed)
    return [make_order(rng, now, start_index + index) for index in range(count)]


def make_order(rng: random.Random, now: int, index: int) -> SandboxOrder:
    status = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]
    created = now - rng.randint(DAY // 2, 30 * DAY)
    updated = min(now, created + rng.randint(60, 3 * DAY))
    sn = f"PO-211-{index:06d}{rng.randint(10**10, 10**11 - 1)}"
    lines = [make_line(rng, sn, n) for n in range(rng.choice((1, 1, 1, 2, 2, 3, 4)))]
    set_line_statuses(rng, lines, status)
    method = rng.choices((1, 2, 3), (90, 5, 5))[0]
    order = SandboxOrder(sn, status, created, updated, lines, ship_by=created + 2 * DAY,
                         deliver_by=created + 8 * DAY, shipping_method=method,
                         shipping_amount=rng.choice((0, 0, 499, 799)))  # fmt: skip
    if method == 3:
        order.warnings.append("REQUIRES_CUSTOMER_PICKUP")
    if rng.random() < 0.1:
        order.warnings.append("SUGGEST_SIGNATURE_ON_DELIVERY")
    if status == 2 and rng.random() < 0.03:
        order.labels.add("pending_buyer_cancellation")
    if status in OPEN_STATUSES:
        place_ship_by(order, now)
    if status in (4, 5, 41, 51):
        order.shipped_at = min(now, order.created_at + DAY)
    # About one awaiting order in ten has no address yet (it arrives later).
    order.address = None if status == 2 and rng.random() < 0.1 else make_address(rng, method)
    return order


def place_ship_by(order: SandboxOrder, now: int) -> None:
    """An open order's ship-by time around `now` (SHIP_BY_SPREAD), its creation two to three
    days before it (and before now), its other times moved with it. Drawn from the order's own
    number, so the seed's other draws, and the orders they make, stay as they were."""
    timing = random.Random(order.parent_order_sn)
    _, earliest, latest = timing.choices(SHIP_BY_SPREAD, [w for w, _, _ in SHIP_BY_SPREAD])[0]
    ship_by = now + timing.randint(earliest * HOUR, latest * HOUR)
    created = min(ship_by - timing.randint(2 * DAY, 3 * DAY), now - timing.randint(600, DAY // 2))
    moved = created - order.created_at
    order.created_at, order.ship_by, order.deliver_by = created, ship_by, ship_by + 6 * DAY
    order.updated_at = max(created, min(now, order.updated_at + moved))


def make_line(rng: random.Random, parent_sn: str, n: int) -> SandboxLine:
    name, spec, ext_code, price = rng.choice(GOODS)
    digits = parent_sn.split("-")[2]
    return SandboxLine(
        order_sn=f"211-{digits[:-1]}{n}",
        goods_id=600_000_000_000_000 + rng.randint(0, 10**12),
        sku_id=17_000_000_000_000 + rng.randint(0, 10**12),
        goods_name=name,
        spec=spec,
        ext_code=ext_code,
        quantity=rng.choice((1, 1, 1, 2, 3)),
        status=2,
        unit_price=price,
        warehouse_id=WAREHOUSE,
        thumb_url=f"https://img.kwcdn.com/product/{ext_code.lower()}.jpg",
    )


def set_line_statuses(rng: random.Random, lines: list[SandboxLine], status: int) -> None:
    partial = {41: 4, 51: 5}
    for line in lines:
        line.status = status if status not in partial else 2
    if status in partial:
        # A partial parent: at least one line done, at least one still awaiting shipment.
        if len(lines) == 1:
            lines.append(make_line(rng, "PO-211-" + lines[0].order_sn.split("-")[1], 9))
        lines[0].status = partial[status]


def make_address(rng: random.Random, method: int) -> dict[str, Any]:
    name = rng.choice(NAMES)
    city, state, post = rng.choice(CITIES)
    first, _, last = name.partition(" ")
    address: dict[str, Any] = {
        "receiptName": name,
        "addressExtra": {"firstName": first, "lastName": last or None,
                         "contactlessDropPoint": "Front desk locker 12" if method == 2 else None},
        "mobile": f"1201555{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
        "mail": f"{rng.getrandbits(40):010x}@g.shipping.temuemail.com",
        "regionName1": "United States", "regionName2": state, "regionName3": city,
        "addressLine1": rng.choice(STREETS),
        "addressLine2": rng.choice((None, "Apt 2601", "Unit 5")),
        "postCode": post,
    }  # fmt: skip
    # The rest of temu.md §5's fields, without touching the generator (seeds stay stable).
    address.update(receiptAdditionalName=None, backupMobile=None, regionName4=None,
                   addressLine3=None, taxCode=None, taxCodeType=None)  # fmt: skip
    address["addressExtra"].update(additionalFirstName=None, additionalLastName=None)
    lines = (address["addressLine1"], address["addressLine2"])
    address["addressLineAll"] = " ".join(line for line in lines if line)
    return address
