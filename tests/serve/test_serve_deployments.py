"""`temuship serve` serves every deployment of prefect.yaml, read at run time, with its
parameters, schedules, concurrency limit and triggers (what `prefect deploy --all` makes)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from flows.serve.deployments import (
    PREFECT_FILE,
    UnusablePrefectFile,
    deployment_names,
    runner_deployments,
)

SPEC = yaml.safe_load(PREFECT_FILE.read_text())["deployments"]
SERVED = {d.name: d for d in runner_deployments()}


def test_every_deployment_of_prefect_yaml_is_served_and_nothing_else():
    assert sorted(SERVED) == sorted(entry["name"] for entry in SPEC)
    assert len(deployment_names()) == len(SPEC)


@pytest.mark.parametrize("entry", SPEC, ids=[e["name"] for e in SPEC])
def test_each_is_served_as_prefect_yaml_says(entry: dict):
    served = SERVED[entry["name"]]
    assert served.entrypoint == entry["entrypoint"]
    assert served.parameters == (entry.get("parameters") or {})
    assert served.tags == entry.get("tags", [])
    assert served.description == entry["description"].strip()
    assert served.enforce_parameter_schema is entry["enforce_parameter_schema"]
    assert served.work_pool_name is None  # the runner runs them itself
    limit = entry.get("concurrency_limit")
    if limit is None:
        assert served.concurrency_limit is None
    else:
        assert served.concurrency_limit == limit["limit"]
        strategy = served.concurrency_options.collision_strategy.value
        assert strategy == limit["collision_strategy"]


@pytest.mark.parametrize("entry", SPEC, ids=[e["name"] for e in SPEC])
def test_each_schedule_is_the_file_s(entry: dict):
    served = [s.schedule for s in SERVED[entry["name"]].schedules]
    wanted = entry.get("schedules") or []
    assert len(served) == len(wanted)
    for schedule, spec in zip(served, wanted, strict=True):
        assert schedule.timezone == spec["timezone"]
        if "cron" in spec:
            assert schedule.cron == spec["cron"]
        else:
            assert schedule.interval == timedelta(seconds=spec["interval"])


def test_the_reauthorize_trigger_is_the_file_s():
    entry = next(e for e in SPEC if e.get("triggers"))
    (trigger,) = SERVED[entry["name"]].triggers
    spec = entry["triggers"][0]
    assert trigger.expect == set(spec["expect"])
    assert trigger.match.model_dump() == spec["match"]
    assert trigger.for_each == set(spec["for_each"])
    assert trigger.parameters == spec["parameters"]
    assert trigger.name == f"{entry['name']}__automation_1"


def test_another_file_of_deployments_is_read_when_named(tmp_path: Path, monkeypatch):
    short = [dict(SPEC[0], schedules=[{"interval": 30, "timezone": "UTC"}])]
    path = tmp_path / "prefect.yaml"
    path.write_text(yaml.safe_dump({"deployments": short}))
    monkeypatch.setenv("TEMUSHIP_PREFECT_FILE", str(path))
    (served,) = runner_deployments()
    assert served.schedules[0].schedule.interval == timedelta(seconds=30)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("deployments: []", "lists no deployments"),
        ("deployments: [{name: x, entrypoint: 'flows/sync.py:no_such_flow'}]", "no flow at"),
        ("deployments: [{name: x, entrypoint: 'flows/sync.py:sync_shop', schedules: [{}]}]",
         "a schedule needs"),
        ("deployments: [", "not valid YAML"),
    ],
)  # fmt: skip
def test_a_file_serve_cannot_run_is_refused_with_the_reason(tmp_path: Path, text: str, says: str):
    path = tmp_path / "prefect.yaml"
    path.write_text(text)
    with pytest.raises(UnusablePrefectFile, match=says):
        runner_deployments(path)


def test_a_missing_file_says_how_to_get_it(tmp_path: Path):
    with pytest.raises(UnusablePrefectFile, match="cannot read"):
        runner_deployments(tmp_path / "nowhere.yaml")
