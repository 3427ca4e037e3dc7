"""`mrgen diff` end to end: against rendered/, a folder, and a real git history."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import REPO, require_tool, run_cli

SPEC = Path("spec/fingerprint-api.yaml")
NUMBER = re.compile(r"\d+(?:\.\d+)?")
DERIVED_FROM_WEIGHTS = "Expected share during the drill"
"""The runbook's drill tables derive shares from all weights; checked in test_runbook."""


def _edit(project: Path, old: str, new: str, count: int = 1) -> None:
    path = project / SPEC
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _changed_numbers(old: Any, new: Any) -> list[tuple[str, str]]:
    """The number tokens that differ between two values (their text otherwise equal)."""
    before, after = NUMBER.findall(str(old)), NUMBER.findall(str(new))
    assert NUMBER.sub("#", str(old)) == NUMBER.sub("#", str(new)), (old, new)
    return [(a, b) for a, b in zip(before, after, strict=True) if a != b]


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=mrgen test", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout


def _diff_json(project: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli(["diff", *args, "--format", "json"], cwd=project)
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, json.loads(result.stdout)


def test_one_weight_change_is_exactly_that_change_in_every_output_that_carries_it(
    project: Path,
) -> None:
    assert run_cli(["render"], cwd=project).exit_code == 0
    # Weights must sum to 100: moving 10 points from us-east-1 to eu-west-1 changes the one
    # value "weight" of two regions, 50 -> 40 and 30 -> 40.
    _edit(project, "weight: 50", "weight: 40")
    _edit(project, "weight: 30", "weight: 40")
    allowed = {("50", "40"), ("30", "40")}

    code, data = _diff_json(project)
    assert code == 1
    carriers = {r["file"] for r in data["resources"]}
    assert carriers, "no output carries the weights"
    seen: set[tuple[str, str]] = set()
    for resource in data["resources"]:
        assert resource["status"] == "changed", resource
        for change in resource["changes"]:
            if change["path"].endswith(f'["{DERIVED_FROM_WEIGHTS}"]'):
                continue
            pairs = _changed_numbers(change["old"], change["new"])
            assert pairs and set(pairs) <= allowed, (resource["file"], change)
            seen.update(pairs)
    assert seen == allowed

    text = run_cli(["diff"], cwd=project)
    markdown = run_cli(["diff", "--format", "markdown"], cwd=project)
    assert text.exit_code == markdown.exit_code == 1
    for file in carriers:
        assert file in text.stdout and f"`{file}`" in markdown.stdout
    for resource in data["resources"]:
        for change in resource["changes"]:
            old, new = (click.unstyle(str(v)) for v in (change["old"], change["new"]))
            assert f"{change['path']}: {old} -> {new}" in text.stdout
            shown = f"`{change['path']}`: `{old}` → `{new}`"
            # in a summary row (pipes escaped for the table) or a details list item
            in_table = shown.replace("|", "\\|")
            assert any(
                line == f"- {shown}" or (line.startswith("| ") and in_table in line)
                for line in markdown.stdout.splitlines()
            ), shown


def test_no_change_exits_0_and_against_a_folder(project: Path) -> None:
    assert run_cli(["render"], cwd=project).exit_code == 0
    clean = run_cli(["diff"], cwd=project)
    assert (clean.exit_code, clean.stdout.strip()) == (0, "no changes")
    shutil.copytree(project / "rendered", project / "before")
    _edit(project, "max: 15", "max: 25")
    assert run_cli(["render"], cwd=project).exit_code == 0
    code, data = _diff_json(project, "--against", "rendered")
    assert code == 0 and not data["changed"], "rendered/ was re-rendered: the render matches it"
    for args in (["--against", "before"], ["--out", "before"]):
        code, data = _diff_json(project, *args)
        hpa = [r for r in data["resources"] if r.get("kind") == "HorizontalPodAutoscaler"]
        assert code == 1 and [(r["file"], r["changes"]) for r in hpa] == [
            (
                "k8s/overlays/eu-west-1/workload/horizontalpodautoscaler.yaml",
                [{"path": "spec.maxReplicas", "status": "changed", "old": 15, "new": 25}],
            )
        ]


def test_diff_against_head_of_a_real_git_history_shows_exactly_the_spec_change(
    project: Path,
) -> None:
    require_tool("git")
    assert run_cli(["render"], cwd=project).exit_code == 0
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "spec and rendered output")
    assert run_cli(["diff", "--against", "HEAD"], cwd=project).exit_code == 0

    _edit(project, "max: 15", "max: 25")
    status_before = _git(project, "status", "--porcelain")
    code, data = _diff_json(project, "--against", "HEAD")
    assert code == 1
    assert _git(project, "status", "--porcelain") == status_before == f" M {SPEC.as_posix()}\n"
    structured = [r for r in data["resources"] if not r["file"].endswith(".md")]
    assert [(r["file"], r["key"], r["changes"]) for r in structured] == [
        (
            "k8s/overlays/eu-west-1/workload/horizontalpodautoscaler.yaml",
            "autoscaling/v2 HorizontalPodAutoscaler fingerprint-api/fingerprint-api",
            [{"path": "spec.maxReplicas", "status": "changed", "old": 15, "new": 25}],
        )
    ]
    for resource in data["resources"]:  # documents (the runbook) carry the same one number
        for change in resource["changes"]:
            assert _changed_numbers(change["old"], change["new"]) == [("15", "25")]

    # the committed version of the spec, not the work tree, is the old side
    _git(project, "commit", "-qam", "raise eu-west-1 max replicas")
    code, data = _diff_json(project, "--against", "HEAD~1")
    assert code == 1 and [
        r["file"] for r in data["resources"] if not r["file"].endswith(".md")
    ] == [structured[0]["file"]]
    assert _diff_json(project, "--against", "HEAD")[0] == 0


def test_trouble_exits_2(project: Path) -> None:
    require_tool("git")
    _git(project, "init", "-q")
    unknown = run_cli(["diff", "--against", "no-such-ref"], cwd=project)
    assert unknown.exit_code == 2 and "neither a folder nor a git commit" in unknown.stderr
    _edit(project, "weight: 50", "weight: 51")
    invalid = run_cli(["diff"], cwd=project)  # an invalid spec is a finding, as everywhere
    assert invalid.exit_code == 1 and "sum to 100" in invalid.stderr


@pytest.mark.parametrize("no_color", [False, True])
def test_text_is_coloured_on_a_terminal_unless_no_color(
    project: Path, no_color: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_cli(["render"], cwd=project).exit_code == 0
    _edit(project, "max: 15", "max: 25")
    monkeypatch.chdir(project)
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    on_terminal = CliRunner().invoke(main, ["diff"], color=True)
    piped = CliRunner().invoke(main, ["diff"], color=False)
    assert on_terminal.exit_code == piped.exit_code == 1
    assert ("\x1b[" in on_terminal.stdout) is (not no_color)
    assert "\x1b[" not in piped.stdout
    assert click.unstyle(on_terminal.stdout) == piped.stdout
    assert os.environ.get("NO_COLOR") == ("1" if no_color else None)


def test_the_documented_example_is_what_diff_prints(project: Path) -> None:
    readme = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
    block = readme.split(
        "$ mrgen diff                          # after raising eu-west-1's "
        "replicas.max from 15 to 25\n",
        1,
    )[1].split("```", 1)[0]
    assert run_cli(["render"], cwd=project).exit_code == 0
    _edit(project, "max: 15", "max: 25")
    result = run_cli(["diff"], cwd=project)
    assert result.exit_code == 1
    assert result.stdout == block
