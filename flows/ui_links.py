"""Names and addresses in the Prefect UI that need no Prefect import (`temuship status` must
not pay a second for one): an artifact's key, the shop dashboard's page, and the UI's address
as Prefect's own settings give it, read from the environment or the active Prefect profile."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any


def artifact_key(prefix: str, shop_id: str) -> str:
    """An artifact key for a shop (`shop-acme`): Prefect allows lower-case letters, digits
    and dashes."""
    return f"{prefix}-{re.sub(r'[^a-z0-9-]+', '-', shop_id.lower()).strip('-') or 'shop'}"


def dashboard_path(shop_id: str) -> str:
    """The shop dashboard's page, under the UI's address: the key page of `shop-<shop>`,
    which shows the latest version (flows/reporting.py makes its description the dashboard)."""
    return f"artifacts/key/{artifact_key('shop', shop_id)}"


def ui_base() -> str | None:
    """The V2 UI's address (`http://127.0.0.1:4200/v2`): PREFECT_UI_URL, else PREFECT_API_URL
    without `/api`, from the environment, else from the active profile (`prefect config set`
    saves them there); None when neither names a server."""
    found = _ui(os.environ) or _ui(_active_profile())
    if not found:
        return None
    found = found.rstrip("/")
    return found if found.endswith("/v2") else f"{found}/v2"


def _ui(settings: Any) -> str | None:
    api = str(settings.get("PREFECT_API_URL") or "").rstrip("/")
    return settings.get("PREFECT_UI_URL") or (api.removesuffix("/api") if api else None)


def _active_profile() -> dict[str, Any]:
    home = Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser()
    path = Path(os.environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml").expanduser()
    try:
        profiles = tomllib.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    name = os.environ.get("PREFECT_PROFILE") or profiles.get("active") or "ephemeral"
    found = (profiles.get("profiles") or {}).get(name) or {}
    return found if isinstance(found, dict) else {}


def default_ui_base() -> str:
    """Where `temuship serve` and `prefect server start` put the UI when nothing says else."""
    return f"http://127.0.0.1:{os.environ.get('PREFECT_SERVER_API_PORT') or 4200}/v2"


def dashboard_url(shop_id: str) -> str | None:
    """The shop dashboard's address in the UI Prefect's settings name; None without one."""
    base = ui_base()
    return f"{base}/{dashboard_path(shop_id)}" if base else None
