"""Helpers for the output-validation tests: a throwaway copy of the example render."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import RENDERED

DEPLOYMENT = "k8s/base/workload/deployment.yaml"
MESH = "k8s/base/mesh"


def copy_rendered(tmp_path: Path) -> Path:
    """A copy of the committed example render, to break by hand."""
    out = tmp_path / "rendered"
    shutil.copytree(RENDERED, out)
    return out


def edit_yaml(path: Path, change: Callable[[Any], None]) -> None:
    """Load a one-document YAML file, change it, write it back (block style)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def add_to_kustomization(folder: Path, file_name: str) -> None:
    """List a new file in ``folder``'s kustomization, as mrgen would."""
    edit_yaml(folder / "kustomization.yaml", lambda data: data["resources"].append(file_name))


def line_of(path: Path, needle: str) -> tuple[int, int]:
    """1-based line and column of the first ``needle`` in ``path``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(f"{needle!r} not in {path}")


def k8s_documents(root: Path) -> int:
    """Kubernetes objects and kustomizations under ``root``, counted independently."""
    count = 0
    for path in sorted(root.rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if isinstance(doc, dict) and "apiVersion" in doc and "kind" in doc:
                count += 1
    return count
