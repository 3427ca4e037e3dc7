"""Shared test helpers: paths, the CLI runner, and external-tool gating.

Tests that need an external tool (kubectl, promtool, prometheus, the shared schemas)
call :func:`require_tool`. On a user's machine a missing tool skips the test with a
reason naming it; with MRGEN_REQUIRE_TOOLS=1 (set by .ci/run) it fails instead.
"""

from __future__ import annotations

import copy
import functools
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.loader import load_text

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_SPEC = REPO / "spec" / "fingerprint-api.yaml"
RENDERED = REPO / "rendered"
SHARED = REPO.parent / "shared"
CRD_SCHEMAS = SHARED / "schemas" / "crds"


@functools.cache
def _example_spec_data() -> dict[str, Any]:
    data = load_text(EXAMPLE_SPEC.read_text(encoding="utf-8"), EXAMPLE_SPEC.name).data
    assert isinstance(data, dict)
    return data


def example_spec_data() -> dict[str, Any]:
    """THE example spec as data: read once by the product's loader; a fresh, mutable deep
    copy on every call, so tests can edit it freely."""
    return copy.deepcopy(_example_spec_data())


def tools_required() -> bool:
    return os.environ.get("MRGEN_REQUIRE_TOOLS", "") not in ("", "0")


def missing_tool(name: str, why: str) -> None:
    """Skip (or, under MRGEN_REQUIRE_TOOLS=1, fail) because ``name`` is unavailable."""
    message = f"{name} is not available: {why}"
    if tools_required():
        pytest.fail(f"{message} (MRGEN_REQUIRE_TOOLS=1 forbids skipping)")
    pytest.skip(message)


def require_tool(name: str) -> str:
    """The path of executable ``name``, or skip/fail naming it."""
    found = shutil.which(name)
    if not found:
        missing_tool(name, "not found on PATH")
    assert found
    return found


def require_crd_schemas() -> Path:
    """The shared upstream CRD schema folder, or skip/fail naming it."""
    if not CRD_SCHEMAS.is_dir():
        missing_tool("shared CRD schemas", f"{CRD_SCHEMAS} does not exist")
    return CRD_SCHEMAS


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(args: Sequence[str], cwd: Path | None = None) -> CliResult:
    """Run mrgen in-process. An exception other than SystemExit fails the test."""
    runner = CliRunner()
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = runner.invoke(main, list(args), catch_exceptions=True)
    finally:
        os.chdir(old)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return CliResult(result.exit_code, result.stdout, result.stderr)


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder`` with its bytes and inode (to see rewrites)."""
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_ino)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A throwaway project: spec/ with the example spec, and a pyproject marker."""
    (tmp_path / "spec").mkdir()
    shutil.copy(EXAMPLE_SPEC, tmp_path / "spec" / EXAMPLE_SPEC.name)
    shutil.copy(REPO / "spec" / "mrgen.schema.json", tmp_path / "spec" / "mrgen.schema.json")
    (tmp_path / "pyproject.toml").write_text("")
    return tmp_path
