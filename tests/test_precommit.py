"""The pre-commit hooks, run by pre-commit itself against a temporary git repository.

The hook repository is a git commit of this project's current files (work tree included);
pre-commit pip-installs mrgen from it into its own environment, once per module (about 12 s
here; it needs the package index for the build backend and dependencies).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import EXAMPLE_SPEC, REPO, require_tool, run_cli

GIT = ["git", "-c", "user.name=mrgen test", "-c", "user.email=test@example.com",
       "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"]
HOOKS = ("mrgen-render-check", "mrgen-validate")


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None,
         timeout: int = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False,
                          timeout=timeout, env=env)


def _commit_all(repo: Path, message: str) -> str:
    assert _run([*GIT, "add", "-A"], repo).returncode == 0
    done = _run([*GIT, "commit", "-qm", message], repo)
    assert done.returncode == 0, done.stderr
    return _run([*GIT, "rev-parse", "HEAD"], repo).stdout.strip()


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, Path]]:
    """(hook repository, its commit, PRE_COMMIT_HOME shared by this module's tests)."""
    require_tool("git")
    require_tool("pre-commit")
    base = tmp_path_factory.mktemp("precommit")
    listed = _run(["git", "ls-files", "-co", "--exclude-standard", "-z"], REPO)
    assert listed.returncode == 0, listed.stderr
    hook = base / "mrgen"
    for name in filter(None, listed.stdout.split("\0")):
        source = REPO / name
        if source.is_file() and not name.startswith("rendered/"):
            (hook / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, hook / name)
    assert _run([*GIT, "init", "-q"], hook).returncode == 0
    sha = _commit_all(hook, "mrgen as a hook repository")
    yield hook, sha, base / "pre-commit-home"


def _user_repo(root: Path, hook: Path, sha: str) -> Path:
    repo = root / "deploy"
    (repo / "spec").mkdir(parents=True)
    shutil.copy(EXAMPLE_SPEC, repo / "spec" / EXAMPLE_SPEC.name)
    config = {"repos": [{"repo": str(hook), "rev": sha,
                         "hooks": [{"id": hook_id} for hook_id in HOOKS]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    assert _run([*GIT, "init", "-q"], repo).returncode == 0
    assert run_cli(["render"], cwd=repo).exit_code == 0
    _commit_all(repo, "spec and rendered output")
    return repo


def _pre_commit(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    env.pop("MRGEN_DEBUG", None)
    return _run(["pre-commit", "run", "--all-files", "--color", "never"], repo, env,
                timeout=300)


def test_hooks_pass_on_a_clean_repo_and_fail_listing_the_drift(
        tmp_path: Path, hook_repo: tuple[Path, str, Path]) -> None:
    hook, sha, home = hook_repo
    repo = _user_repo(tmp_path, hook, sha)

    clean = _pre_commit(repo, home)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.count("Passed") == len(HOOKS), clean.stdout

    spec = repo / "spec" / EXAMPLE_SPEC.name
    spec.write_text(spec.read_text(encoding="utf-8").replace("max: 15", "max: 25"),
                    encoding="utf-8")
    expected = run_cli(["render", "--check"], cwd=repo)
    drift = [line for line in expected.stdout.splitlines() if line.startswith("would ")]
    assert expected.exit_code == 1 and drift
    stale = _pre_commit(repo, home)
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "mrgen render --check (rendered/ matches the spec)" in stale.stdout
    for line in drift:
        assert line in stale.stdout
    assert "would update rendered/k8s/overlays/eu-west-1/workload/horizontalpodautoscaler.yaml" \
        in stale.stdout
    assert "out of date" in stale.stdout


def test_validate_hook_reports_an_invalid_spec(
        tmp_path: Path, hook_repo: tuple[Path, str, Path]) -> None:
    hook, sha, home = hook_repo
    repo = _user_repo(tmp_path, hook, sha)
    spec = repo / "spec" / EXAMPLE_SPEC.name
    spec.write_text(spec.read_text(encoding="utf-8").replace("weight: 50", "weight: 55"),
                    encoding="utf-8")
    failed = _pre_commit(repo, home)
    assert failed.returncode == 1
    assert "weights must sum to 100" in failed.stdout
    assert "mrgen validate (the spec is valid)" in failed.stdout
