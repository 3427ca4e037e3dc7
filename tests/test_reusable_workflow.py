"""The reusable workflow, run: its shell steps (the `run:` scripts cut out of the YAML) with
bash as GitHub runs them, and its comment script with node, on a sample deployment repository
whose .github/workflows/mrgen.yml is the README's example.

GitHub's parts are stood in for: checkout is the sample repository itself, setup-python is a
fresh virtual environment, the server is a folder (GITHUB_SERVER_URL=file://...) holding a
git repository of this project, and github-script's client records the calls it gets.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import venv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.diffmarkdown import COMMENT_MARKER
from tests.conftest import EXAMPLE_SPEC, RENDERED, REPO, require_tool
from tests.sample_repos import (
    EXAMPLE_SHA,
    commit_all,
    deployment_repository,
    mrgen_repository,
    readme_block,
)

WORKFLOW = REPO / ".github" / "workflows" / "mrgen-reusable.yml"
CALLER = ".github/workflows/mrgen.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
GITHUB_SCRIPT = """
const fs = require('fs');
const [script, state] = process.argv.slice(2);
const comments = JSON.parse(fs.readFileSync(state, 'utf8'));
const calls = [];
const github = {
  paginate: async (method, params) => { calls.push([method, params]); return comments; },
  rest: {issues: {
    listComments: 'listComments',
    createComment: async (params) => { calls.push(['createComment', params]); },
    updateComment: async (params) => { calls.push(['updateComment', params]); },
  }},
};
const context = {repo: {owner: 'acme', repo: 'deploy'}, issue: {number: 7}};
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
new AsyncFunction('require', 'github', 'context', fs.readFileSync(script, 'utf8'))(
  require, github, context).then(() => console.log(JSON.stringify(calls)));
"""


def _load() -> dict[str, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


def _caller_workflow() -> str:
    return readme_block("# .github/workflows/mrgen.yml", "### GitHub Actions")


def _inputs() -> dict[str, Any]:
    """The README example's `with:` over the workflow's defaults."""
    declared = _load()["on"]["workflow_call"]["inputs"]
    given = yaml.safe_load(_caller_workflow())["jobs"]["mrgen"]["with"]
    assert set(given) <= set(declared), given
    return {name: given.get(name, spec.get("default")) for name, spec in declared.items()}


def _expand(value: Any, context: dict[str, str]) -> str:
    """A workflow value with its ${{ }} expressions replaced (only the ones we know)."""

    def one(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression.startswith("inputs."):
            return str(_inputs()[expression.removeprefix("inputs.")])
        assert expression in context, f"no stand-in for ${{{{ {expression} }}}}"
        return context[expression]

    return EXPRESSION.sub(one, str(value))


@dataclass
class Runner:
    """Runs a job's steps the way GitHub would, in ``repo``."""

    repo: Path
    python: Path
    """The stand-in for setup-python: a virtual environment's bin folder."""
    server: Path
    summary: Path

    def env(self, step: dict[str, Any], context: dict[str, str]) -> dict[str, str]:
        this_venv = str(Path(sys.executable).parent)
        path = [
            str(self.python),
            *(p for p in os.environ["PATH"].split(os.pathsep) if p != this_venv),
        ]
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("VIRTUAL_ENV", "MRGEN_DEBUG", "PYTHONPATH")
        }
        env.update(
            PATH=os.pathsep.join(path),
            CI="true",
            GITHUB_ACTIONS="true",
            GITHUB_REPOSITORY="acme/deploy",
            GITHUB_SERVER_URL=self.server.as_uri(),
            GITHUB_WORKFLOW_REF=f"acme/deploy/{CALLER}@refs/pull/7/merge",
            GITHUB_EVENT_NAME="pull_request",
            GITHUB_STEP_SUMMARY=str(self.summary),
        )
        for name, value in {**_load().get("env", {}), **step.get("env", {})}.items():
            env[name] = _expand(value, context)
        return env

    def run(
        self,
        step: dict[str, Any],
        context: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        assert step.get("shell") == "bash", step.get("name")
        script = self.repo.parent / "step.sh"
        script.write_text(step["run"], encoding="utf-8")
        return subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=self.repo,
            env=self.env(step, context or {}),
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )


