"""A read-only model of a rendered tree: every document with its file and position.

Every YAML and JSON document under the root is kept (Kubernetes objects, kustomizations,
Prometheus configurations, rule files, Route53 change batches), each as an
:class:`~generator.outcheck.documents.Document` that knows where each of its values is
written. Markdown files are kept as text (the runbook). Kubernetes objects are also
wrapped as :class:`Obj` and indexed by group, kind, namespace and name.

Objects appear in two views: the *file view* (each object as written, no cluster) and the
*placed view* (:mod:`generator.seams.placement`: what each Argo CD Application applies to
which cluster, after kustomize).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

from generator.errors import Diagnostic, Path
from generator.outcheck.documents import (
    KUSTOMIZATION_NAMES,
    RECORD,
    YAML_SUFFIXES,
    Document,
    is_object,
    parse_yaml,
)

_MAX_POSITIONED_JSON = 512 * 1024  # larger JSON files (dashboards) are read without positions


def group_of(api_version: str) -> str:
    return api_version.rpartition("/")[0]


def mapping(value: object) -> dict[str, Any]:
    """``value`` when it is a mapping, else an empty one (rendered data can be anything)."""
    return value if isinstance(value, dict) else {}


def items(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def text(value: object) -> str:
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class Obj:
    """One Kubernetes object: its effective content and where it is written.

    ``docs`` are the documents it came from, the base first and then every patch applied
    to it; ``prefix`` maps paths of ``data`` into them (an Application generated from an
    ApplicationSet lives under ``spec.template`` of the ApplicationSet).
    """

    data: dict[str, Any]
    docs: tuple[Document, ...]
    namespace: str = ""
    cluster: str | None = None
    app: str = ""
    prefix: Path = ()

    @property
    def doc(self) -> Document:
        return self.docs[0]

    @property
    def api_version(self) -> str:
        return text(self.data.get("apiVersion"))

    @property
    def group(self) -> str:
        return group_of(self.api_version)

    @property
    def kind(self) -> str:
        return text(self.data.get("kind"))

    @property
    def meta(self) -> dict[str, Any]:
        return mapping(self.data.get("metadata"))

    @property
    def name(self) -> str:
        return text(self.meta.get("name"))

    @property
    def labels(self) -> dict[str, Any]:
        return mapping(self.meta.get("labels"))

    @property
    def annotations(self) -> dict[str, Any]:
        return mapping(self.meta.get("annotations"))

    @property
    def spec(self) -> dict[str, Any]:
        return mapping(self.data.get("spec"))

    @property
    def ref(self) -> str:
        """``Kind namespace/name`` as users read it (the name as written in its file)."""
        name = self.source_name
        return f"{self.kind} {self.namespace}/{name}" if self.namespace else f"{self.kind} {name}"

    @property
    def source_name(self) -> str:
        """The name in the file (before a kustomize prefix); the effective name otherwise."""
        if self.prefix:
            return self.name
        written = self.doc.name
        return written if written and self.name.endswith(written) else self.name

    def where(self, path: Path) -> tuple[Document, Path]:
        """The document and path that best show ``path`` of this object: the last patch that
        sets it, else the base document."""
        full = (*self.prefix, *path)
        for document in reversed(self.docs[1:]):
            if full in document.positions:
                return document, full
        return self.doc, full


@dataclass
class Placement:
    """One Argo CD Application: where it syncs and the objects it applies there."""

    app: Obj
    cluster: str
    """The destination cluster's name ('' when only a server URL that no cluster names)."""
    server: str
    namespace: str
    project: str
    objects: list[Obj] = field(default_factory=list)
    opaque: list[str] = field(default_factory=list)
    """Sources whose objects are not in the tree (Helm charts, other repositories)."""
    folders: list[str] = field(default_factory=list)
    """The rendered folders it syncs."""


