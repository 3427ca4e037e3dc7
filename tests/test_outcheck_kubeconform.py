"""The hand-off to kubeconform, tested with a fake kubeconform first on PATH.

The fake records its arguments and prints canned JSON in kubeconform's ``-output json``
shape: one invalid resource (the Deployment) with a located validation error.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import require_crd_schemas, run_cli
from tests.outcheck_helpers import DEPLOYMENT, copy_rendered, line_of

FAKE = """\
#!{python}
import json, os, sys
with open(os.environ["FAKE_KUBECONFORM_LOG"], "w") as log:
    json.dump(sys.argv[1:], log)
target = [a for a in sys.argv[1:] if a.endswith("/k8s/base/workload/deployment.yaml")]
resources = [{{
    "filename": target[0], "kind": "Deployment", "name": "fingerprint-api",
    "version": "apps/v1", "status": "statusInvalid",
    "msg": "problem validating schema",
    "validationErrors": [{{
        "path": "/spec/template/spec/containers/0/ports/0/containerPort",
        "msg": "expected integer, but got string"}}],
}}] if target and os.environ.get("FAKE_KUBECONFORM_FAIL") else []
files = [a for a in sys.argv[1:] if a.endswith(".yaml")]
print(json.dumps({{"resources": resources, "summary": {{
    "valid": len(files) - len(resources), "invalid": len(resources),
    "errors": 0, "skipped": 0}}}}, indent=2))
sys.exit(1 if resources else 0)
"""


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake kubeconform first on PATH; returns the file its arguments are logged to."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "kubeconform"
    script.write_text(FAKE.format(python=sys.executable))
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    log = tmp_path / "argv.json"
    monkeypatch.setenv("FAKE_KUBECONFORM_LOG", str(log))
    return log


def _is_object(path: Path) -> bool:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return isinstance(doc, dict) and "apiVersion" in doc and "kind" in doc


def _argv(log: Path) -> list[str]:
    args: list[str] = json.loads(log.read_text())
    return args


def test_hand_off_passes_strict_flags_schema_locations_and_files(
    tmp_path: Path, fake: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_rendered(tmp_path)
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    monkeypatch.setenv("FAKE_KUBECONFORM_FAIL", "1")
    result = run_cli(
        [
            "validate",
            "--rendered",
            str(root),
            "--schema-dir",
            str(schemas),
            "--no-build",
            "--kubernetes-version",
            "1.31.2",
        ]
    )
    args = _argv(fake)
    options = [a for a in args if not a.endswith(".yaml")]
    assert options[:4] == ["-strict", "-summary", "-output", "json"]
    assert args[args.index("-kubernetes-version") + 1] == "1.31.2"
    locations = [args[i + 1] for i, a in enumerate(args) if a == "-schema-location"]
    assert locations == [
        "default",
        f"{schemas.resolve()}/{{{{ .Group }}}}/"
        "{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json",
    ]
    files = sorted(
        Path(a).relative_to(root.resolve()).as_posix() for a in args if a.endswith(".yaml")
    )
    objects = sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*.yaml")
        if p.name != "kustomization.yaml" and not p.name.endswith(".patch.yaml") and _is_object(p)
    )
    # every whole-object file; kustomizations and partial patches stay with mrgen
    assert files == objects
    assert result.exit_code == 1, result.stdout + result.stderr
    line, col = line_of(root / DEPLOYMENT, "containerPort")
    assert (
        f"{root / DEPLOYMENT}:{line}:{col + len('containerPort: ')}: document 1 "
        "(Deployment fingerprint-api): spec.template.spec.containers[0].ports[0]."
        "containerPort: expected integer, but got string"
    ) in result.stderr, result.stderr
    assert "checked with kubeconform" in result.stdout


def test_hand_off_clean_run_passes(tmp_path: Path, fake: Path) -> None:
    root = copy_rendered(tmp_path)
    result = run_cli(
        [
            "validate",
            "--rendered",
            str(root),
            "--no-build",
            "--schema-dir",
            str(require_crd_schemas()),
            "--skip-rule",
            "*",
        ]
    )  # known seam defects: test_seams_example.py
    assert result.exit_code == 0, result.stderr
    assert fake.is_file()


def test_python_engine_does_not_call_kubeconform(tmp_path: Path, fake: Path) -> None:
    root = copy_rendered(tmp_path)
    result = run_cli(
        [
            "validate",
            "--rendered",
            str(root),
            "--no-build",
            "--engine",
            "python",
            "--schema-dir",
            str(require_crd_schemas()),
            "--skip-rule",
            "*",
        ]
    )  # known seam defects: test_seams_example.py
    assert result.exit_code == 0, result.stderr
    assert not fake.exists()
    assert "checked with python" in result.stdout


def test_mrgen_own_checks_still_run_with_kubeconform(tmp_path: Path, fake: Path) -> None:
    root = copy_rendered(tmp_path)
    path = root / "k8s" / "base" / "mesh" / "kustomization.yaml"
    path.write_text(path.read_text() + "namePrefx: x-\n")
    result = run_cli(["validate", "--rendered", str(root), "--no-build"])
    assert result.exit_code == 1
    assert "namePrefx: unknown field" in result.stderr


def test_kubeconform_engine_without_kubeconform_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on PATH
    root = copy_rendered(tmp_path)
    result: Any = run_cli(
        ["validate", "--rendered", str(root), "--no-build", "--engine", "kubeconform"]
    )
    assert result.exit_code == 2
    assert "kubeconform is not on PATH" in result.stderr