def _steps(job: str) -> dict[str, dict[str, Any]]:
    steps = _load()["jobs"][job]["steps"]
    return {step.get("name", step.get("uses", "")): step for step in steps}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, str]]:
    """(the server folder, a python with mrgen installed by the workflow, mrgen's commit)."""
    require_tool("git")
    base = tmp_path_factory.mktemp("reusable")
    server = base / "server"
    sha = mrgen_repository(server / "acme" / "mrgen")
    python = base / "python"
    venv.create(python, with_pip=True)
    repo = base / "deploy"
    deployment_repository(repo, {CALLER: _caller_workflow().replace(EXAMPLE_SHA, sha)})
    runner = Runner(repo, python / "bin", server, base / "summary.md")
    done = runner.run(_steps("check")["Install mrgen"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Installing mrgen from git+{server.as_uri()}/acme/mrgen@{sha}" in done.stdout
    assert re.search(r"^mrgen, version \S+$", done.stdout, re.M), done.stdout
    yield server, python / "bin", sha


def _deploy(tmp_path: Path, installed: tuple[Path, Path, str]) -> tuple[Runner, str]:
    server, python, sha = installed
    repo = tmp_path / "deploy"
    base_sha = deployment_repository(repo, {CALLER: _caller_workflow().replace(EXAMPLE_SHA, sha)})
    return Runner(repo, python, server, tmp_path / "summary.md"), base_sha


def test_the_readme_example_names_only_the_users_values() -> None:
    caller = yaml.safe_load(_caller_workflow())["jobs"]["mrgen"]
    assert caller["uses"] == f"acme/mrgen/.github/workflows/mrgen-reusable.yml@{EXAMPLE_SHA}"
    assert caller["with"]["spec"] == f"spec/{EXAMPLE_SPEC.name}"
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "OWNER" not in text and "mrgen-version" not in text
    assert 'pip install --quiet "mrgen' not in text  # never from a package index


def test_both_jobs_install_mrgen_the_same_way() -> None:
    assert _steps("check")["Install mrgen"] == _steps("diff-comment")["Install mrgen"]


def test_the_check_job_passes_on_a_clean_repository_and_runs_promtool_on_every_file(
    tmp_path: Path, installed: tuple[Path, Path, str]
) -> None:
    require_tool("promtool")
    runner, _ = _deploy(tmp_path, installed)
    steps = _steps("check")
    assert list(steps) == [
        "actions/checkout@v4",
        "actions/setup-python@v5",
        "Install mrgen",
        "mrgen validate",
        "mrgen render --check",
        "promtool checks on the rendered monitoring files",
    ]
    validate = runner.run(steps["mrgen validate"])
    assert validate.returncode == 0 and "valid (3 regions" in validate.stdout, validate.stderr
    check = runner.run(steps["mrgen render --check"])
    assert check.returncode == 0 and "rendered: up to date" in check.stdout, check.stderr
    promtool = runner.run(steps["promtool checks on the rendered monitoring files"])
    output = promtool.stdout + promtool.stderr
    assert promtool.returncode == 0, output
    monitoring = sorted(
        p for p in (RENDERED / "monitoring").rglob("*") if p.suffix in (".yml", ".yaml")
    )
    assert len(monitoring) == 10
    for file in monitoring:  # every config, rule file and unit test went through promtool
        assert file.name in output, file.name
    assert output.count("SUCCESS") >= len(monitoring) and "not a Prometheus file" not in output


def test_the_check_job_fails_on_drift_and_on_an_invalid_spec(
    tmp_path: Path, installed: tuple[Path, Path, str]
) -> None:
    runner, _ = _deploy(tmp_path, installed)
    steps = _steps("check")
    spec = runner.repo / "spec" / EXAMPLE_SPEC.name
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("max: 15", "max: 25"), encoding="utf-8"
    )
    drift = runner.run(steps["mrgen render --check"])
    assert drift.returncode == 1
    assert (
        "would update rendered/k8s/overlays/eu-west-1/workload/horizontalpodautoscaler.yaml"
        in drift.stdout
        and "-  maxReplicas: 15\n+  maxReplicas: 25" in drift.stdout
    )
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("weight: 50", "weight: 55"), encoding="utf-8"
    )
    invalid = runner.run(steps["mrgen validate"])
    assert invalid.returncode == 1 and "weights must sum to 100" in invalid.stderr


