"""The bad-spec corpus: each file in tests/bad_specs carries its expected messages.

Every `# expect: LINE:COL: PATH: MESSAGE` line is one diagnostic that `mrgen validate`
and `mrgen render` must print (prefixed by the file name), and no other diagnostic may
appear. Both exit 1, print no traceback, and leave an existing output folder untouched.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_SPEC, run_cli, snapshot

CORPUS = Path(__file__).parent / "bad_specs"
CASES = sorted(CORPUS.glob("*.yaml"))


def expected(case: Path) -> list[str]:
    lines = case.read_bytes().split(b"\n")
    marker = b"# expect: "
    found = [ln[len(marker) :].decode("ascii") for ln in lines if ln.startswith(marker)]
    assert found, f"{case.name} has no '# expect:' line"
    return [f"{case.name}:{e}" for e in found]


def diagnostics(stderr: str) -> list[str]:
    """The diagnostic lines (a YAML syntax error also shows its source line and a caret,
    on lines of their own starting with '    |')."""
    return [line for line in stderr.splitlines() if not line.startswith(("mrgen: ", "    |"))]


@pytest.fixture(scope="module")
def rendered_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out") / "rendered"
    result = run_cli(["render", str(EXAMPLE_SPEC), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    return out


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_validate_reports_located_errors(case: Path) -> None:
    result = run_cli(["validate", case.name], cwd=CORPUS)
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert diagnostics(result.stderr) == expected(case)
    count = len(expected(case))
    plural = "s" if count > 1 else ""
    assert result.stderr.splitlines()[-1] == f"mrgen: {count} problem{plural} found"


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_render_fails_and_leaves_output_untouched(case: Path, rendered_out: Path) -> None:
    before = snapshot(rendered_out)
    result = run_cli(["render", case.name, "--out", str(rendered_out)], cwd=CORPUS)
    assert result.exit_code == 1
    assert diagnostics(result.stderr) == expected(case)
    assert snapshot(rendered_out) == before
    assert not any(p.name.endswith("mrgen-staging") for p in rendered_out.parent.iterdir())
