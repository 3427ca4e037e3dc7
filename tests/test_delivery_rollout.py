"""Progressive delivery (issue 13, item 2): the workload ApplicationSet rolls out with
RollingSync steps from delivery.rollout; by default the lowest-traffic region first and the
primary last, one region at a time."""

from __future__ import annotations

from typing import Any

import pytest

from generator.build import build
from generator.errors import MrgenError
from generator.loader import load_text
from tests.mesh_support import Doc, example, render_docs, spec_text
from tests.spec_edit import add_region


def _outcome(data: dict[str, Any]) -> tuple[list[str], list[str]]:
    try:
        spec = build(load_text(spec_text(data), "spec/test.yaml"), "spec/test.yaml")
    except MrgenError as exc:
        return [f"{d.path}: {d.message}" for d in exc.diagnostics], []
    return [], [
        f"{w.path}: {w.message}" for w in spec.warnings if not w.message.startswith("placeholder")
    ]


def _strategy(data: dict[str, Any]) -> Doc:
    appset = render_docs(data)["argocd/applicationset-fingerprint-api.yaml"][0]
    strategy: Doc = appset["spec"]["strategy"]
    return strategy


def _steps(strategy: Doc) -> list[tuple[list[str], Any]]:
    out = []
    for step in strategy["rollingSync"]["steps"]:
        (expression,) = step["matchExpressions"]
        assert (expression["key"], expression["operator"]) == ("region", "In")
        out.append((expression["values"], step["maxUpdate"]))
    return out


def test_default_steps_lowest_traffic_first_primary_last() -> None:
    data = example()
    del data["delivery"]["rollout"]
    strategy = _strategy(data)
    assert strategy["type"] == "RollingSync"
    assert _steps(strategy) == [(["ap-southeast-1"], 1), (["eu-west-1"], 1), (["us-east-1"], 1)]


def test_default_steps_follow_the_weights_not_the_roles() -> None:
    data = example()
    del data["delivery"]["rollout"]
    weights = {"us-east-1": 40, "eu-west-1": 20, "ap-southeast-1": 25, "sa-east-1": 15}
    add_region(
        data,
        {
            "name": "sa-east-1",
            "role": "tertiary",
            "cluster": {"name": "sa-east-1", "provider": "gke"},
            "location": {"aws": "sa-east-1", "gcp": "southamerica-east1"},
            "replicas": {"min": 2, "max": 10},
            "latencyTargetMs": 200,
            "failover": ["us-east-1"],
        },
        weights,
        origin="203.0.113.40",
        health_check_id="44444444-4444-4444-4444-444444444444",
        neg_zones=["southamerica-east1-a", "southamerica-east1-b"],
    )
    assert [s for s, _ in _steps(_strategy(data))] == [
        ["sa-east-1"],
        ["eu-west-1"],
        ["ap-southeast-1"],
        ["us-east-1"],
    ]


def test_steps_and_bound_from_the_spec() -> None:
    data = example()
    data["delivery"]["rollout"] = {
        "steps": [["ap-southeast-1", "eu-west-1"], ["us-east-1"]],
        "maxUpdate": "50%",
    }
    assert _outcome(data) == ([], [])
    assert _steps(_strategy(data)) == [
        (["ap-southeast-1", "eu-west-1"], "50%"),
        (["us-east-1"], "50%"),
    ]


def test_the_applications_carry_the_label_the_steps_select() -> None:
    template = render_docs(example())["argocd/applicationset-fingerprint-api.yaml"][0]
    labels = template["spec"]["template"]["metadata"]["labels"]
    assert labels["region"] == "{{.region}}"
    assert "annotations" not in template["spec"]["template"]["metadata"]  # no sync-wave


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        (
            [["ap-southeast-1", "eu-west-1", "us-east-1"]],
            "delivery.rollout.steps[0]: this step holds every "
            "region: a bad change would reach them "
            "all at once; split it",
        ),
        (
            [["ap-southeast-1"], ["eu-west-1"]],
            "delivery.rollout.steps: no step holds us-east-1: RollingSync never syncs an "
            "Application that no step selects",
        ),
        (
            [["ap-southeast-1"], ["eu-west-1", "ap-southeast-1"], ["us-east-1"]],
            "delivery.rollout.steps[1][1]: 'ap-southeast-1' is already in step 1: Argo CD keeps an "
            "Application in the first step that selects it",
        ),
        (
            [["ap-southeast-1"], ["eu-west-1"], ["us-east-2"]],
            "delivery.rollout.steps[2][0]: 'us-east-2' is not a region in this spec; did you mean "
            "'us-east-1'?",
        ),
    ],
)
def test_steps_that_defeat_the_rollout(steps: list[list[str]], message: str) -> None:
    data = example()
    data["delivery"]["rollout"] = {"steps": steps}
    assert message in _outcome(data)[0]


def test_primary_before_the_last_step_is_a_warning() -> None:
    data = example()
    data["delivery"]["rollout"] = {"steps": [["us-east-1"], ["eu-west-1"], ["ap-southeast-1"]]}
    assert _outcome(data) == (
        [],
        [
            "delivery.rollout.steps: the primary region us-east-1 updates before the last step: "
            "put it last, after the lower-traffic regions proved the change"
        ],
    )


@pytest.mark.parametrize("bound", [0, "0%", "150%", "half"])
def test_max_update_must_let_a_step_progress(bound: Any) -> None:
    data = example()
    data["delivery"]["rollout"]["maxUpdate"] = bound
    errors, _ = _outcome(data)
    assert errors and all(e.startswith("delivery.rollout.maxUpdate") for e in errors)


def test_one_region_rolls_out_in_one_step() -> None:
    data = example()
    del data["delivery"]["rollout"]
    data["regions"] = [dict(data["regions"][0], weight=100, failover=[])]
    del data["replication"], data["globalRouting"]
    assert _steps(_strategy(data)) == [(["us-east-1"], 1)]
