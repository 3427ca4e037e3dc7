"""Building overlays with kubectl kustomize and validating core kinds strictly."""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from generator.section import RenderedFile
from tests.conftest import require_tool

K8S_VERSION = "1.32.0"


def kustomize_build(folder: Path) -> list[dict[str, Any]]:
    """`kubectl kustomize folder`, parsed; fails the test with kubectl's message."""
    kubectl = require_tool("kubectl")
    result = subprocess.run(
        [kubectl, "kustomize", str(folder)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, f"kubectl kustomize {folder} failed:\n{result.stderr}"
    assert "Warning" not in result.stderr, result.stderr
    docs = [d for d in yaml.safe_load_all(result.stdout) if d is not None]
    assert all(isinstance(d, dict) for d in docs)
    return docs


def validate_core(doc: dict[str, Any]) -> None:
    """Strict validation against the Kubernetes JSON schemas shipped by kubernetes-validate."""
    import kubernetes_validate

    kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def key(doc: dict[str, Any]) -> tuple[str, str, str, str]:
    meta = doc.get("metadata", {})
    return (doc["apiVersion"], doc["kind"], meta.get("namespace", ""), meta["name"])


def strict_problems(files: Sequence[RenderedFile], schema_dirs: Sequence[Path] = ()) -> list[str]:
    """The product's own strict validation (``mrgen validate --rendered``'s python engine)
    over rendered files held in memory: every problem, as printed."""
    from generator.errors import Diagnostic
    from generator.outcheck.check import check_documents
    from generator.outcheck.documents import Document, is_object, parse_yaml

    documents: list[Document] = []
    problems: list[Diagnostic] = []
    for file in files:
        if file.path.endswith((".yaml", ".yml")):
            parsed, found = parse_yaml(file.content, file.path)
            problems.extend(found)
            # as `validate --rendered` does: files holding no Kubernetes object are skipped
            if any(is_object(d.data) for d in parsed):
                patch = file.path.endswith(".patch.yaml")  # the product's file-name rule
                documents.extend(dataclasses.replace(d, patch=patch) for d in parsed)
    problems.extend(check_documents(documents, schema_dirs))
    return [str(p) for p in problems]
