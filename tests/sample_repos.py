"""Git repositories for the CI-integration tests: mrgen's own (as a user's copy of it that CI
installs from) and a user's deployment repository, plus the README's examples to configure
them with, copied as a user would."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.conftest import EXAMPLE_SPEC, REPO, run_cli

GIT = [
    "git",
    "-c",
    "user.name=mrgen test",
    "-c",
    "user.email=test@example.com",
    "-c",
    "commit.gpgsign=false",
    "-c",
    "init.defaultBranch=main",
]
EXAMPLE_SHA = "0123456789abcdef0123456789abcdef01234567"
"""The commit the README's examples pin: a user's value, replaced by a real one in tests."""
EXAMPLE_URL = "https://github.com/acme/mrgen"
"""Where the README's pre-commit example keeps mrgen: a user's value."""


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        [*GIT, *args], cwd=repo, capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD").strip()


def mrgen_repository(dest: Path) -> str:
    """A git repository at ``dest`` holding this project's current files (work tree included,
    rendered/ left out); returns its commit."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    for name in filter(None, listed.stdout.split("\0")):
        source = REPO / name
        if source.is_file() and not name.startswith("rendered/"):
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    git(dest, "init", "-q")
    return commit_all(dest, "mrgen")


def deployment_repository(dest: Path, files: dict[str, str]) -> str:
    """A user's repository: the example spec, its rendered/ output and ``files`` (path ->
    text), committed; returns the commit."""
    (dest / "spec").mkdir(parents=True)
    shutil.copy(EXAMPLE_SPEC, dest / "spec" / EXAMPLE_SPEC.name)
    for path, text in files.items():
        (dest / path).parent.mkdir(parents=True, exist_ok=True)
        (dest / path).write_text(text, encoding="utf-8")
    git(dest, "init", "-q")
    result = run_cli(["render"], cwd=dest)
    assert result.exit_code == 0, result.stderr
    return commit_all(dest, "spec and rendered output")


def readme_block(first_line: str, after: str = "") -> str:
    """The documented fenced code block (docs/operations.md, where the README links for CI
    set-up) whose first line is ``first_line`` (the first such block after the text
    ``after``), without its fences."""
    readme = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
    start = readme.index("\n" + first_line + "\n", readme.index(after) if after else 0)
    return readme[start + 1 : readme.index("\n```", start)] + "\n"
