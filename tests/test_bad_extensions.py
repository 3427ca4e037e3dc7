"""The bad-extension corpus: each file in tests/bad_extensions is one user extension with
its expected messages.

`# place: FOLDER/NAME` says where the case goes in the example project's `spec/extensions/`;
every `# expect: DIAGNOSTIC` line is one diagnostic that `mrgen validate` and `mrgen render`
must print, and no other may appear. Both exit 1, print no traceback, and leave an existing
output folder untouched.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_SPEC, run_cli, snapshot

CORPUS = Path(__file__).parent / "bad_extensions"
CASES = sorted(CORPUS.iterdir())
SPEC = f"spec/{EXAMPLE_SPEC.name}"


def header(case: Path, key: str) -> list[str]:
    marker = f"# {key}: "
    return [
        line[len(marker) :]
        for line in case.read_text(encoding="utf-8").splitlines()
        if line.startswith(marker)
    ]


def diagnostics(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.startswith("mrgen: ")]


def place(case: Path, root: Path) -> Path:
    """A project with the example spec and the case placed in its extensions folder."""
    (root / "spec").mkdir(parents=True)
    shutil.copy(EXAMPLE_SPEC, root / SPEC)
    (root / "pyproject.toml").write_text("")
    (where,) = header(case, "place")
    target = root / "spec" / "extensions" / where
    target.parent.mkdir(parents=True)
    shutil.copy(case, target)
    return root


@pytest.fixture(scope="module")
def rendered_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out") / "rendered"
    result = run_cli(["render", str(EXAMPLE_SPEC), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    return out


def test_corpus_covers_the_contract() -> None:
    assert len(CASES) >= 20
    for case in CASES:
        assert len(header(case, "place")) == 1, f"{case.name} needs one '# place:' line"
        assert header(case, "expect"), f"{case.name} has no '# expect:' line"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_validate_reports_located_errors(case: Path, tmp_path: Path) -> None:
    root = place(case, tmp_path)
    result = run_cli(["validate", SPEC], cwd=root)
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert diagnostics(result.stderr) == header(case, "expect")
    # a syntax error shows its line and a caret under it: those lines are not problems
    count = len([line for line in header(case, "expect") if not line.startswith("    |")])
    assert result.stderr.splitlines()[-1] == f"mrgen: {count} problem{'s' * (count > 1)} found"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_render_fails_and_leaves_output_untouched(
    case: Path, tmp_path: Path, rendered_out: Path
) -> None:
    root = place(case, tmp_path)
    before = snapshot(rendered_out)
    result = run_cli(["render", SPEC, "--out", str(rendered_out)], cwd=root)
    assert result.exit_code == 1
    assert diagnostics(result.stderr) == header(case, "expect")
    assert snapshot(rendered_out) == before
    assert not any(p.name.endswith("mrgen-staging") for p in rendered_out.parent.iterdir())