@dataclass
class Tree:
    """Every document under a rendered root, and its Kubernetes objects indexed."""

    root: FsPath
    display: str
    documents: list[Document] = field(default_factory=list)
    by_file: dict[str, list[Document]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)
    objects: list[Obj] = field(default_factory=list)
    """The file view: every object as written (no kustomization, no patch file)."""
    placed: list[Obj] = field(default_factory=list)
    """The placed view, filled by :mod:`generator.seams.placement`."""
    applications: list[Obj] = field(default_factory=list)
    """Every Application, written or generated by an ApplicationSet."""
    placements: list[Placement] = field(default_factory=list)
    region_clusters: dict[str, str] = field(default_factory=dict)
    """A region or generator value (``us-east-1``) -> the cluster it names."""
    _index: dict[tuple[str, str], list[Obj]] = field(default_factory=dict, repr=False)
    _names: dict[tuple[str, str, str, str], list[Obj]] = field(default_factory=dict, repr=False)

    def real(self, display: str) -> FsPath:
        """The file behind a displayed name."""
        rest = display[len(self.display) :].lstrip("/") if self.display else display
        return self.root / rest

    def display_of(self, path: FsPath) -> str:
        rel = path.relative_to(self.root).as_posix()
        return f"{self.display.rstrip('/')}/{rel}" if self.display else rel

    def index(self) -> None:
        self._index, self._names = {}, {}
        for obj in self.objects:
            self._index.setdefault((obj.group, obj.kind), []).append(obj)
            self._names.setdefault((obj.group, obj.kind, obj.namespace, obj.name), []).append(obj)

    def of_kind(self, group: str, kind: str) -> list[Obj]:
        """File-view objects of one group and kind."""
        return list(self._index.get((group, kind), ()))

    def get(self, group: str, kind: str, namespace: str, name: str) -> list[Obj]:
        """File-view objects by group, kind, namespace ('' if none) and name."""
        return list(self._names.get((group, kind, namespace, name), ()))

    @property
    def clusters(self) -> list[str]:
        return sorted({o.cluster for o in self.placed if o.cluster is not None})

    def in_cluster(
        self, cluster: str, group: str | None = None, kind: str | None = None
    ) -> list[Obj]:
        return [
            o
            for o in self.placed
            if o.cluster == cluster
            and (group is None or o.group == group)
            and (kind is None or o.kind == kind)
        ]

    def placed_of_kind(self, group: str, kind: str) -> list[Obj]:
        return [o for o in self.placed if o.group == group and o.kind == kind]

    def data_documents(self, key: str) -> Iterator[Document]:
        """Non-Kubernetes documents that are mappings with top-level ``key``."""
        for document in self.documents:
            if (
                isinstance(document.data, dict)
                and key in document.data
                and not is_object(document.data)
            ):
                yield document


def _read(path: FsPath, display: str) -> tuple[list[Document], list[Diagnostic]]:
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Diagnostic(display, 0, 0, "", f"cannot read: {exc}")]
    if path.suffix == ".json":
        if len(content) <= _MAX_POSITIONED_JSON:
            documents, problems = parse_yaml(content, display, fast=True)
            if not problems:
                return documents, []
        try:
            return [Document(display, 1, json.loads(content))], []
        except ValueError as exc:
            return [], [Diagnostic(display, 0, 0, "", f"invalid JSON: {exc}")]
    return parse_yaml(content, display, fast=True)


def load(root: FsPath, display_root: str | None = None) -> Tree:
    """Read every document under ``root`` (hidden files and mrgen's record skipped)."""
    shown = display_root if display_root is not None else root.as_posix()
    tree = Tree(root, shown)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or path.name == RECORD:
            continue
        display = tree.display_of(path)
        if path.suffix == ".md":
            tree.texts[display] = path.read_text(encoding="utf-8", errors="replace")
            continue
        if path.suffix not in (*YAML_SUFFIXES, ".json"):
            continue
        documents, problems = _read(path, display)
        tree.problems.extend(problems)
        tree.by_file[display] = documents
        tree.documents.extend(documents)
    patches = _patch_files(tree)
    for document in tree.documents:
        if (
            is_object(document.data)
            and not _is_kustomization(document)
            and document.file not in patches
        ):
            tree.objects.append(Obj(document.data, (document,), namespace_of(document.data)))
    tree.index()
    return tree


def namespace_of(data: Mapping[str, Any]) -> str:
    return text(mapping(data.get("metadata")).get("namespace"))


def _is_kustomization(document: Document) -> bool:
    return document.is_kustomization or FsPath(document.file).name in KUSTOMIZATION_NAMES


def _patch_files(tree: Tree) -> set[str]:
    """Files that a kustomization uses as a patch, and ``*.patch.yaml`` files."""
    out = {f for f in tree.by_file if f.endswith((".patch.yaml", ".patch.yml"))}
    for document in tree.documents:
        if not _is_kustomization(document) or not isinstance(document.data, dict):
            continue
        folder = FsPath(document.file).parent
        entries: Iterable[object] = [
            *items(document.data.get("patchesStrategicMerge")),
            *(mapping(p).get("path") for p in items(document.data.get("patches"))),
            *(mapping(p).get("path") for p in items(document.data.get("patchesJson6902"))),
        ]
        for entry in entries:
            if isinstance(entry, str):
                out.add(_normal(folder / entry))
    return out


def _normal(path: FsPath) -> str:
    parts: list[str] = []
    for part in path.as_posix().split("/"):
        if part == ".." and parts and parts[-1] != "..":
            parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    prefix = "/" if path.as_posix().startswith("/") else ""
    return prefix + "/".join(parts)
