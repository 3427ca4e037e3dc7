"""The code base stays formatted, lint-clean and strictly typed (ruff format, ruff check,
mypy --strict), and every module stays under the size where it should be split."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO, require_tool

CHECKED = ["generator", "tests", "benchmarks"]
MODULE_LINES_MAX = 400


def test_ruff_check() -> None:
    ruff = require_tool("ruff")
    result = subprocess.run(
        [ruff, "check", *CHECKED],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    ruff = require_tool("ruff")
    result = subprocess.run(
        [ruff, "format", "--check", *CHECKED],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict() -> None:
    require_tool("mypy")
    result = subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_generator_module_is_over_400_lines() -> None:
    long = {
        path.relative_to(REPO).as_posix(): n
        for path in sorted((REPO / "generator").rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MODULE_LINES_MAX
    }
    assert long == {}, f"split these by concept: {long}"
