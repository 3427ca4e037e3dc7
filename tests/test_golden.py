"""Golden trees: the whole pipeline, spec to files, compared byte for byte.

Regenerate the expected trees for review with:

    MRGEN_UPDATE_GOLDEN=1 python3 -m pytest tests/test_golden.py

then read `git diff tests/golden` before committing.
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p for p in GOLDEN.iterdir() if p.is_dir())


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_tree(case: Path, tmp_path: Path) -> None:
    (spec,) = sorted((case / "spec").glob("*.yaml"))
    out = tmp_path / "out"
    result = run_cli(["render", str(spec), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    expected_dir = case / "expected"
    if os.environ.get("MRGEN_UPDATE_GOLDEN"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(out, expected_dir)
    got, want = tree(out), tree(expected_dir)
    assert sorted(got) == sorted(want), "file sets differ (MRGEN_UPDATE_GOLDEN=1 regenerates)"
    diffs = [
        "".join(
            difflib.unified_diff(
                want[p].splitlines(keepends=True),
                got[p].splitlines(keepends=True),
                f"expected/{p}",
                f"got/{p}",
            )
        )
        for p in sorted(got)
        if got[p] != want[p]
    ]
    assert not diffs, "\n".join(diffs) + "\n(MRGEN_UPDATE_GOLDEN=1 regenerates for review)"
