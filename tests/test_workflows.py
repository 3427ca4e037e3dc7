"""The GitHub Actions workflows: the project's CI and the reusable one users call."""

from __future__ import annotations

from typing import Any

import yaml

from generator.diffformat import COMMENT_MARKER
from tests.conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"


def _load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


def _runs(job: dict[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) for step in job.get("steps", []))


def _uses(job: dict[str, Any]) -> list[str]:
    return [str(step["uses"]) for step in job.get("steps", []) if "uses" in step]


def _writes(permissions: Any) -> set[str]:
    if permissions in ("write-all",):
        return {"*"}
    return {k for k, v in (permissions or {}).items() if v == "write"}


def test_ci_lints_type_checks_tests_with_tools_required_and_checks_rendered() -> None:
    ci = _load("ci.yml")
    assert set(ci["on"]) == {"push", "pull_request"}
    assert ci["permissions"] == {"contents": "read"}
    test = ci["jobs"]["test"]
    runs = _runs(test)
    for command in (
        "apt-get install -y -qq prometheus",
        "pipx install 'checkov==",
        "ruff check generator tests",
        "mypy",
        "mrgen render --check",
        "python -m pytest",
        "pre-commit validate-manifest .pre-commit-hooks.yaml",
    ):
        assert command in runs, command
    pytest_step = next(s for s in test["steps"] if "pytest" in str(s.get("run", "")))
    assert pytest_step["env"]["MRGEN_REQUIRE_TOOLS"] == "1"
    assert "actions/checkout@v4" in _uses(test)
    # only the job that posts the PR comment may write, and only to pull requests
    for name, job in ci["jobs"].items():
        writes = _writes(job.get("permissions"))
        assert writes <= {"pull-requests"}, name
        if writes:
            assert job["uses"] == "./.github/workflows/mrgen-reusable.yml"
            assert job["if"] == "github.event_name == 'pull_request'"


def test_reusable_workflow_inputs_steps_and_minimal_permissions() -> None:
    flow = _load("mrgen-reusable.yml")
    call = flow["on"]["workflow_call"]
    assert set(flow["on"]) == {"workflow_call"}
    inputs = call["inputs"]
    assert set(inputs) == {"spec", "rendered", "python-version", "mrgen-package", "comment"}
    for name in ("spec", "rendered", "python-version", "mrgen-package"):
        assert name in inputs and inputs[name]["type"] == "string", name
        assert inputs[name]["description"], name
    assert inputs["rendered"]["default"] == "rendered"
    assert flow["permissions"] == {}

    check, comment = flow["jobs"]["check"], flow["jobs"]["diff-comment"]
    runs = _runs(check)
    for command in (
        "mrgen validate",
        "mrgen render",
        "--check",
        "--strict",
        "promtool check config",
        "promtool check rules",
        "promtool test rules",
        'if [ ! -d "$folder" ]',
    ):
        assert command in runs, command
    assert check["permissions"] == {"contents": "read"}
    assert comment["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert "pull_request" in comment["if"]
    assert "--format markdown" in _runs(comment) and "--against" in _runs(comment)
    assert any(u.startswith("actions/github-script@") for u in _uses(comment))
    script = next(
        s["with"]["script"]
        for s in comment["steps"]
        if str(s.get("uses", "")).startswith("actions/github-script@")
    )
    assert COMMENT_MARKER in script and "updateComment" in script and "createComment" in script
    # inputs reach shell scripts through env, never pasted into the script text
    for job in flow["jobs"].values():
        assert "${{ inputs." not in _runs(job)
