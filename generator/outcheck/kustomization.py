"""Kustomization files: checked for shape (known fields only), not against a CRD schema.

Also: every local path they list must exist, every object file in their folder must be
listed (kustomize silently ignores the others, so Argo CD would never apply them), and the
files they use as patches are marked so required fields are not demanded of them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path as FsPath
from pathlib import PurePosixPath
from typing import Any

from jsonschema import Draft202012Validator

from generator.errors import Diagnostic
from generator.outcheck.documents import KUSTOMIZATION_NAMES, KUSTOMIZE_GROUP, Document
from generator.outcheck.errors import Finding, findings

_STRINGS = {"type": "array", "items": {"type": "string"}}
_STRING_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
_OBJECTS = {"type": "array", "items": {"type": "object"}}
_TARGET = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        key: {"type": "string"}
        for key in (
            "group",
            "version",
            "kind",
            "name",
            "namespace",
            "labelSelector",
            "annotationSelector",
        )
    },
}

# The top-level fields of kustomize's Kustomization (v5), the list ones typed loosely.
_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"enum": [f"{KUSTOMIZE_GROUP}/v1beta1", f"{KUSTOMIZE_GROUP}/v1alpha1"]},
        "kind": {"enum": ["Kustomization", "Component"]},
        "metadata": {"type": "object"},
        **{
            key: _STRINGS
            for key in (
                "resources",
                "bases",
                "components",
                "crds",
                "configurations",
                "generators",
                "transformers",
                "validators",
                "patchesStrategicMerge",
            )
        },
        **{key: {"type": "string"} for key in ("namespace", "namePrefix", "nameSuffix")},
        **{key: _STRING_MAP for key in ("commonLabels", "commonAnnotations")},
        "labels": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["pairs"],
                "properties": {
                    "pairs": _STRING_MAP,
                    "includeSelectors": {"type": "boolean"},
                    "includeTemplates": {"type": "boolean"},
                    "fields": _OBJECTS,
                },
            },
        },
        "patches": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "path": {"type": "string"},
                    "patch": {"type": "string"},
                    "target": _TARGET,
                    "options": {"type": "object"},
                },
            },
        },
        "images": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name"],
                "properties": {
                    k: {"type": "string"}
                    for k in ("name", "newName", "newTag", "digest", "tagSuffix")
                },
            },
        },
        **{
            key: _OBJECTS
            for key in (
                "patchesJson6902",
                "replicas",
                "configMapGenerator",
                "secretGenerator",
                "vars",
                "replacements",
                "helmCharts",
                "sortOptions",
                "openapi",
                "generatorOptions",
                "helmGlobals",
                "buildMetadata",
            )
        },
    },
}
for _loose in ("sortOptions", "openapi", "generatorOptions", "helmGlobals"):
    _SCHEMA["properties"][_loose] = {"type": "object"}
_SCHEMA["properties"]["buildMetadata"] = _STRINGS


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(_SCHEMA)


def check(document: Document) -> list[Finding]:
    """Shape of one kustomization document."""
    return findings(_validator(), document.data)


def _local(entry: object) -> str | None:
    """A local path entry (URLs and remote bases are kustomize's business)."""
    if not isinstance(entry, str) or "://" in entry or entry.startswith(("github.com/", "git@")):
        return None
    return entry


def _entries(data: dict[str, Any]) -> Iterable[tuple[tuple[str | int, ...], str, bool]]:
    """(path, local file, is a patch) for every file a kustomization names."""
    for key in ("resources", "bases", "components", "patchesStrategicMerge"):
        for i, entry in enumerate(data.get(key) or []):
            if (local := _local(entry)) is not None:
                yield (key, i), local, key == "patchesStrategicMerge"
    for i, patch in enumerate(data.get("patches") or []):
        if isinstance(patch, dict) and (local := _local(patch.get("path"))) is not None:
            yield ("patches", i, "path"), local, True


def _kustomization_in(folder: FsPath) -> bool:
    return any((folder / name).is_file() for name in KUSTOMIZATION_NAMES)


def references(
    root: FsPath,
    display_root: str,
    documents: Sequence[Document],
) -> tuple[list[Document], list[Diagnostic], set[str]]:
    """Mark patch files, check listed paths and unlisted files.

    Returns the documents (patches marked), the problems, and the folders that other
    kustomizations include (the rest are roots: what Argo CD builds).
    """

    def real(display: str) -> FsPath:
        return root / display[len(display_root) :].lstrip("/")

    problems: list[Diagnostic] = []
    patches: set[FsPath] = set()
    listed: set[FsPath] = set()
    included: set[str] = set()
    for document in documents:
        if not document.is_kustomization or not isinstance(document.data, dict):
            continue
        folder = real(document.file).parent
        for path, entry, is_patch in _entries(document.data):
            target = (folder / PurePosixPath(entry)).resolve()
            if not target.exists():
                problems.append(document.diagnostic(path, f"{entry!r} does not exist"))
            elif target.is_dir():
                if not _kustomization_in(target):
                    problems.append(
                        document.diagnostic(path, f"{entry!r} has no kustomization.yaml")
                    )
                included.add(target.as_posix())
            else:
                (patches if is_patch else listed).add(target)
    out: list[Document] = []
    for document in documents:
        file = real(document.file).resolve()
        patch = file in patches or file.name.endswith((".patch.yaml", ".patch.yml"))
        if (
            not document.is_kustomization
            and not patch
            and file not in listed
            and _kustomization_in(file.parent)
        ):
            problems.append(
                document.diagnostic(
                    (), "not listed in its folder's kustomization.yaml, so it is never applied"
                )
            )
        out.append(dataclasses.replace(document, patch=True) if patch else document)
    return out, problems, included
