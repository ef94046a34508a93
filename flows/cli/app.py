"""The `temuship` command."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.markup import escape

from flows.cli import options
from flows.cli.boundary import GuardedGroup, finish, set_debug
from flows.cli.output import out, problem
from flows.cli.rules import MAX_BACKFILL_DAYS, NAME_RULE
from flows.settings import apply_cli_defaults

apply_cli_defaults()

app = typer.Typer(
    help="Sync a Temu shop with ShipStation, as Prefect flows.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,  # click's plain help: wrapped at any width, names never cut short
    cls=GuardedGroup,  # flows/cli/boundary.py: every failure as its cause and fix, exit 0/1/2
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def services() -> Any:
    from flows import wiring

    return wiring.current()


@app.callback()
def _options(
    debug: Annotated[
        bool,
        typer.Option(
            "--debug", help="Show the traceback of a failure (TEMUSHIP_DEBUG=1 does too)."
        ),
    ] = False,
) -> None:
    set_debug(debug)


def _backfill_in_range(value: int) -> int:
    if not 0 <= value <= MAX_BACKFILL_DAYS:
        raise typer.BadParameter(f"must be between 0 and {MAX_BACKFILL_DAYS} days, not {value}")
    return value


@app.command()
def connect(
    name: Annotated[str, typer.Argument(help=f"A name for the shop: {NAME_RULE}.")],
    app_key: options.AppKey = None,
    app_secret: options.AppSecret = None,
    access_token: options.AccessToken = None,
    shipstation_key: options.ShipStationKey = None,
    shipstation_secret: options.ShipStationSecret = None,
    shipstation_api: options.ShipStationApiOpt = None,
    region: options.RegionOpt = "us",
    shipstation_store_id: options.StoreId = None,
    shipstation_warehouse_id: options.WarehouseId = None,
    temu_url: options.TemuUrl = None,
    shipstation_url: options.ShipStationUrl = None,
    backfill_days: Annotated[
        int,
        typer.Option(
            callback=_backfill_in_range,
            help=f"How many days of updates the first sync reads (0 to {MAX_BACKFILL_DAYS}).",
        ),
    ] = 7,
    warehouse: options.TemuWarehouse = None,
    replace: options.Replace = False,
) -> None:
    """Check the credentials with Temu and ShipStation, then save the shop with them encrypted.
    A name already connected needs --replace (its orders, cursors and history are kept);
    --replace with only the ShipStation options moves the shop to another account or API
    (V1 to V2) and keeps the rest."""
    from flows.cli.connect import ConnectRequest, do_connect

    asked = ConnectRequest(
        name, region, app_key, app_secret, access_token, shipstation_key, shipstation_secret,
        shipstation_api, shipstation_store_id, shipstation_warehouse_id, temu_url,
        shipstation_url, backfill_days, warehouse, replace,
    )  # fmt: skip
    do_connect(services, asked)


@app.command()
def sync(
    names: Annotated[list[str] | None, typer.Argument(help="The shops (by default, all).")] = None,
    since: Annotated[datetime | None, typer.Option(help="Read again from this time (UTC).")] = None,
    plan: Annotated[
        bool, typer.Option("--plan", help="Show what a sync would send, and send nothing.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Sync every shop (or those named) once, here. Exit 1 if a shop is paused, partly synced
    or failed."""
    from flows.cli.sync import do_plan, do_sync

    since = since.replace(tzinfo=UTC) if since and since.tzinfo is None else since
    if since is not None and since > datetime.now(UTC):
        problem(f"--since {since:%Y-%m-%d %H:%M} UTC is in the future")
        raise typer.Exit(2)
    code = (do_plan if plan else do_sync)(services(), names or [], since, as_json)
    raise typer.Exit(code)


