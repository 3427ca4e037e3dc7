"""Shared helpers of the replication tests: render a spec, build overlays with kubectl."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.conftest import example_spec_data, run_cli
from tests.k8s_helpers import kustomize_build

Doc = dict[str, Any]


def example_data() -> Doc:
    return example_spec_data()


def write_spec(folder: Path, data: Doc) -> Path:
    """A project folder holding ``data`` as its only spec."""
    (folder / "spec").mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text("")
    path = folder / "spec" / "spec.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def render_to(folder: Path, data: Doc) -> Path:
    """Render ``data`` with the CLI; returns the output folder."""
    write_spec(folder, data)
    result = run_cli(["render", "--out", "out"], cwd=folder)
    assert result.exit_code == 0, result.stderr
    return folder / "out"


def docs_under(folder: Path) -> dict[str, list[Doc]]:
    """Every rendered YAML file (relative path) with its documents."""
    return {
        p.relative_to(folder).as_posix(): [d for d in yaml.safe_load_all(p.read_text()) if d]
        for p in sorted(folder.rglob("*.yaml"))
    }


kustomize = kustomize_build  # `kubectl kustomize folder`, parsed (tests.k8s_helpers)


def of_kind(docs: list[Doc], kind: str) -> list[Doc]:
    return [d for d in docs if d.get("kind") == kind]


def pod_specs(docs: list[Doc]) -> list[tuple[Doc, Doc]]:
    """(object, pod template) of every Deployment and CronJob."""
    found = []
    for doc in docs:
        if doc["kind"] == "Deployment":
            found.append((doc, doc["spec"]["template"]))
        elif doc["kind"] == "CronJob":
            found.append((doc, doc["spec"]["jobTemplate"]["spec"]["template"]))
    return found


def bucket_of(data: Doc, region: str) -> str:
    """The bucket the guide names for ``region``: <prefix>-<region name>."""
    return f"{data['replication']['bucketPrefix']}-{region}"
