"""A semantic diff of two renders: what a render would change, resource by resource.

Pure: takes two ``{path: content}`` maps (the old tree and the new one) and returns a
:class:`DiffResult`. Reading folders, git and printing are other modules' jobs.

How files become comparable documents:
- YAML and JSON files are parsed; each document is keyed by ``apiVersion kind
  namespace/name`` when it is a Kubernetes-shaped object, else by its index in the file
  (``#0``: Prometheus configs, rule files, Route 53 change batches).
- Markdown files (the runbook) are split into sections by heading; a section's tables become
  rows keyed by their first cell, its other lines a list.
- Any other file is a list of lines.

Inside a document, fields are compared by DeepDiff and list items matched by identity (a
container's or a rule's name, a record's set identifier, ...), never by position:
:mod:`generator.difffields` and :mod:`generator.diffalign`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from generator.difffields import ITEM, FieldChange, Status, field_changes, format_path

__all__ = [
    "ITEM",
    "DiffResult",
    "FieldChange",
    "ResourceDiff",
    "Status",
    "diff_trees",
    "documents",
    "field_changes",
    "format_path",
]
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML has it (the same documents, several times faster)."""
IGNORED_FILES = frozenset({".mrgen-files.json"})
"""The ownership record mirrors the file list; added/removed files already say it."""


@dataclass(frozen=True)
class ResourceDiff:
    file: str
    key: str
    """``apiVersion kind namespace/name`` for Kubernetes objects, else ``#<index>`` or a
    section heading."""
    status: Status
    changes: tuple[FieldChange, ...] = ()
    identity: tuple[tuple[str, str], ...] = ()
    """apiVersion/kind/namespace/name, when the document has them."""


@dataclass(frozen=True)
class DiffResult:
    resources: tuple[ResourceDiff, ...]

    @property
    def changed(self) -> bool:
        return bool(self.resources)

    def count(self, status: Status) -> int:
        return sum(r.status == status for r in self.resources)

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(sorted({r.file for r in self.resources}))


# ---------------------------------------------------------------------------------------------
# Files -> keyed documents


def _identity(doc: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(doc, dict):
        return ()
    api, kind = doc.get("apiVersion"), doc.get("kind")
    if not isinstance(api, str) or not isinstance(kind, str):
        return ()
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    assert isinstance(meta, dict)
    fields = [("apiVersion", api), ("kind", kind)]
    for name in ("namespace", "name"):
        value = meta.get(name)
        if isinstance(value, str):
            fields.append((name, value))
    return tuple(fields)


def _identity_key(identity: tuple[tuple[str, str], ...]) -> str:
    found = dict(identity)
    where = "/".join(v for v in (found.get("namespace"), found.get("name")) if v)
    return " ".join(v for v in (found["apiVersion"], found["kind"], where) if v)


_CELL_SPLIT = re.compile(r"(?<!\\)\|")
"""Table cells split on pipes that are not escaped."""


def _markdown_sections(text: str) -> dict[str, Any]:
    sections: dict[str, dict[str, Any]] = {}
    heading = "(top)"
    header: list[str] | None = None
    fenced = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith(("```", "~~~")):
            fenced = not fenced
        elif line.startswith("#") and not fenced:
            heading, header = line.lstrip("#").strip(), None
            continue
        section = sections.setdefault(heading, {"rows": {}, "text": []})
        if line.startswith("|") and line.endswith("|") and not fenced:
            cells = [c.strip() for c in _CELL_SPLIT.split(line[1:-1])]
            if all(set(c) <= set("-: ") for c in cells):
                continue  # the separator row
            if header is None:
                header = cells
                continue
            rows = section["rows"]
            key = ITEM + cells[0]
            if key in rows:
                key = f"{key} ({len(rows)})"
            rows[key] = {
                h or f"column {i}": c for i, (h, c) in enumerate(zip(header, cells, strict=False))
            }
            continue
        header = None
        if line:
            section["text"].append(line)
    return {ITEM + k: v for k, v in sections.items()}


def documents(path: str, content: str) -> dict[str, tuple[tuple[tuple[str, str], ...], Any]]:
    """The comparable documents of one file: key -> (identity, normalized data)."""
    parsed: list[Any] | None = None
    try:
        if path.endswith((".yaml", ".yml")):
            parsed = [d for d in yaml.load_all(content, Loader=_LOADER) if d is not None]
        elif path.endswith(".json"):
            parsed = [json.loads(content)]
    except (yaml.YAMLError, ValueError):
        parsed = None
    if parsed is None:
        if path.endswith(".md"):
            return {k: ((), v) for k, v in _markdown_sections(content).items()}
        return {"#0": ((), {"lines": content.splitlines()})}
    out: dict[str, tuple[tuple[tuple[str, str], ...], Any]] = {}
    for index, doc in enumerate(parsed):
        identity = _identity(doc)
        key = _identity_key(identity) if identity else f"#{index}"
        if key in out:
            key = f"{key} #{index}"
        out[key] = (identity, doc)
    return out


# ---------------------------------------------------------------------------------------------
# Trees


def _docs_of(tree: Mapping[str, str], path: str) -> dict[str, tuple[Any, Any]]:
    return documents(path, tree[path]) if path in tree else {}


def _file_diff(
    path: str, old_tree: Mapping[str, str], new_tree: Mapping[str, str]
) -> Iterator[ResourceDiff]:
    old_docs, new_docs = _docs_of(old_tree, path), _docs_of(new_tree, path)
    for key in sorted(set(old_docs) | set(new_docs)):
        shown = key[len(ITEM) :] if key.startswith(ITEM) else key
        if key not in new_docs:
            yield ResourceDiff(path, shown, "removed", identity=old_docs[key][0])
        elif key not in old_docs:
            yield ResourceDiff(path, shown, "added", identity=new_docs[key][0])
        else:
            changes = field_changes(old_docs[key][1], new_docs[key][1])
            if changes:
                yield ResourceDiff(path, shown, "changed", changes, new_docs[key][0])


def diff_trees(old: Mapping[str, str], new: Mapping[str, str]) -> DiffResult:
    """Every resource added, removed or changed going from ``old`` to ``new``."""
    paths = sorted((set(old) | set(new)) - IGNORED_FILES)
    resources: list[ResourceDiff] = []
    for path in paths:
        if old.get(path) == new.get(path):
            continue
        resources.extend(_file_diff(path, old, new))
    return DiffResult(tuple(resources))
