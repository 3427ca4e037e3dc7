"""`render --out` somewhere other than the spec's delivery.renderedPath: the Argo CD objects
would point at a folder the render did not write, so mrgen warns naming both paths, and with
--strict refuses before writing anything."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import EXAMPLE_SPEC, run_cli

SPEC = "spec/fingerprint-api.yaml"


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "delivery.renderedPath" in line]


def test_the_default_out_matches_the_default_rendered_path_silently(project: Path) -> None:
    result = run_cli(["render"], cwd=project)
    assert result.exit_code == 0 and _warnings(result.stderr) == []
    again = run_cli(
        ["render", str(project / SPEC), "--out", str(project / "rendered"), "--check"],
        cwd=project.parent,
    )
    assert again.exit_code == 0 and _warnings(again.stderr) == []


def test_another_out_warns_naming_both_paths_and_still_renders(project: Path) -> None:
    result = run_cli(["render", "--out", "elsewhere"], cwd=project)
    assert result.exit_code == 0, result.stderr
    assert _warnings(result.stderr) == [
        f"mrgen: warning: --out elsewhere is not the spec's delivery.renderedPath 'rendered' "
        f"({project.resolve() / 'rendered'}): the rendered Argo CD objects sync "
        f"{project.resolve() / 'rendered'}, so what is written to elsewhere is not what gets "
        "deployed"
    ]
    assert (project / "elsewhere" / "k8s").is_dir()
    check = run_cli(["render", "--out", "elsewhere", "--check"], cwd=project)
    assert check.exit_code == 0 and len(_warnings(check.stderr)) == 1


def test_the_rendered_path_is_resolved_in_the_project_not_the_working_folder(project: Path) -> None:
    """`--out rendered` from the parent folder is <parent>/rendered: not the project's."""
    result = run_cli(["render", str(project / SPEC), "--out", "rendered"], cwd=project.parent)
    assert result.exit_code == 0
    [warning] = _warnings(result.stderr)
    assert "--out rendered is not" in warning and f"({project.resolve() / 'rendered'})" in warning


def test_strict_refuses_before_writing(project: Path) -> None:
    result = run_cli(["render", "--out", "elsewhere", "--strict"], cwd=project)
    assert result.exit_code == 1
    [error] = _warnings(result.stderr)
    assert error.startswith("mrgen: error: --out elsewhere is not the spec's delivery.")
    assert not (project / "elsewhere").exists()
    assert run_cli(["render", "--strict"], cwd=project).exit_code == 0


def test_a_custom_rendered_path_is_the_one_compared(project: Path) -> None:
    spec = project / SPEC
    spec.write_text(
        spec.read_text(encoding="utf-8").replace(
            "renderedPath: rendered", "renderedPath: deploy/rendered"
        ),
        encoding="utf-8",
    )
    default = run_cli(["render", "--strict"], cwd=project)
    assert default.exit_code == 1 and "'deploy/rendered'" in default.stderr
    custom = run_cli(["render", "--out", "deploy/rendered", "--strict"], cwd=project)
    assert custom.exit_code == 0 and _warnings(custom.stderr) == []
    app = (project / "deploy/rendered/argocd/applicationset-fingerprint-api.yaml").read_text()
    assert "deploy/rendered/k8s/overlays/" in app


def test_without_a_project_marker_the_project_holds_spec_or_the_spec(tmp_path: Path) -> None:
    root = tmp_path / "deploy"
    (root / "spec").mkdir(parents=True)
    shutil.copy(EXAMPLE_SPEC, root / SPEC)
    inside = run_cli(["render", "--strict"], cwd=root)
    assert inside.exit_code == 0 and _warnings(inside.stderr) == []
    outside = run_cli(["render", str(root / SPEC), "--strict"], cwd=tmp_path)
    assert outside.exit_code == 1 and f"({root.resolve() / 'rendered'})" in outside.stderr
    flat = tmp_path / "flat"
    flat.mkdir()
    shutil.copy(EXAMPLE_SPEC, flat / "deploy.yaml")
    beside = run_cli(["render", "deploy.yaml", "--strict"], cwd=flat)
    assert beside.exit_code == 0 and _warnings(beside.stderr) == []
