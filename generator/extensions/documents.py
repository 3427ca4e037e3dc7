"""An extension file's text -> its Kubernetes documents, each shape-checked and located.

Read with the spec's strict YAML rules (YAML 1.2 scalars, no duplicate keys, tags or merge
keys); what comes out is plain data that mrgen's serializer writes again, so the rendered
bytes are mrgen's style and no text of the file reaches the output unparsed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.errors import Diagnostic, MrgenError, at
from generator.loader import LoadedSpec, load_documents

KUSTOMIZE_GROUP = "kustomize.config.k8s.io/"


@dataclass(frozen=True, order=True)
class Identity:
    """How kustomize tells objects apart (and matches a patch to its target)."""

    api_version: str
    kind: str
    namespace: str
    """Empty when the object has none."""
    name: str

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0]

    def describe(self) -> str:
        where = f" in namespace {self.namespace}" if self.namespace else " without a namespace"
        return f"{self.api_version} {self.kind} {self.name!r}{where}"


@dataclass(frozen=True)
class Document:
    data: dict[str, Any]
    loaded: LoadedSpec
    """Positions of its values, for located problems."""

    @property
    def identity(self) -> Identity:
        meta = self.data["metadata"]
        return Identity(
            self.data["apiVersion"], self.data["kind"], meta.get("namespace") or "", meta["name"]
        )

    def problem(self, path: tuple[str | int, ...], message: str) -> Diagnostic:
        return self.loaded.diagnostic(path, message)


def _at(loaded: LoadedSpec, path: tuple[str, ...], message: str) -> Diagnostic:
    """A problem at ``path`` of the document; at its start (no path shown) for ``()``."""
    if path:
        return loaded.diagnostic(path, message)
    line, col = loaded.where(())
    return at(loaded.file, message, line=line, col=col)


def _shape(loaded: LoadedSpec) -> list[Diagnostic]:
    """Why a document is not a Kubernetes object mrgen can place, if it is not."""
    data = loaded.data
    named = "every document is a Kubernetes object with apiVersion, kind and metadata.name"
    if not isinstance(data, dict):
        what = "a list" if isinstance(data, list) else f"the value {data!r}"
        return [_at(loaded, (), f"not a Kubernetes object but {what}: {named}")]
    found = []
    for key in ("apiVersion", "kind"):
        if key not in data:
            found.append(_at(loaded, (), f"missing {key}: {named}"))
        elif not isinstance(data[key], str) or not data[key]:
            found.append(_at(loaded, (key,), f"{key} must be a non-empty string"))
    meta = data.get("metadata")
    if not isinstance(meta, dict) or "name" not in meta:
        where = ("metadata",) if "metadata" in data else ()
        found.append(_at(loaded, where, f"missing metadata.name: {named}"))
        return found
    if not isinstance(meta["name"], str) or not meta["name"]:
        found.append(_at(loaded, ("metadata", "name"), "metadata.name must be a non-empty string"))
    if "namespace" in meta and not isinstance(meta["namespace"], str):
        found.append(_at(loaded, ("metadata", "namespace"), "metadata.namespace must be a string"))
    api_version, kind = data.get("apiVersion"), data.get("kind")
    if isinstance(api_version, str) and api_version.startswith(KUSTOMIZE_GROUP):
        found.append(
            _at(
                loaded,
                ("apiVersion",),
                (
                    "kustomize configuration is not an extension: mrgen writes every "
                    "kustomization.yaml; add objects (*.yaml) and patches (*.patch.yaml) instead"
                ),
            )
        )
    elif isinstance(kind, str) and kind.endswith("List") and "items" in data:
        found.append(
            _at(
                loaded,
                ("kind",),
                "a List is not read: write each item as its own document, separated by ---",
            )
        )
    return found


def parse(text: str, file: str) -> tuple[list[Document], list[Diagnostic]]:
    """The documents of ``text`` that are well-formed objects, and every problem found."""
    try:
        loaded = load_documents(text, file, "the extension")
    except MrgenError as exc:
        return [], list(exc.diagnostics)
    documents: list[Document] = []
    problems: list[Diagnostic] = []
    for each in loaded:
        found = _shape(each)
        problems.extend(found)
        if not found:
            documents.append(Document(each.data, each))
    return documents, problems
