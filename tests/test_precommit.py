"""The pre-commit hooks, run by pre-commit itself on a sample repository configured with the
README's examples, as a user would copy them.

The hook repository is a git commit of this project's current files (work tree included);
pre-commit pip-installs mrgen from it into its own environment, once per module (about 12 s
here; it needs the package index for the build backend and dependencies).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import EXAMPLE_SPEC, RENDERED, REPO, require_tool, run_cli
from tests.sample_repos import (
    EXAMPLE_SHA,
    EXAMPLE_URL,
    commit_all,
    deployment_repository,
    mrgen_repository,
    readme_block,
)

HOOKS = ("mrgen-render-check", "mrgen-validate")
CONFIG = "# .pre-commit-config.yaml"


def _run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, check=False, timeout=timeout, env=env
    )


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, Path]]:
    """(hook repository, its commit, PRE_COMMIT_HOME shared by this module's tests)."""
    require_tool("git")
    require_tool("pre-commit")
    base = tmp_path_factory.mktemp("precommit")
    hook = base / "mrgen"
    sha = mrgen_repository(hook)
    yield hook, sha, base / "pre-commit-home"


def _config(hook: Path, sha: str, hooks: str = "") -> str:
    """The README's .pre-commit-config.yaml with the user's values: where mrgen is kept and
    the commit; ``hooks`` replaces its hooks section (the README's other-layout example)."""
    text = readme_block(CONFIG, "### pre-commit")
    assert text.count(EXAMPLE_URL) == text.count(EXAMPLE_SHA) == 1, text
    text = text.replace(EXAMPLE_URL, str(hook)).replace(EXAMPLE_SHA, sha)
    if hooks:
        text = text[: text.index("    hooks:\n")] + hooks
    return text


def _user_repo(root: Path, hook: Path, sha: str) -> Path:
    repo = root / "deploy"
    deployment_repository(repo, {".pre-commit-config.yaml": _config(hook, sha)})
    return repo


def _pre_commit(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    env.pop("MRGEN_DEBUG", None)
    return _run(["pre-commit", "run", "--all-files", "--color", "never"], repo, env, timeout=300)


def test_hooks_pass_on_a_clean_repo_and_fail_listing_the_drift(
    tmp_path: Path, hook_repo: tuple[Path, str, Path]
) -> None:
    hook, sha, home = hook_repo
    repo = _user_repo(tmp_path, hook, sha)

    clean = _pre_commit(repo, home)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.count("Passed") == len(HOOKS), clean.stdout

    spec = repo / "spec" / EXAMPLE_SPEC.name
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("max: 15", "max: 25"), encoding="utf-8"
    )
    expected = run_cli(["render", "--check"], cwd=repo)
    drift = [line for line in expected.stdout.splitlines() if line.startswith("would ")]
    assert expected.exit_code == 1 and drift
    stale = _pre_commit(repo, home)
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "mrgen render --check (rendered/ matches the spec)" in stale.stdout
    for line in drift:
        assert line in stale.stdout
    assert (
        "would update rendered/k8s/overlays/eu-west-1/workload/horizontalpodautoscaler.yaml"
        in stale.stdout
    )
    assert "out of date" in stale.stdout


def test_validate_hook_reports_an_invalid_spec(
    tmp_path: Path, hook_repo: tuple[Path, str, Path]
) -> None:
    hook, sha, home = hook_repo
    repo = _user_repo(tmp_path, hook, sha)
    spec = repo / "spec" / EXAMPLE_SPEC.name
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("weight: 50", "weight: 55"), encoding="utf-8"
    )
    failed = _pre_commit(repo, home)
    assert failed.returncode == 1
    assert "weights must sum to 100" in failed.stdout
    assert "mrgen validate (the spec is valid)" in failed.stdout


def _manifest() -> dict[str, dict[str, str]]:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return {hook["id"]: hook for hook in hooks}


def test_file_patterns_match_every_rendered_file_kind_and_the_spec() -> None:
    rendered = sorted(
        f"rendered/{p.relative_to(RENDERED).as_posix()}" for p in RENDERED.rglob("*") if p.is_file()
    )
    assert {Path(p).suffix for p in rendered} >= {".yaml", ".yml", ".json", ".md"}
    spec_files = [
        "spec/fingerprint-api.yaml",
        "spec/mrgen.schema.json",
        "spec/extensions/all/annotation.patch.yaml",
    ]
    hooks = _manifest()
    check = re.compile(hooks["mrgen-render-check"]["files"])  # pre-commit uses re.search
    assert [p for p in [*rendered, *spec_files] if not check.search(p)] == []
    validate = re.compile(hooks["mrgen-validate"]["files"])
    assert [p for p in spec_files if not validate.search(p)] == []
    assert not validate.search("rendered/k8s/base/mesh/service.yaml")
    for path in ("README.md", "docs/spec/notes.md", "src/rendered/x.yaml"):
        assert not check.search(path) and not validate.search(path), path


def test_a_changed_rendered_config_alone_triggers_the_render_check(
    tmp_path: Path, hook_repo: tuple[Path, str, Path]
) -> None:
    hook, sha, home = hook_repo
    repo = _user_repo(tmp_path, hook, sha)
    config = repo / "rendered/monitoring/prometheus/global.yml"
    config.write_text(config.read_text(encoding="utf-8") + "# edited by hand\n", encoding="utf-8")
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    done = _run(
        [
            "pre-commit",
            "run",
            "--color",
            "never",
            "--files",
            "rendered/monitoring/prometheus/global.yml",
        ],
        repo,
        env,
        timeout=300,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "would update rendered/monitoring/prometheus/global.yml" in done.stdout
    assert re.search(
        r"mrgen validate \(the spec is valid\)\.+\(no files to check\)Skipped", done.stdout
    ), done.stdout


def test_the_readme_example_for_another_layout(
    tmp_path: Path, hook_repo: tuple[Path, str, Path]
) -> None:
    hook, sha, home = hook_repo
    layout = readme_block("    hooks:", "For another layout")
    repo = tmp_path / "deploy-repo"
    (repo / "deploy").mkdir(parents=True)
    spec = repo / "deploy" / "spec.yaml"
    spec.write_text(
        EXAMPLE_SPEC.read_text(encoding="utf-8").replace(
            "renderedPath: rendered", "renderedPath: deploy/rendered"
        ),
        encoding="utf-8",
    )
    (repo / ".pre-commit-config.yaml").write_text(_config(hook, sha, layout), encoding="utf-8")
    assert _run(["git", "init", "-q"], repo).returncode == 0
    rendered = run_cli(
        ["render", "deploy/spec.yaml", "--out", "deploy/rendered", "--strict"], cwd=repo
    )
    assert rendered.exit_code == 0, rendered.stderr
    commit_all(repo, "deploy/ layout")

    clean = _pre_commit(repo, home)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.count("Passed") == len(HOOKS), clean.stdout
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("max: 15", "max: 25"), encoding="utf-8"
    )
    stale = _pre_commit(repo, home)
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert (
        "would update deploy/rendered/k8s/overlays/eu-west-1/workload/"
        "horizontalpodautoscaler.yaml" in stale.stdout
    )
    assert "mrgen validate (the spec is valid)" in stale.stdout
    assert re.search(r"mrgen validate \(the spec is valid\)\.+Passed", stale.stdout)
