"""The options of `temuship connect`, as types (their help reads as a sentence at any width)."""

from __future__ import annotations

from typing import Annotated

import typer

AppKey = Annotated[
    str | None,
    typer.Option(help="The Temu app's key (left out with --replace, Temu stays as it is)."),
]
AppSecret = Annotated[
    str | None, typer.Option(help="The Temu app secret.", envvar="TEMU_APP_SECRET")
]
AccessToken = Annotated[
    str | None, typer.Option(help="The shop's Temu access token.", envvar="TEMU_ACCESS_TOKEN")
]
ShipStationKey = Annotated[
    str | None,
    typer.Option(help="The ShipStation API key, V1 or V2.", envvar="SHIPSTATION_API_KEY"),
]
ShipStationSecret = Annotated[
    str | None,
    typer.Option(help="The ShipStation V1 API secret.", envvar="SHIPSTATION_API_SECRET"),
]
ShipStationApiOpt = Annotated[
    str | None,
    typer.Option(
        help="Which ShipStation API: v1 or v2 (by default v1 with a secret).", metavar="API"
    ),
]
RegionOpt = Annotated[str, typer.Option(help="The Temu region: us, eu or global.")]
StoreId = Annotated[
    int | None, typer.Option(help="The ShipStation store (V1: needed when there are several).")
]
WarehouseId = Annotated[
    str | None,
    typer.Option(help="The ShipStation V2 warehouse to ship from (by default the account's)."),
]
TemuUrl = Annotated[str | None, typer.Option(help="Another Temu API address (the sandbox's).")]
ShipStationUrl = Annotated[
    str | None, typer.Option(help="Another ShipStation address (for V2, the part before /v2/).")
]
TemuWarehouse = Annotated[str | None, typer.Option(help="The Temu warehouse to ship from.")]
Replace = Annotated[
    bool,
    typer.Option(
        "--replace", help="Give a shop already connected new credentials (a side left out stays)."
    ),
]
