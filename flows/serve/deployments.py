"""prefect.yaml's deployments as Prefect runner deployments, read when `temuship serve` starts
(never a copy that could drift): the same flow functions, names, descriptions, tags,
parameters, schedules, concurrency limits and triggers that `prefect deploy --all` makes, as
its own code reads them (prefect/cli/deploy/_core.py, _schedules.py, _triggers.py). The work
pool and the pull step are for workers: the runner runs the flows itself, from this code."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import yaml

from domain.errors import TemushipError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PREFECT_FILE = PROJECT_ROOT / "prefect.yaml"
PREFECT_FILE_ENV = "TEMUSHIP_PREFECT_FILE"  # another file of deployments (the same flows)


class UnusablePrefectFile(TemushipError):
    """prefect.yaml is missing or says something serve cannot run."""


def prefect_file() -> Path:
    """The project's prefect.yaml, or the file TEMUSHIP_PREFECT_FILE names."""
    named = os.environ.get(PREFECT_FILE_ENV, "").strip()
    return Path(named).expanduser() if named else PREFECT_FILE


def read_spec(path: Path | None = None) -> list[dict[str, Any]]:
    """The `deployments:` entries of prefect.yaml."""
    path = path or prefect_file()
    try:
        spec = yaml.safe_load(path.read_text())
    except OSError as error:
        raise UnusablePrefectFile(
            f"cannot read {path} ({error.strerror}): temuship serve runs the deployments it "
            "lists; reinstall temuship from its project directory (pip install -e .)"
        ) from None
    except yaml.YAMLError as error:
        raise UnusablePrefectFile(f"{path} is not valid YAML: {error}") from None
    entries = spec.get("deployments") if isinstance(spec, dict) else None
    if not isinstance(entries, list) or not entries:
        raise UnusablePrefectFile(f"{path} lists no deployments")
    return entries


def flow_of(entrypoint: str) -> Any:
    """The flow an entrypoint names (`flows/sync.py:sync_shop`), imported as its module
    (`flows.sync`), so the runner's subprocesses import the same code."""
    from prefect import Flow

    path, _, name = entrypoint.partition(":")
    module_name = path.removesuffix(".py").replace("/", ".")
    try:
        found = getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError) as error:
        raise UnusablePrefectFile(f"prefect.yaml: no flow at {entrypoint} ({error})") from None
    if not isinstance(found, Flow):
        raise UnusablePrefectFile(f"prefect.yaml: {entrypoint} is not a Prefect flow")
    return found


def schedules_of(entry: dict[str, Any]) -> list[Any]:
    from prefect.schedules import Cron, Interval, RRule

    made = []
    for spec in entry.get("schedules") or []:
        options = {k: spec[k] for k in ("timezone", "active", "parameters", "slug") if k in spec}
        if "cron" in spec:
            made.append(Cron(spec["cron"], day_or=spec.get("day_or", True), **options))
        elif "interval" in spec:
            made.append(Interval(spec["interval"], anchor_date=spec.get("anchor_date"), **options))
        elif "rrule" in spec:
            made.append(RRule(spec["rrule"], **options))
        else:
            raise UnusablePrefectFile(f"{entry['name']}: a schedule needs cron, interval or rrule")
    return made


def concurrency_of(entry: dict[str, Any]) -> Any:
    from prefect.client.schemas.objects import ConcurrencyLimitConfig

    limit = entry.get("concurrency_limit")
    if isinstance(limit, dict):
        return ConcurrencyLimitConfig(**limit)
    return limit


def triggers_of(entry: dict[str, Any]) -> list[Any]:
    from prefect.events import DeploymentTriggerTypes
    from pydantic import TypeAdapter

    adapter: TypeAdapter[Any] = TypeAdapter(DeploymentTriggerTypes)
    made = []
    for number, spec in enumerate(entry.get("triggers") or [], start=1):
        named = {"name": f"{entry['name']}__automation_{number}", **spec}
        made.append(adapter.validate_python(named))
    return made


def runner_deployments(path: Path | None = None) -> list[Any]:
    """Every deployment of prefect.yaml, ready for `Runner.add_deployment`."""
    made = []
    for entry in read_spec(path):
        flow = flow_of(entry["entrypoint"])
        made.append(
            flow.to_deployment(
                name=entry["name"],
                description=entry.get("description"),
                tags=entry.get("tags"),
                version=entry.get("version"),
                parameters=entry.get("parameters") or {},
                enforce_parameter_schema=entry.get("enforce_parameter_schema", True),
                schedules=schedules_of(entry),
                concurrency_limit=concurrency_of(entry),
                triggers=triggers_of(entry),
                paused=entry.get("paused"),
            )
        )
    return made


def deployment_names(path: Path | None = None) -> list[str]:
    """`flow-name/deployment-name` of every entry, as the Prefect API names them."""
    return [f"{flow_of(e['entrypoint']).name}/{e['name']}" for e in read_spec(path)]
