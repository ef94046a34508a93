"""`temuship serve`: the whole service in one foreground process (flows/serve/service.py)."""

from __future__ import annotations

import logging
import sys
from urllib.parse import urlsplit

import typer

from flows.cli.output import problem

LOGGERS = ("flows.serve", "adapters.webhooks")
EXIT_WITHIN_S = 5.0  # after serve stopped: Python's exit (Prefect's last logs and events)


def checked_public_url(url: str | None) -> str | None:
    """--public-url: where ShipStation reaches this machine, http(s) with a host and no query."""
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        problem(
            f"--public-url must be the http(s) address ShipStation can reach this receiver at "
            f"(e.g. https://temuship.example.com), with no query: not {url!r}"
        )
        raise typer.Exit(2)
    return url.rstrip("/")


def say_on_stderr() -> None:
    """serve's own notes (refused deliveries, checks that failed, the Prefect server's health)
    on stderr, one line each."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("temuship serve: %(message)s"))
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(logging.INFO)
        logger.propagate = False


def do_serve(host: str, port: int, public_url: str | None) -> int:
    from flows import wiring
    from flows.cli.keys import require_key
    from flows.cli.prefect_api import one_line_prefect_logs
    from flows.serve.processes import exit_within
    from flows.serve.service import Serve, ServeOptions

    if not 0 < port < 65536:
        problem(f"--port must be 1-65535, not {port}")
        return 2
    options = ServeOptions(host, port, checked_public_url(public_url))
    services = wiring.current()
    require_key(services)  # the label check opens the credentials: refused before starting
    say_on_stderr()
    one_line_prefect_logs()
    code = 1  # serve failed: the CLI says why
    try:
        code = Serve(options, services, say=lambda line: print(line, flush=True)).run()
    finally:
        # This process ends now: its exit must not wait on a Prefect server serve stopped.
        exit_within(EXIT_WITHIN_S, code, lambda line: print(f"temuship serve: {line}", flush=True))
    return code
