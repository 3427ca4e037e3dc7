"""Rendering is deterministic and the committed rendered/ is what the spec produces."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import EXAMPLE_SPEC, RENDERED, REPO, run_cli, snapshot


def test_committed_rendered_matches_a_fresh_render(tmp_path: Path) -> None:
    result = run_cli(["render", str(EXAMPLE_SPEC), "--out", str(RENDERED), "--check"], cwd=REPO)
    assert result.exit_code == 0, result.stdout + result.stderr


def test_render_twice_is_byte_identical(project: Path) -> None:
    first = run_cli(["render", "--out", "one"], cwd=project)
    second = run_cli(["render", "--out", "two"], cwd=project)
    assert first.exit_code == second.exit_code == 0, first.stderr + second.stderr
    one = {k: v[0] for k, v in snapshot(project / "one").items()}
    two = {k: v[0] for k, v in snapshot(project / "two").items()}
    assert one == two
    assert len(one) > 10
