"""The code base stays lint-clean and strictly typed (ruff, mypy --strict)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO, require_tool


def test_ruff() -> None:
    ruff = require_tool("ruff")
    result = subprocess.run(
        [ruff, "check", "generator", "tests"],
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
