"""How sections turn data into files: every structured byte goes through the serializer.

Sections build plain dicts (values decided in Python) and call these; no template lays out
structure, so no value can change the shape of a document. Constant comment lines are the
only text added, and they are checked to stay comments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from generator.section import RenderedFile
from generator.serialize import dump_json, dump_yaml

HEAD = ("apiVersion", "kind", "metadata")
"""Keys a Kubernetes object shows first; the rest follow sorted."""


def metadata(
    name: str,
    *,
    namespace: str | None = None,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The one metadata builder: empty parts are left out."""
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = dict(labels)
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta


def k8s(api_version: str, kind: str, metadata: Mapping[str, Any], **body: Any) -> dict[str, Any]:
    """A Kubernetes object; ``body`` holds its other top-level fields (spec, data, ...)."""
    return {"apiVersion": api_version, "kind": kind, "metadata": dict(metadata), **body}


def _comment(lines: Sequence[str]) -> str:
    for line in lines:
        if "\n" in line or "\r" in line:
            raise ValueError(f"a comment line holds a line break: {line!r}")
    return "".join(f"# {line}\n" if line else "#\n" for line in lines)


def dump_document(doc: Mapping[str, Any]) -> str:
    """One YAML document: ``apiVersion``, ``kind`` and ``metadata`` first when present
    (each part serialized, so the order is the only thing decided here)."""
    head = {k: doc[k] for k in HEAD if k in doc}
    rest = {k: v for k, v in doc.items() if k not in head}
    if not head or not rest:
        return dump_yaml(dict(doc))
    return dump_yaml(head) + dump_yaml(rest)


def yaml_file(path: str, *docs: Mapping[str, Any], comment: Sequence[str] = ()) -> RenderedFile:
    """A YAML file of one or more documents, with optional constant comment lines first."""
    body = "---\n".join(dump_document(d) for d in docs)
    return RenderedFile(path, _comment(comment) + body, documents=tuple(docs))


def json_file(path: str, doc: Any) -> RenderedFile:
    return RenderedFile(path, dump_json(doc))
