"""User extensions end to end: the golden example builds and validates, extensions go
through ownership, `render --check` and the semantic diff like mrgen's own files, and the
rendered bytes are mrgen's serializer's. The located errors are in test_bad_extensions.py.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

from generator import emit
from generator.cli import load_spec
from generator.extensions.loader import read_for
from generator.extensions.source import Source
from generator.loader import load_documents
from generator.render import render
from tests.conftest import EXAMPLE_SPEC, require_crd_schemas, require_tool, run_cli
from tests.k8s_helpers import kustomize_build, validate_core

GOLDEN = Path(__file__).parent / "golden" / "extensions"
GOLDEN_OUT = GOLDEN / "expected"
GOLDEN_EXTENSIONS = GOLDEN / "spec" / "extensions"
SPEC = f"spec/{EXAMPLE_SPEC.name}"
OWNER = "example.com/owner"


def add(project: Path, files: dict[str, str], folder: str = "extensions") -> None:
    for name, text in files.items():
        path = project / "spec" / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def add_golden(project: Path) -> None:
    shutil.copytree(GOLDEN_EXTENSIONS, project / "spec" / "extensions")


def render_ok(project: Path, *extra: str) -> str:
    result = run_cli(["render", SPEC, "--out", "rendered", *extra], cwd=project)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def overlay(project: Path, region: str) -> list[dict[str, Any]]:
    return kustomize_build(project / "rendered" / "k8s" / "overlays" / region)


def kinds(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind]


# --- the golden example ----------------------------------------------------------------------


def test_golden_overlays_build_with_the_extensions_applied() -> None:
    for region in ("us-east-1", "eu-west-1"):
        docs = kustomize_build(GOLDEN_OUT / "k8s" / "overlays" / region)
        deployments = kinds(docs, "Deployment")
        assert sorted(d["metadata"]["name"] for d in deployments) == [
            f"{region}-cache-invalidation",
            f"{region}-fingerprint-api",
        ]
        for deployment in deployments:
            annotations = deployment["metadata"]["annotations"]
            assert annotations[OWNER] == "team-fingerprint"
            assert annotations["example.com/pager"] == f"fingerprint-{region}"
            validate_core(deployment)
        # the user's policy, beside the default-deny set mrgen renders itself
        policies = [
            p
            for p in kinds(docs, "NetworkPolicy")
            if p["metadata"]["name"] == "fingerprint-api-ingress"
        ]
        if region == "eu-west-1":
            (policy,) = policies
            assert policy["metadata"]["labels"] == {"region": "eu-west-1"}
            validate_core(policy)
        else:
            assert policies == []


def test_golden_output_passes_strict_validation_and_builds() -> None:
    require_tool("kubectl")
    result = run_cli(
        [
            "validate",
            "--rendered",
            str(GOLDEN_OUT),
            "--engine",
            "python",
            "--schema-dir",
            str(require_crd_schemas()),
            "--build",
            "--skip-rule",
            "*",
        ]
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "valid" in result.stdout


def test_extensions_add_no_seam_problems(tmp_path: Path) -> None:
    """The seam rules read the extension files like mrgen's own; the example's known open
    seam defects are the same with and without the extensions."""
    (tmp_path / "spec").mkdir()
    shutil.copy(GOLDEN / "spec" / "api.yaml", tmp_path / "spec" / "api.yaml")
    (tmp_path / "pyproject.toml").write_text("")
    assert run_cli(["render", "spec/api.yaml", "--out", "plain"], cwd=tmp_path).exit_code == 0
    found = {}
    for name, folder in (("plain", tmp_path / "plain"), ("extended", GOLDEN_OUT)):
        result = run_cli(
            [
                "validate",
                "--rendered",
                str(folder),
                "--engine",
                "python",
                "--schema-dir",
                str(require_crd_schemas()),
                "--no-build",
            ]
        )
        assert "seam rules checked" in result.stdout, result.stdout + result.stderr
        found[name] = sorted(line.removeprefix(str(folder)) for line in result.stderr.splitlines())
    assert found["extended"] == found["plain"]
    assert not any("extension-" in line for line in found["extended"])


def test_validate_checks_the_extensions(project: Path) -> None:
    add_golden(project)
    result = run_cli(["validate", SPEC], cwd=project)
    assert result.exit_code == 0, result.stderr
    assert "extensions in spec/extensions)" in result.stdout  # then the placeholder count


# --- the same pipeline as mrgen's own output ------------------------------------------------


def test_ownership_check_and_removal(project: Path) -> None:
    add_golden(project)
    render_ok(project)
    out = project / "rendered"
    policy = "k8s/overlays/eu-west-1/extension-region-networkpolicy.yaml"
    record = (out / ".mrgen-files.json").read_text(encoding="utf-8")
    assert policy in record and "k8s/overlays/us-east-1/extension-all-owner.patch.yaml" in record
    assert (
        (out / policy)
        .read_text(encoding="utf-8")
        .startswith(
            "# DO NOT EDIT: generated by mrgen from spec/extensions/eu-west-1/networkpolicy.yaml."
        )
    )
    assert run_cli(["render", SPEC, "--out", "rendered", "--check"], cwd=project).exit_code == 0

    source = project / "spec/extensions/eu-west-1/networkpolicy.yaml"
    source.write_text(source.read_text().replace("port: 8000", "port: 8080"))
    check = run_cli(["render", SPEC, "--out", "rendered", "--check"], cwd=project)
    assert check.exit_code == 1
    assert check.stdout.splitlines() == [f"would update {Path('rendered') / policy}"]

    shutil.rmtree(project / "spec/extensions/eu-west-1")
    assert f"delete {Path('rendered') / policy}" in render_ok(project)
    assert not (out / policy).exists()
    assert "networkpolicy" not in (out / "k8s/overlays/eu-west-1/kustomization.yaml").read_text()


def test_semantic_diff_shows_the_extensions(project: Path) -> None:
    render_ok(project)
    add_golden(project)
    text = run_cli(["diff", SPEC, "--out", "rendered"], cwd=project)
    assert text.exit_code == 1, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0] == "3 changed, 7 added, 0 removed resource(s) in 7 file(s)"
    assert lines[2] == (
        "  + k8s/overlays/eu-west-1/ (3): Deployment cache-invalidation (patch), "
        "Deployment fingerprint-api (patch), NetworkPolicy fingerprint-api-ingress"
    )
    assert "      resources: added extension-region-networkpolicy.yaml" in lines
    markdown = run_cli(["diff", SPEC, "--out", "rendered", "--format", "markdown"], cwd=project)
    assert "`NetworkPolicy fingerprint-api-ingress`" in markdown.stdout
    assert "`Deployment fingerprint-api (patch)`" in markdown.stdout

    rendered = run_cli(["render", SPEC, "--out", "rendered"], cwd=project)
    assert rendered.exit_code == 0, rendered.stderr
    template = project / "spec/extensions/all/owner.patch.yaml.j2"
    template.write_text(template.read_text().replace("team-fingerprint", "team-platform"))
    changed = run_cli(["diff", SPEC, "--out", "rendered"], cwd=project).stdout
    assert changed.splitlines()[0] == "6 changed, 0 added, 0 removed resource(s) in 3 file(s)"
    assert 'metadata.annotations["example.com/owner"]: team-fingerprint -> team-platform' in changed


def test_diff_against_a_git_ref_renders_the_extensions_committed_there(project: Path) -> None:
    git = require_tool("git")
    add_golden(project)

    def run(*args: str) -> None:
        subprocess.run(
            [git, "-c", "user.name=mrgen", "-c", "user.email=mrgen@example.com", *args],
            cwd=project,
            check=True,
            capture_output=True,
        )

    run("init", "-q")
    run("add", "spec", "pyproject.toml")
    run("commit", "-qm", "spec and extensions")
    unchanged = run_cli(["diff", SPEC, "--against", "HEAD"], cwd=project)
    assert unchanged.exit_code == 0, unchanged.stdout + unchanged.stderr
    template = project / "spec/extensions/all/owner.patch.yaml.j2"
    template.write_text(template.read_text().replace("team-fingerprint", "team-platform"))
    changed = run_cli(["diff", SPEC, "--against", "HEAD"], cwd=project)
    assert changed.exit_code == 1, changed.stderr
    assert "team-fingerprint -> team-platform" in changed.stdout
    assert "NetworkPolicy" not in changed.stdout


def test_render_is_deterministic(project: Path) -> None:
    add_golden(project)
    path = project / SPEC
    _, model = load_spec(str(path))
    source = read_for(path, model)
    assert source is not None
    shuffled = Source(
        source.display,
        source.header,
        tuple(reversed(source.files)),
        tuple(reversed(source.folders)),
    )
    first = render(model, source)
    assert first == render(model, shuffled) == render(model, source)
    assert [f.content for f in first] == [f.content for f in render(model, shuffled)]


# --- the bytes are mrgen's -----------------------------------------------------------------


def test_extension_bytes_are_reserialized_in_mrgens_style(project: Path) -> None:
    text = (
        "# a comment that does not reach the output\n"
        "kind: ConfigMap\n"
        "metadata: {namespace: fingerprint-api, name: settings,\n"
        "           labels: &team {team: fingerprint}, annotations: *team}\n"
        "apiVersion: v1\n"
        "data: {switch: on, mode: 0777, answer: yes, list: '1,2'}\n"
        "---\n"
        "apiVersion: v1\n"
        "kind: ConfigMap\n"
        "metadata: {name: copy, namespace: fingerprint-api}\n"
    )
    add(project, {"all/settings.yaml": text})
    render_ok(project)
    got = (project / "rendered/k8s/overlays/us-east-1/extension-all-settings.yaml").read_text()
    body = got.split("\n", 1)[1]
    documents = [d.data for d in load_documents(text, "settings.yaml")]
    assert body == emit.yaml_file("x", *documents).content
    assert "comment" not in body and "&" not in body and "*" not in body
    assert "switch: 'on'" in body and "mode: '0777'" in body and "answer: 'yes'" in body
    assert body.startswith("apiVersion: v1\nkind: ConfigMap\nmetadata:\n")


def test_template_values_go_through_the_serializer(project: Path) -> None:
    add(
        project,
        {
            "all/note.yaml.j2": (
                "apiVersion: v1\nkind: ConfigMap\n"
                "metadata: {name: note, namespace: {{ spec.service.namespace | scalar }}}\n"
                "data:\n  note: {{ 'two lines\\nkind: Secret' | scalar }}\n"
                "  region: {{ region.name | scalar }}\n"
            )
        },
    )
    render_ok(project)
    text = (project / "rendered/k8s/overlays/eu-west-1/extension-all-note.yaml").read_text()
    (doc,) = yaml.safe_load_all(text)
    assert doc["kind"] == "ConfigMap"
    assert doc["data"] == {"note": "two lines\nkind: Secret", "region": "eu-west-1"}


# --- semantics ----------------------------------------------------------------------------


def test_a_users_patch_applies_after_mrgens_own(project: Path) -> None:
    add(
        project,
        {
            "all/gateway.patch.yaml": (
                "apiVersion: networking.istio.io/v1\nkind: Gateway\n"
                "metadata: {name: fingerprint-api-gateway, namespace: fingerprint-api}\n"
                "spec:\n  servers:\n  - hosts: [only.example.com]\n"
                "    port: {name: http, number: 80, protocol: HTTP}\n"
            )
        },
    )
    render_ok(project)
    kustomization = yaml.safe_load(
        (project / "rendered/k8s/overlays/us-east-1/kustomization.yaml").read_text()
    )
    assert kustomization["patches"][-1] == {"path": "extension-all-gateway.patch.yaml"}
    (gateway,) = kinds(overlay(project, "us-east-1"), "Gateway")
    assert gateway["spec"]["servers"] == [
        {"hosts": ["only.example.com"], "port": {"name": "http", "number": 80, "protocol": "HTTP"}}
    ]


def test_a_patch_may_target_an_object_an_extension_adds(project: Path) -> None:
    add(
        project,
        {
            "all/settings.yaml": (
                "apiVersion: v1\nkind: ConfigMap\n"
                "metadata: {name: settings, namespace: fingerprint-api}\n"
                "data: {mode: safe}\n"
            ),
            "eu-west-1/settings.patch.yaml": (
                "apiVersion: v1\nkind: ConfigMap\n"
                "metadata: {name: settings, namespace: fingerprint-api}\ndata: {mode: fast}\n"
            ),
        },
    )
    render_ok(project)
    (eu,) = kinds(overlay(project, "eu-west-1"), "ConfigMap")
    (us,) = kinds(overlay(project, "us-east-1"), "ConfigMap")
    assert (eu["data"], us["data"]) == ({"mode": "fast"}, {"mode": "safe"})
    assert eu["metadata"]["name"] == "settings"  # added objects keep the name written


def test_a_template_can_render_nothing_for_some_regions(project: Path) -> None:
    add(
        project,
        {
            "all/primary.yaml.j2": (
                '{% if region.role == "primary" %}\napiVersion: v1\nkind: ConfigMap\n'
                "metadata: {name: primary-only, namespace: fingerprint-api}\n{% endif %}\n"
            )
        },
    )
    render_ok(project)
    found = sorted(p.parent.name for p in (project / "rendered").rglob("extension-*"))
    assert found == ["us-east-1"]


def test_the_folder_is_settable_and_must_then_exist(project: Path) -> None:
    spec = project / SPEC
    spec.write_text(spec.read_text() + "\nextensions:\n  path: team/extensions\n")
    missing = run_cli(["render", SPEC, "--out", "rendered"], cwd=project)
    assert missing.exit_code == 1
    assert (
        f"{SPEC}: extensions.path: the extensions folder spec/team/extensions does not "
        "exist" in missing.stderr
    )
    add(
        project,
        {
            "eu-west-1/networkpolicy.yaml": (
                GOLDEN_EXTENSIONS / "eu-west-1/networkpolicy.yaml"
            ).read_text()
        },
        folder="team/extensions",
    )
    render_ok(project)
    policy = project / "rendered/k8s/overlays/eu-west-1/extension-region-networkpolicy.yaml"
    assert "from spec/team/extensions/eu-west-1/networkpolicy.yaml." in policy.read_text()


def test_an_absent_or_empty_folder_changes_nothing(project: Path) -> None:
    render_ok(project)
    add(project, {"README.md": "notes\n", "all/.gitkeep": "", "eu-west-1/notes.md": "x\n"})
    check = run_cli(["render", SPEC, "--out", "rendered", "--check"], cwd=project)
    assert check.exit_code == 0, check.stdout + check.stderr


def test_problems_between_files_are_located(project: Path) -> None:
    settings = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: fingerprint-api}\n"
    )
    add(
        project,
        {
            "all/settings.yaml": settings,
            "eu-west-1/settings.yaml": settings,
            "us-east-1/note.yaml": settings.replace("settings", "note"),
            "us-east-1/note.yaml.j2": settings.replace("settings", "note"),
        },
    )
    result = run_cli(["validate", SPEC], cwd=project)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:-1] == [
        "spec/extensions/eu-west-1/settings.yaml:3:18: metadata.name: "
        "spec/extensions/all/settings.yaml adds this object to the overlay too",
        "spec/extensions/us-east-1/note.yaml.j2: spec/extensions/us-east-1/note.yaml makes "
        "the same file (extension-region-note.yaml); keep one of them",
    ]


def test_the_docs_show_the_golden_example() -> None:
    """Every block of docs/extensions.md marked `<!-- same as PATH -->` is that file (the
    golden spec sits in tests/golden/extensions/, so its headers name that folder)."""
    docs = (Path(__file__).parent.parent / "docs" / "extensions.md").read_text()
    blocks = re.findall(r"<!-- same as (\S+) -->\n```[a-z]*\n(.*?)```\n", docs, re.DOTALL)
    assert len(blocks) == 5
    root = Path(__file__).parent.parent
    for path, block in blocks:
        text = (root / path).read_text(encoding="utf-8")
        assert block == text.replace("from tests/golden/extensions/", "from "), path


def test_an_added_object_refers_to_mrgens_objects_by_their_unprefixed_names(project: Path) -> None:
    add(
        project,
        {
            "us-east-1/hpa.yaml": (
                "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n"
                "metadata: {name: watcher, namespace: fingerprint-api}\n"
                "spec:\n  maxReplicas: 3\n"
                "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, "
                "name: cache-invalidation}\n"
            )
        },
    )
    render_ok(project)
    hpas = {
        d["metadata"]["name"]: d
        for d in kinds(overlay(project, "us-east-1"), "HorizontalPodAutoscaler")
    }
    assert hpas["watcher"]["spec"]["scaleTargetRef"]["name"] == "us-east-1-cache-invalidation"
    validate_core(hpas["watcher"])


def test_a_region_named_all_cannot_have_extensions(tmp_path: Path) -> None:
    (tmp_path / "spec").mkdir()
    spec = (Path(__file__).parent / "golden/single-region/spec/api.yaml").read_text()
    (tmp_path / "spec/api.yaml").write_text(spec.replace("- name: eu-central-1", "- name: all"))
    (tmp_path / "pyproject.toml").write_text("")
    assert run_cli(["validate", "spec/api.yaml"], cwd=tmp_path).exit_code == 0
    add(
        tmp_path,
        {"all/settings.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n"},
    )
    result = run_cli(["validate", "spec/api.yaml"], cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "spec/extensions: the spec has a region named 'all', so all/ would mean both that "
        "region and every region: rename the region to use extensions"
    )
