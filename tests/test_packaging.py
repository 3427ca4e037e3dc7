"""A plain `pip install .` ships the templates and the schema: build the wheel and render
from it, with the source tree out of reach."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import EXAMPLE_SPEC, REPO


def test_wheel_carries_templates_and_schema_and_renders(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(REPO),
        ],
        check=True,
        timeout=120,
        capture_output=True,
    )
    (wheel,) = dist.glob("mrgen-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    templates = {p.relative_to(REPO).as_posix() for p in (REPO / "templates").rglob("*.j2")}
    assert {f"generator/_data/{t}" for t in templates} <= names
    assert "generator/_data/mrgen.schema.json" in names
    project = tmp_path / "project"
    (project / "spec").mkdir(parents=True)
    (project / "spec" / "fingerprint-api.yaml").write_text(EXAMPLE_SPEC.read_text())
    (project / ".git").mkdir()
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import generator.resources as r;"
        "assert str(r.templates_dir()).startswith(sys.argv[1]), r.templates_dir();"
        "from generator.cli import run; sys.argv = ['mrgen', 'render']; run()"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", code, str(tmp_path / "site")],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (project / "rendered/k8s/base/workload/deployment.yaml").is_file()