@app.command()
def status(
    name: Annotated[str | None, typer.Argument(help="One shop (by default, every shop).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Say, per shop, whether it syncs, what needs a person, and its token, orders and labels."""
    from flows.cli.views import show_status

    raise typer.Exit(show_status(services(), name, as_json))


@app.command()
def history(
    parent_order_sn: Annotated[str, typer.Argument(help="The Temu parent order number (PO-...).")],
    shop: Annotated[str | None, typer.Option(help="Only this shop's order of that number.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show an order's history, oldest first."""
    from flows.cli.views import show_history

    raise typer.Exit(show_history(services(), parent_order_sn, as_json, shop))


@app.command()
def check(
    name: Annotated[str, typer.Argument(help="The shop.")],
    probe_write: Annotated[
        bool,
        typer.Option(
            "--probe-write",
            help="On a V2 shop, also create one test shipment (temuship-probe-...), try on it "
            "what the V2 reference leaves open, and cancel it.",
        ),
    ] = False,
) -> None:
    """Check the credentials, the token, the store and one page from each API; on a V2 shop,
    say what the account answers on each point the V2 reference leaves open. Writes nothing
    unless --probe-write."""
    from domain.usecases.shops import check as run_check
    from domain.usecases.shops import known_shops
    from flows.cli.selfcheck import refuse_probe_on_v1, v2_lines

    known_shops(services(), [name])  # an unknown shop: Mistake, exit 2
    if probe_write:
        refuse_probe_on_v1(services(), name)  # a V1 shop: Mistake, exit 2
    from domain.usecases.shops import CheckLine
    from flows.serve.report import label_line

    lines = run_check(services(), name)
    if len(lines) > 1:  # the credentials opened: the shop's other lines were checked
        ok, said = label_line(services(), name)
        lines.append(CheckLine(ok, "labels", said.removeprefix("labels: ")))
        lines += v2_lines(services(), name, probe_write)
    for line in lines:
        mark = "[green]✔[/green]" if line.ok else "[red]✘[/red]"
        # One line each in any terminal width; the answers quoted may hold brackets.
        said = escape(f"{line.item}: {line.detail}")
        out.print(f"{mark} {said}", highlight=False, soft_wrap=True)
    raise typer.Exit(0 if all(line.ok for line in lines) else 1)


@app.command()
def carriers(
    name: Annotated[str, typer.Argument(help="The shop.")],
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="Map a carrier: CODE=TEMU_ID."),
    ] = None,
    unmap: Annotated[
        list[str] | None, typer.Option("--unmap", help="Remove the override of a carrier CODE.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the ShipStation carriers and the Temu carrier each maps to; --map sets an
    override, --unmap removes one."""
    from flows.cli.shops import do_carriers

    raise typer.Exit(do_carriers(services(), name, map_ or [], unmap or [], as_json))


@app.command()
def disconnect(
    name: Annotated[str, typer.Argument(help="The shop.")],
    delete_orders: Annotated[
        bool,
        typer.Option(
            "--delete-orders/--keep-orders",
            help="Also delete its orders and their history (they are kept by default).",
        ),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Remove a shop and its stored credentials; its orders and history stay unless asked."""
    from flows.cli.shops import do_disconnect

    raise typer.Exit(do_disconnect(services(), name, delete_orders, yes))


@app.command("forget-credentials")
def forget_credentials(
    name: Annotated[str, typer.Argument(help="The shop.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a shop's stored credentials that the current secret key cannot open (the key is
    lost); its orders, cursors, history and token state stay, and it is paused until
    `temuship connect NAME --replace ...` gives it new ones."""
    from flows.cli.shops import do_forget_credentials

    raise typer.Exit(do_forget_credentials(services(), name, yes))


@app.command()
def reauthorize(
    name: Annotated[str, typer.Argument(help="The shop.")],
    access_token: Annotated[
        str, typer.Option(help="The new Temu access token.", envvar="TEMU_ACCESS_TOKEN")
    ],
    catch_up: Annotated[bool, typer.Option(help="Catch up once resumed.")] = True,
) -> None:
    """Take a new Temu token: check it with Temu, store it encrypted, resume the shop and
    catch up."""
    from flows.cli.sync import do_reauthorize

    raise typer.Exit(do_reauthorize(services(), name, access_token, catch_up))


@app.command()
def sandbox(
    temu_port: Annotated[int, typer.Option(help="The simulated Temu's port.")] = 8711,
    shipstation_port: Annotated[int, typer.Option(help="The simulated ShipStation's port.")] = 8712,
    orders: Annotated[int, typer.Option(help="How many orders to seed.")] = 200,
) -> None:
    """Serve the simulated Temu and ShipStation on 127.0.0.1 until Ctrl-C, and say how to
    connect a shop to them."""
    from flows.cli.demo import serve_sandbox

    serve_sandbox(temu_port, shipstation_port, orders)


@app.command()
def demo(
    orders: Annotated[int, typer.Option(help="How many orders to seed.")] = 300,
    as_json: JsonOpt = False,
) -> None:
    """Try temuship without accounts: the sandbox, a demo shop, a sync, labels and a second
    sync, in a database and a Prefect server of its own."""
    from flows.cli.demo import run_demo

    raise typer.Exit(run_demo(orders, as_json))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="The receiver's address.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The webhook receiver's port.")] = 8642,
    public_url: Annotated[
        str | None,
        typer.Option(
            help="The address ShipStation reaches the receiver at; webhooks are subscribed to it."
        ),
    ] = None,
) -> None:
    """Run the whole service in this process until Ctrl-C: a Prefect server (unless
    PREFECT_API_URL names one), every deployment of prefect.yaml, the webhook receiver and the
    one-minute label check."""
    from flows.cli.serve import do_serve

    raise typer.Exit(do_serve(host, port, public_url))


@app.command("rotate-key")
def rotate_key(
    new_key_file: Annotated[
        str | None,
        typer.Option(
            help="A file holding the new key (mode 600); else TEMUSHIP_NEW_SECRET_KEY gives it."
        ),
    ] = None,
) -> None:
    """Re-encrypt every stored credential under a new key, in one transaction, and say what
    to set TEMUSHIP_SECRET_KEY to next. The new key never comes from the command line."""
    from flows.cli.keys import do_rotate_key

    raise typer.Exit(do_rotate_key(new_key_file))


def _one_line_summaries() -> None:
    """The command list shows each command's first paragraph with its source line breaks: give
    it as one line, so that it wraps at the terminal's width, never mid-sentence."""
    for info in app.registered_commands:
        doc = info.callback.__doc__ if info.callback else None
        if doc and not info.short_help:
            info.short_help = " ".join(doc.split("\n\n")[0].split())


_one_line_summaries()


def main() -> None:
    """The `temuship` command (and `python -m flows.cli`): exit 0 done, 1 a shop failed or
    needs a person, 2 bad usage or an unknown shop or order (flows/cli/boundary.py)."""
    try:
        app()
    except SystemExit as done:
        finish(done.code)


if __name__ == "__main__":
    main()
