"""The options of `temuship connect`, as types (their help reads as a sentence at any width)."""

from __future__ import annotations

from typing import Annotated

import typer

AppKey = Annotated[
    str | None, typer.Option(help="Temu app key (left out with --replace: Temu kept as it is).")
]
AppSecret = Annotated[str | None, typer.Option(help="Temu app secret.", envvar="TEMU_APP_SECRET")]
AccessToken = Annotated[
    str | None, typer.Option(help="Temu access token.", envvar="TEMU_ACCESS_TOKEN")
]
ShipStationKey = Annotated[
    str | None,
    typer.Option(help="ShipStation API key, V1 or V2.", envvar="SHIPSTATION_API_KEY"),
]
ShipStationSecret = Annotated[
    str | None,
    typer.Option(help="ShipStation V1 API secret.", envvar="SHIPSTATION_API_SECRET"),
]
ShipStationApiOpt = Annotated[
    str | None,
    typer.Option(help="v1 or v2 (by default v1 with a secret, v2 without).", metavar="API"),
]
RegionOpt = Annotated[str, typer.Option(help="Temu region: us, eu or global.")]
StoreId = Annotated[
    int | None, typer.Option(help="ShipStation store (V1: required when there are several).")
]
WarehouseId = Annotated[
    str | None,
    typer.Option(help="ShipStation V2 warehouse to ship from (by default the account's)."),
]
TemuUrl = Annotated[str | None, typer.Option(help="Temu base URL (the sandbox's).")]
ShipStationUrl = Annotated[
    str | None, typer.Option(help="ShipStation base URL (for V2, the part before /v2/).")
]
TemuWarehouse = Annotated[str | None, typer.Option(help="Temu warehouse to ship from.")]
Replace = Annotated[
    bool,
    typer.Option(
        "--replace", help="Give a connected shop new credentials; a side left out stays as it is."
    ),
]
