"""`temuship disconnect`, `temuship carriers` and `temuship forget-credentials`."""

from __future__ import annotations

import typer

from domain.ports import Services
from domain.usecases.shops import (
    Mistake,
    Refused,
    carrier_table,
    disconnect,
    known_shops,
    map_carriers,
)
from flows.cli.keys import require_key
from flows.cli.output import command, dump, err, line, out, problem, say, show, table
from flows.wording import plural


def do_disconnect(services: Services, name: str, delete_orders: bool, yes: bool) -> int:
    known_shops(services, [name])  # an unknown shop: Mistake, exit 2, before asking
    require_key(services)
    what = (
        "its orders and their history"
        if delete_orders
        else "nothing else: its orders and history stay"
    )
    if not yes and not typer.confirm(
        f"Remove shop {name} and its stored credentials ({what})?", default=False
    ):
        err.print("Nothing was removed.")
        return 1
    _unsubscribe(services, name)
    try:
        disconnect(services, name, delete_orders)
    except Mistake as mistake:
        problem(str(mistake))
        return 2
    kept = (
        "its orders and history were deleted"
        if delete_orders
        else "its orders and history are kept"
    )
    out.print(f"Removed shop {name} and its credentials; {kept}.")
    return 0


def _unsubscribe(services: Services, name: str) -> None:
    """The shop's webhook at ShipStation goes before the shop does (temuship serve)."""
    from flows.serve.subscriptions import Subscriptions

    with services.uow() as uow:
        shop = uow.shops.get(name)
    if shop is None:
        return
    try:
        if Subscriptions(services, None).remove(shop):
            out.print(f"Removed the webhook of shop {name} at ShipStation.")
    except Exception as error:  # the shop still goes; the person removes the webhook by hand
        problem(f"could not remove the webhook of shop {name} at ShipStation ({error}): remove "
                "it in ShipStation (Settings > Integrations > Webhooks)")  # fmt: skip


def do_carriers(
    services: Services, name: str, maps: list[str], unmaps: list[str], as_json: bool
) -> int:
    overrides = {}
    for item in maps:
        code, _, carrier = item.partition("=")
        if not code.strip() or not carrier.strip().isdigit():
            problem(f"--map takes CODE=TEMU_CARRIER_ID, not {item!r}")
            return 2
        overrides[code.strip()] = int(carrier)
    known_shops(services, [name])
    require_key(services)
    try:
        map_carriers(services, name, overrides, [code.strip() for code in unmaps])
        rows = carrier_table(services, name)
    except Refused as refusal:
        problem(str(refusal))
        return 2 if isinstance(refusal, Mistake) else 1
    if as_json:
        dump(rows)
        return 0
    grid = table("ShipStation carrier", "Temu carrier id", "Temu name", "how")
    for row in rows:
        grid.add_row(*(str(row[k] or "") for k in ("shipstation", "temu_id", "temu_name", "how")))
    show(grid)
    if any(row["how"] == "unmapped" for row in rows):
        say("A label of an unmapped carrier waits: its confirmation goes once the carrier is "
            "mapped. Map one with:")  # fmt: skip
        line(f"  {command()} carriers {name} --map CODE=TEMU_CARRIER_ID")
    return 0


KEY_OPENS = "the secret key opens this database's credentials: use `temuship rotate-key`"


def do_forget_credentials(services: Services, name: str, yes: bool) -> int:
    """Delete one shop's stored credentials that the current key cannot open (a lost key):
    its cursors, orders, history and token state stay; it is paused until `connect --replace`."""
    from adapters.db.repos.shops import SqlShopRepository

    known_shops(services, [name])  # an unknown shop: Mistake, exit 2
    with services.uow() as uow:
        shops = uow.shops
        if not isinstance(shops, SqlShopRepository):
            problem("forget-credentials works on temuship's SQL database only")
            return 1
        if not shops.has_credentials(name):
            out.print(f"Shop {name} has no stored credentials: give it new ones with "
                      f"`temuship connect {name} --replace ...`.")  # fmt: skip
            return 0
        if shops.key_opens(name):
            problem(KEY_OPENS)
            return 1
    if not yes and not typer.confirm(
        f"Delete the stored credentials of shop {name}, which the current key cannot open? "
        "Its orders, cursors, history and token state are kept; it stays paused until "
        f"`temuship connect {name} --replace ...`",
        default=False,
    ):
        err.print("Nothing was deleted.")
        return 1
    reason = (
        "its stored credentials were deleted (the secret key that opened them is lost): run "
        f"`temuship connect {name} --replace ...` to give it new ones"
    )
    with services.uow() as uow:
        left = uow.shops.forget_credentials(name, reason)  # type: ignore[attr-defined]
        uow.commit()
    out.print(f"Deleted the stored credentials of shop {name}; its orders, cursors, history and "
              f"token state are kept, and it is paused. Next: {command()} connect {name} --replace "
              "...", highlight=False, soft_wrap=True)  # fmt: skip
    if left:
        holds = "holds" if left == 1 else "hold"
        out.print(f"{plural(left, 'other shop')} still {holds} credentials under the lost key: "
                  f"forget theirs too (`{command()} forget-credentials NAME`) before connecting "
                  "again; a "
                  "database keeps its credentials under one key.", highlight=False,
                  soft_wrap=True)  # fmt: skip
    return 0