def _pull_request(runner: Runner) -> str:
    """A head commit that adds a region's worth of change: eu-west-1 scaled up."""
    spec = runner.repo / "spec" / EXAMPLE_SPEC.name
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("max: 15", "max: 25"), encoding="utf-8"
    )
    done = subprocess.run(
        [str(runner.python / "mrgen"), "render"],
        cwd=runner.repo,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return commit_all(runner.repo, "scale eu-west-1")


def _github_script(runner: Runner, comments: list[dict[str, Any]]) -> list[Any]:
    node = require_tool("node")
    step = _steps("diff-comment")["Post or update the sticky comment"]
    script, state = runner.repo.parent / "script.js", runner.repo.parent / "comments.json"
    script.write_text(step["with"]["script"], encoding="utf-8")
    state.write_text(json.dumps(comments), encoding="utf-8")
    harness = runner.repo.parent / "harness.js"
    harness.write_text(GITHUB_SCRIPT, encoding="utf-8")
    done = subprocess.run(
        [node, str(harness), str(script), str(state)],
        cwd=runner.repo,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    calls: list[Any] = json.loads(done.stdout)
    return calls


def test_the_diff_comment_job_posts_one_sticky_comment(
    tmp_path: Path, installed: tuple[Path, Path, str]
) -> None:
    runner, base_sha = _deploy(tmp_path, installed)
    _pull_request(runner)
    job = _load()["jobs"]["diff-comment"]
    assert job["steps"][0] == {"uses": "actions/checkout@v4", "with": {"fetch-depth": 0}}
    context = {"github.event.pull_request.base.sha": base_sha}
    done = runner.run(_steps("diff-comment")["mrgen diff against the base branch"], context)
    assert done.returncode == 0, done.stdout + done.stderr
    comment = (runner.repo / "mrgen-diff.md").read_text(encoding="utf-8")
    assert comment.startswith(COMMENT_MARKER + "\n### mrgen: rendered changes\n")
    assert (
        "| `HorizontalPodAutoscaler fingerprint-api/fingerprint-api` | "
        "`k8s/overlays/eu-west-1/workload/horizontalpodautoscaler.yaml` | "
        "`spec.maxReplicas`: `15` → `25` |" in comment
    )
    assert runner.summary.read_text(encoding="utf-8") == comment  # small: the same diff

    body = {"owner": "acme", "repo": "deploy", "issue_number": 7, "body": comment}
    assert _github_script(runner, [])[-1] == ["createComment", body]
    theirs = {"id": 1, "user": {"type": "User"}, "body": COMMENT_MARKER + " quoted by a human"}
    mine = {"id": 2, "user": {"type": "Bot"}, "body": COMMENT_MARKER + "\nold diff"}
    assert _github_script(runner, [theirs, mine])[-1] == [
        "updateComment",
        {"owner": "acme", "repo": "deploy", "comment_id": 2, "body": comment},
    ]


def test_the_diff_step_reports_trouble_instead_of_failing(
    tmp_path: Path, installed: tuple[Path, Path, str]
) -> None:
    runner, _ = _deploy(tmp_path, installed)
    context = {"github.event.pull_request.base.sha": "0" * 40}  # not a commit here
    done = runner.run(_steps("diff-comment")["mrgen diff against the base branch"], context)
    assert done.returncode == 0, done.stderr
    comment = (runner.repo / "mrgen-diff.md").read_text(encoding="utf-8")
    assert (
        comment.startswith(COMMENT_MARKER)
        and "could not diff against the base branch (exit 2)" in comment
    )
    assert runner.summary.read_text(encoding="utf-8") == comment


def _fake_install(tmp_path: Path, caller: str, package: str = "") -> tuple[int, str]:
    """The install step with fake python and mrgen: which requirement it would install."""
    bin_dir, repo = tmp_path / "bin", tmp_path / "deploy"
    bin_dir.mkdir(parents=True)
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / CALLER).write_text(caller, encoding="utf-8")
    for name in ("python", "mrgen"):
        (bin_dir / name).write_text(f'#!/bin/sh\necho "{name} $*"\n', encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    runner = Runner(repo, bin_dir, tmp_path / "server", tmp_path / "summary.md")
    step = {**_steps("check")["Install mrgen"], "env": {"MRGEN_PACKAGE": package}}
    done = runner.run(step)
    return done.returncode, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("uses", "requirement"),
    [
        (
            f"acme/mrgen/.github/workflows/mrgen-reusable.yml@{EXAMPLE_SHA}",
            f"git+{{server}}/acme/mrgen@{EXAMPLE_SHA}",
        ),
        (
            "'corp-infra/mrgen-fork/.github/workflows/mrgen-reusable.yaml@v1.2'",
            "git+{server}/corp-infra/mrgen-fork@v1.2",
        ),
        ("./.github/workflows/mrgen-reusable.yml", "."),
    ],
)
def test_the_install_step_installs_the_repository_and_revision_it_is_called_at(
    tmp_path: Path, uses: str, requirement: str
) -> None:
    caller = f"jobs:\n  mrgen:\n    uses: {uses}\n    with: {{spec: spec/x.yaml}}\n"
    code, output = _fake_install(tmp_path, caller)
    expected = requirement.format(server=(tmp_path / "server").as_uri())
    assert code == 0, output
    assert f"python -m pip install --quiet {expected}\n" in output


def test_the_install_step_refuses_to_guess(tmp_path: Path) -> None:
    other = f"acme/mrgen/.github/workflows/mrgen-reusable.yml@{'f' * 40}"
    two = (
        f"jobs:\n  a:\n    uses: acme/mrgen/.github/workflows/mrgen-reusable.yml@{EXAMPLE_SHA}"
        f"\n  b:\n    uses: {other}\n"
    )
    for name, caller in (
        ("two", two),
        ("none", "jobs: {}\n"),
        ("unpinned", "jobs:\n  a:\n    uses: acme/mrgen/.github/workflows/mrgen-reusable.yml\n"),
    ):
        case = tmp_path / name
        code, output = _fake_install(case, caller)
        assert code == 1 and "pip install" not in output, (name, output)
        assert "::error::" in output and ("mrgen-package" in output or "revision" in output)
    code, output = _fake_install(tmp_path / "override", two, package="mrgen @ file:///opt/m")
    assert code == 0 and "python -m pip install --quiet mrgen @ file:///opt/m\n" in output


def test_ci_calls_the_workflow_by_path_so_it_installs_the_checkout() -> None:
    ci = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    job = ci["jobs"]["rendered-diff"]
    assert job["uses"] == "./.github/workflows/mrgen-reusable.yml"
    assert "mrgen-package" not in job.get("with", {})
