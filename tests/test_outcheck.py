"""`mrgen validate --rendered`: the example render passes; hand-broken copies fail, located."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.errors import format_path
from generator.outcheck import check_tree
from tests.conftest import RENDERED, require_crd_schemas, require_tool, run_cli
from tests.outcheck_helpers import (
    DEPLOYMENT,
    MESH,
    add_to_kustomization,
    copy_rendered,
    edit_yaml,
    k8s_documents,
    line_of,
)

PYTHON = ["--engine", "python"]
NO_SEAMS = ["--skip-rule", "*"]
"""These tests are about strict schema validation; the example render has known open seam
defects (tests/test_seams_example.py), so the seam rules are skipped here."""


def validate(folder: Path, *extra: str) -> Any:
    """Validate with the python engine and, unless a test names its own, the shared schemas:
    the render holds custom resources, and a kind without a schema is an error."""
    schemas = [] if "--schema-dir" in extra else ["--schema-dir", str(require_crd_schemas())]
    return run_cli(["validate", "--rendered", str(folder), *PYTHON, *schemas, *NO_SEAMS, *extra])


def test_example_render_is_valid() -> None:
    crds = require_crd_schemas()
    result = validate(RENDERED, "--schema-dir", str(crds), "--no-build")
    assert result.exit_code == 0, result.stderr
    assert f"{k8s_documents(RENDERED)} documents" in result.stdout
    assert "other files skipped" in result.stdout


def test_example_kustomize_builds_are_valid() -> None:
    crds = require_crd_schemas()
    require_tool("kubectl")
    roots = [p for p in (RENDERED / "k8s" / "overlays").iterdir() if p.is_dir()]
    platform = RENDERED / "k8s" / "platform"
    if platform.is_dir():
        roots += [p for p in platform.iterdir() if p.is_dir()]
    result = validate(RENDERED, "--schema-dir", str(crds), "--build")
    assert result.exit_code == 0, result.stderr
    assert f"{len(roots)} kustomize builds" in result.stdout


def test_check_tree_api_on_the_example() -> None:
    assert check_tree(RENDERED, [require_crd_schemas()]) == []


def _wrong_type(root: Path) -> tuple[str, str, str]:
    path = root / DEPLOYMENT
    path.write_text(path.read_text().replace("containerPort: 8000", "containerPort: x"))
    line, col = line_of(path, "containerPort: x")
    return (
        f"{path}:{line}:{col + len('containerPort: ')}: document 1 (Deployment "
        "fingerprint-api): spec.template.spec.containers[0].ports[0].containerPort: "
        "'x' is not of type 'integer'",
        DEPLOYMENT,
        "",
    )


def _unknown_field(root: Path) -> tuple[str, str, str]:
    path = root / DEPLOYMENT
    edit_yaml(path, lambda d: d["spec"]["template"]["spec"].update(serviceAcountName="x"))
    line, col = line_of(path, "serviceAcountName")
    return (
        f"{path}:{line}:{col}: document 1 (Deployment fingerprint-api): "
        "spec.template.spec.serviceAcountName: unknown field (not in the schema)",
        DEPLOYMENT,
        "",
    )


def _missing_required(root: Path) -> tuple[str, str, str]:
    path = root / DEPLOYMENT
    edit_yaml(path, lambda d: d["spec"].pop("selector"))
    line, col = line_of(path, "revisionHistoryLimit")
    return (
        f"{path}:{line}:{col}: document 1 (Deployment fingerprint-api): spec: "
        "'selector' is a required property",
        DEPLOYMENT,
        "",
    )


def _unknown_kind(root: Path) -> tuple[str, str, str]:
    path = root / MESH / "widget.yaml"
    path.write_text(
        "apiVersion: widgets.example.com/v1\nkind: Widget\n"
        "metadata:\n  name: gizmo\n  namespace: fingerprint-api\n"
    )
    add_to_kustomization(root / MESH, "widget.yaml")
    return (
        f"{path}:1:1: document 1 (Widget gizmo): (root): no schema for "
        "widgets.example.com/v1 Widget",
        f"{MESH}/widget.yaml",
        "",
    )


def _bad_name(root: Path) -> tuple[str, str, str]:
    path = root / MESH / "service.yaml"
    edit_yaml(path, lambda d: d["metadata"].update(name="Fingerprint_API"))
    line, col = line_of(path, "Fingerprint_API")
    return (
        f"{path}:{line}:{col}: document 1 (Service Fingerprint_API): metadata.name: "
        "'Fingerprint_API' is not a valid Service name",
        f"{MESH}/service.yaml",
        "",
    )


def _kustomization_field(root: Path) -> tuple[str, str, str]:
    path = root / MESH / "kustomization.yaml"
    edit_yaml(path, lambda d: d.update(namePrefx="x-"))
    line, col = line_of(path, "namePrefx")
    return (
        f"{path}:{line}:{col}: document 1 (Kustomization): namePrefx: unknown field",
        f"{MESH}/kustomization.yaml",
        "",
    )


def _unlisted_file(root: Path) -> tuple[str, str, str]:
    path = root / MESH / "configmap.yaml"
    path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  a: b\n")
    return (
        f"{path}:1:1: document 1 (ConfigMap extra): (root): not listed in its folder's "
        "kustomization.yaml",
        f"{MESH}/configmap.yaml",
        "",
    )


@pytest.mark.parametrize(
    "breakage",
    [
        _wrong_type,
        _unknown_field,
        _missing_required,
        _unknown_kind,
        _bad_name,
        _kustomization_field,
        _unlisted_file,
    ],
)
def test_hand_broken_file_fails_with_a_located_message(tmp_path: Path, breakage: Any) -> None:
    root = copy_rendered(tmp_path)
    expected, _, _ = breakage(root)
    result = validate(root, "--no-build")
    assert result.exit_code == 1, result.stdout + result.stderr
    assert expected in result.stderr, result.stderr
    assert "problem" in result.stderr.splitlines()[-1]


def test_check_tree_reports_the_same_problem(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    expected, rel, _ = _wrong_type(root)
    found = [str(d) for d in check_tree(root, [])]
    assert [d for d in found if d.startswith(f"{root / rel}:")] == [expected]


def test_broken_file_is_reported_once_not_again_per_build(tmp_path: Path) -> None:
    require_tool("kubectl")
    root = copy_rendered(tmp_path)
    _wrong_type(root)
    result = validate(root, "--build")
    assert result.exit_code == 1
    problems = [line for line in result.stderr.splitlines() if "containerPort" in line]
    assert len(problems) == 1, result.stderr


def test_problem_only_in_a_build_is_reported_on_the_build(tmp_path: Path) -> None:
    require_tool("kubectl")
    root = copy_rendered(tmp_path)
    overlay = next(p for p in sorted((root / "k8s" / "overlays").iterdir()) if p.is_dir())
    # A prefix that makes every built name invalid, though each file is fine on its own.
    edit_yaml(overlay / "workload" / "kustomization.yaml", lambda d: d.update(namePrefix="Bad_"))
    result = validate(root, "--build")
    assert result.exit_code == 1
    built = [
        line
        for line in result.stderr.splitlines()
        if line.startswith(f"{overlay} (kubectl kustomize):")
    ]
    assert built, result.stderr
    assert all(
        ": document " in line and "metadata.name: 'Bad_" in line and "is not a valid name" in line
        for line in built
    ), result.stderr
    assert any("'Bad_fingerprint-api'" in line for line in built), result.stderr


def test_duplicate_object_in_a_build_is_an_error(tmp_path: Path) -> None:
    require_tool("kubectl")
    root = copy_rendered(tmp_path)
    overlay = next(p for p in sorted((root / "k8s" / "overlays").iterdir()) if p.is_dir())
    # The overlay includes the mesh base twice: the same Namespace and Service, twice.
    edit_yaml(
        overlay / "kustomization.yaml",
        lambda d: d["resources"].append("../../base/mesh/namespace.yaml"),
    )
    result = validate(root, "--build")
    assert result.exit_code == 1
    assert f"{overlay} (kubectl kustomize)" in result.stderr, result.stderr


def test_patch_files_may_be_partial_but_not_wrong(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    folder = root / "k8s" / "base" / "workload"
    patch = folder / "replicas.patch.yaml"
    patch.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
        "  name: fingerprint-api\nspec:\n  revisionHistoryLimit: 3\n"
    )
    edit_yaml(
        folder / "kustomization.yaml", lambda d: d.update(patches=[{"path": "replicas.patch.yaml"}])
    )
    assert validate(root, "--no-build").exit_code == 0  # no selector/template: fine in a patch
    patch.write_text(patch.read_text() + "  replica: 3\n")
    result = validate(root, "--no-build")
    assert result.exit_code == 1
    assert (
        "replicas.patch.yaml:7:3: document 1 (Deployment fingerprint-api): spec.replica: "
        "unknown field" in result.stderr
    ), result.stderr


def test_non_kubernetes_files_are_skipped_and_counted(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    before = validate(root, "--no-build")
    (root / "monitoring").mkdir(exist_ok=True)
    (root / "monitoring" / "extra-prometheus.yml").write_text("global:\n  scrape_interval: 15s\n")
    (root / "monitoring" / "extra-rules.yaml").write_text("groups:\n- name: x\n  rules: []\n")
    (root / "route53").mkdir(exist_ok=True)
    (root / "route53" / "extra-batch.json").write_text('{"Changes": []}\n')
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "extra-runbook.md").write_text("# runbook\n")
    after = validate(root, "--no-build")
    assert before.exit_code == after.exit_code == 0, after.stderr

    def skipped(text: str) -> int:
        return int(text.split(" other files skipped")[0].rsplit(" ", 1)[-1])

    assert skipped(after.stdout) == skipped(before.stdout) + 4


def test_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = validate(tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "nowhere" in result.stderr


def test_spec_and_rendered_together_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli(["validate", "spec.yaml", "--rendered", str(tmp_path)])
    assert result.exit_code == 2
    assert "not both" in result.stderr


def test_default_folder_is_rendered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy_rendered(tmp_path)
    monkeypatch.setenv("MRGEN_SCHEMA_DIR", str(require_crd_schemas()))
    result = run_cli(["validate", "--rendered", *PYTHON, "--no-build", *NO_SEAMS], cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("rendered: ")


def test_yaml_11_booleans_are_caught(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    path = root / MESH / "namespace.yaml"
    data = yaml.safe_load(path.read_text())
    assert isinstance(data["metadata"].get("labels"), dict)
    path.write_text(path.read_text().replace("labels:\n", "labels:\n    sidecar: on\n", 1))
    result = validate(root, "--no-build")
    assert result.exit_code == 1
    assert "metadata.labels.sidecar: True is not of type 'string'" in result.stderr


def _core(api_version: str) -> bool:
    group = api_version.split("/")[0] if "/" in api_version else ""
    return "." not in group or group.endswith(".k8s.io")


def test_core_validation_agrees_with_kubernetes_validate() -> None:
    import kubernetes_validate

    from generator.outcheck.check import check_documents
    from generator.outcheck.documents import discover

    documents = [
        d
        for d in discover(RENDERED).documents
        if not d.is_kustomization
        and not str(d.file).endswith(".patch.yaml")
        and _core(str(d.data.get("apiVersion", "")))
    ]
    assert documents
    for document in documents:
        kubernetes_validate.validate(document.data, "1.32.0", strict=True)  # raises if invalid
    deployment = next(d for d in documents if d.kind == "Deployment")
    broken = yaml.safe_load(yaml.safe_dump(deployment.data))
    broken["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "x"
    with pytest.raises(kubernetes_validate.ValidationError) as caught:
        kubernetes_validate.validate(broken, "1.32.0", strict=True)
    ours = check_documents([type(deployment)(deployment.file, 1, broken)])
    assert [d.path.split(": ", 1)[1] for d in ours] == [
        format_path(tuple(caught.value.absolute_path))
    ]


def test_duplicates_in_one_build_stream() -> None:
    from generator.outcheck.build import duplicates
    from generator.outcheck.documents import parse_yaml

    one = "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  namespace: n\n"
    other_version = one.replace("v1", "v2")  # same group, kind, namespace, name
    elsewhere = one.replace("namespace: n", "namespace: m")
    documents, problems = parse_yaml("---\n".join([one, elsewhere, other_version]), "build")
    assert problems == []
    found = [str(d) for d in duplicates(documents)]
    assert found == [
        "build:13:1: document 3 (Service a): (root): duplicate object: Service "
        "n/a is also document 1 (Service a)"
    ]
