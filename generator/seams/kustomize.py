"""Resolve a kustomization from the committed files, keeping where every object came from.

This reads what ``kubectl kustomize`` would build, for the features mrgen renders:
``resources`` (files and folders), ``patches`` / ``patchesStrategicMerge`` (strategic merge
by name, JSON 6902 operations), ``namespace``, ``namePrefix`` / ``nameSuffix``, ``labels``
and ``commonLabels``, ``commonAnnotations``. Each resolved object remembers its base
document and the patches applied to it, so a seam finding points at the file to fix.

When the kustomize builds of ``mrgen validate --rendered --build`` are available, their
content replaces the resolved content object by object (kubectl is the reference); the
resolver still supplies the locations. Unsupported kustomization fields are reported by
:func:`resolve` so callers know the result may be incomplete.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import yaml

from generator.outcheck.documents import KUSTOMIZATION_NAMES, Document, is_object
from generator.seams.tree import Tree, group_of, items, mapping, text

SUPPORTED = {
    "apiVersion",
    "kind",
    "metadata",
    "resources",
    "bases",
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "namespace",
    "namePrefix",
    "nameSuffix",
    "labels",
    "commonLabels",
    "commonAnnotations",
    "sortOptions",
    "buildMetadata",
}
_MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "imagePullSecrets": "name",
    "ports": "containerPort",
    "envFrom": "",
    "tolerations": "",
}
_SERVICE_PORT_KEY = "port"


@dataclass
class Piece:
    """One resolved object: content, base document, then patches in order."""

    data: dict[str, Any]
    docs: list[Document]


@dataclass
class Resolution:
    pieces: list[Piece] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)


def folder_of(display: str) -> str:
    return display.rsplit("/", 1)[0] if "/" in display else ""


def join(folder: str, entry: str) -> str:
    parts: list[str] = [p for p in folder.split("/") if p] if folder else []
    for part in PurePosixPath(entry).parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    prefix = "/" if folder.startswith("/") else ""
    return prefix + "/".join(parts)


def kustomization_in(tree: Tree, folder: str) -> Document | None:
    for name in KUSTOMIZATION_NAMES:
        documents = tree.by_file.get(f"{folder}/{name}" if folder else name)
        if documents:
            return documents[0]
    return None


def resolve(tree: Tree, folder: str, _seen: frozenset[str] = frozenset()) -> Resolution:
    """Every object the kustomization in ``folder`` (a displayed folder) builds."""
    out = Resolution()
    kustomization = kustomization_in(tree, folder)
    if kustomization is None or folder in _seen:
        return out
    data = mapping(kustomization.data)
    out.unsupported += [f"{kustomization.file}: {key}" for key in data if key not in SUPPORTED]
    for entry in [*items(data.get("resources")), *items(data.get("bases"))]:
        if not isinstance(entry, str) or "://" in entry:
            continue
        target = join(folder, entry)
        if kustomization_in(tree, target) is not None:
            child = resolve(tree, target, _seen | {folder})
            out.pieces += child.pieces
            out.unsupported += child.unsupported
        else:
            out.pieces += [
                Piece(copy.deepcopy(d.data), [d])
                for d in tree.by_file.get(target, [])
                if is_object(d.data)
            ]
    for patch_docs, selector in _patches(tree, folder, data):
        for patch in patch_docs:
            _apply_patch(out.pieces, patch, selector)
    _transform(out.pieces, data)
    return out


def _patches(
    tree: Tree,
    folder: str,
    data: Mapping[str, Any],
) -> list[tuple[list[Document], dict[str, Any]]]:
    out: list[tuple[list[Document], dict[str, Any]]] = []
    for entry in items(data.get("patchesStrategicMerge")):
        if isinstance(entry, str):
            out.append((tree.by_file.get(join(folder, entry), []), {}))
    for entry in [*items(data.get("patches")), *items(data.get("patchesJson6902"))]:
        entry = mapping(entry)
        target = mapping(entry.get("target"))
        if isinstance(entry.get("path"), str):
            out.append((tree.by_file.get(join(folder, entry["path"]), []), target))
        elif isinstance(entry.get("patch"), str):
            try:
                inline = yaml.safe_load(entry["patch"])
            except yaml.YAMLError:
                continue
            out.append(([Document(f"{folder}/(inline patch)", 1, inline)], target))
    return out


def _selected(piece: Piece, target: Mapping[str, Any]) -> bool:
    data = piece.data
    meta = mapping(data.get("metadata"))
    checks = {
        "group": group_of(text(data.get("apiVersion"))),
        "kind": text(data.get("kind")),
        "name": text(meta.get("name")),
        "namespace": text(meta.get("namespace")),
    }
    for key, value in checks.items():
        wanted = target.get(key)
        if isinstance(wanted, str) and wanted and wanted != value:
            return False
    version = target.get("version")
    if (
        isinstance(version, str)
        and version
        and not text(data.get("apiVersion")).endswith(f"/{version}")
    ):
        return False
    selector = target.get("labelSelector")
    if isinstance(selector, str) and selector:
        labels = mapping(meta.get("labels"))
        for term in selector.split(","):
            key, _, value = term.partition("=")
            if labels.get(key.strip()) != value.strip():
                return False
    return True


def _apply_patch(pieces: Sequence[Piece], patch: Document, target: Mapping[str, Any]) -> None:
    if isinstance(patch.data, list):  # JSON 6902 operations
        for piece in pieces:
            if target and _selected(piece, target):
                piece.data = _json6902(piece.data, patch.data)
                piece.docs.append(patch)
        return
    body = mapping(patch.data)
    meta = mapping(body.get("metadata"))
    wanted = dict(target)
    if not wanted:
        wanted = {"kind": text(body.get("kind")), "name": text(meta.get("name"))}
        if text(meta.get("namespace")):
            wanted["namespace"] = text(meta["namespace"])
    for piece in pieces:
        if _selected(piece, wanted):
            core = "." not in group_of(text(piece.data.get("apiVersion"))) or group_of(
                text(piece.data.get("apiVersion"))
            ).endswith(".k8s.io")
            patch_body = dict(body)
            if target:  # the patch's own name is a placeholder when a target is given
                patch_body["metadata"] = {k: v for k, v in meta.items() if k != "name"}
            piece.data = merge(
                piece.data, patch_body, core=core, service=text(piece.data.get("kind")) == "Service"
            )
            piece.docs.append(patch)


def merge(base: Any, patch: Any, *, core: bool, service: bool = False, key: str = "") -> Any:
    """Strategic merge: maps merge, lists of named items merge by key on core kinds, other
    lists are replaced (what kustomize does for custom resources without a schema)."""
    if isinstance(base, dict) and isinstance(patch, dict):
        if patch.get("$patch") == "replace":
            return {k: v for k, v in patch.items() if k != "$patch"}
        out = dict(base)
        for name, value in patch.items():
            if value is None:
                out.pop(name, None)
            elif name in out:
                out[name] = merge(out[name], value, core=core, service=service, key=name)
            else:
                out[name] = copy.deepcopy(value)
        return out
    if isinstance(base, list) and isinstance(patch, list) and core:
        merge_key = _SERVICE_PORT_KEY if service and key == "ports" else _MERGE_KEYS.get(key)
        if merge_key and all(isinstance(i, dict) and merge_key in i for i in [*base, *patch]):
            merged = list(base)
            added = []  # kustomize puts items only the patch has first
            for item in patch:
                at = next(
                    (i for i, old in enumerate(merged) if old[merge_key] == item[merge_key]), None
                )
                if at is None:
                    added.append(copy.deepcopy(item))
                else:
                    merged[at] = merge(merged[at], item, core=core, service=service)
            return added + merged
    return copy.deepcopy(patch)


def _json6902(data: dict[str, Any], operations: list[Any]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    for operation in operations:
        op = mapping(operation)
        parts = [
            p.replace("~1", "/").replace("~0", "~") for p in text(op.get("path")).split("/")[1:]
        ]
        if not parts:
            continue
        parent: Any = out
        for part in parts[:-1]:
            parent = parent[int(part)] if isinstance(parent, list) else parent.setdefault(part, {})
        last = parts[-1]
        kind = text(op.get("op"))
        if isinstance(parent, list):
            index = len(parent) if last == "-" else int(last)
            if kind == "add":
                parent.insert(index, op.get("value"))
            elif kind == "replace":
                parent[index] = op.get("value")
            elif kind == "remove" and index < len(parent):
                parent.pop(index)
        elif isinstance(parent, dict):
            if kind in ("add", "replace"):
                parent[last] = op.get("value")
            elif kind == "remove":
                parent.pop(last, None)
    return out


_CLUSTER_SCOPED_NAMES = {
    "Namespace",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleBinding",
}
_TEMPLATE_PATHS = (
    ("spec", "template"),
    ("spec", "jobTemplate"),
    ("spec", "jobTemplate", "spec", "template"),
)


def _transform(pieces: Sequence[Piece], data: Mapping[str, Any]) -> None:
    namespace = text(data.get("namespace"))
    prefix, suffix = text(data.get("namePrefix")), text(data.get("nameSuffix"))
    label_sets: list[tuple[dict[str, Any], bool, bool]] = [
        (
            mapping(entry.get("pairs")),
            bool(entry.get("includeSelectors")),
            bool(entry.get("includeTemplates")),
        )
        for entry in map(mapping, items(data.get("labels")))
    ]
    if mapping(data.get("commonLabels")):
        label_sets.append((mapping(data.get("commonLabels")), True, True))
    annotations = mapping(data.get("commonAnnotations"))
    renamed: dict[tuple[str, str], str] = {}
    for piece in pieces:
        obj = piece.data
        meta = obj.setdefault("metadata", {})
        kind = text(obj.get("kind"))
        if namespace and kind not in _CLUSTER_SCOPED_NAMES:
            meta["namespace"] = namespace
        if (prefix or suffix) and kind not in ("Namespace", "CustomResourceDefinition"):
            renamed[(kind, text(meta.get("name")))] = f"{prefix}{text(meta.get('name'))}{suffix}"
            meta["name"] = renamed[(kind, text(meta.get("name")))]
        for pairs, selectors, templates in label_sets:
            meta.setdefault("labels", {}).update(pairs)
            if templates:
                for template in _templates(obj):
                    template.setdefault("metadata", {}).setdefault("labels", {}).update(pairs)
            if selectors:
                _add_to_selectors(obj, pairs)
        if annotations:
            meta.setdefault("annotations", {}).update(annotations)
            for template in _templates(obj):
                template.setdefault("metadata", {}).setdefault("annotations", {}).update(
                    annotations
                )
    if renamed:
        for piece in pieces:
            _rename_references(piece.data, renamed)


def _rename(
    ref: Any,
    kind: str,
    renamed: Mapping[tuple[str, str], str],
    key: str = "name",
) -> None:
    if isinstance(ref, dict) and isinstance(ref.get(key), str):
        ref[key] = renamed.get((kind, ref[key]), ref[key])


def _rename_references(obj: dict[str, Any], renamed: Mapping[tuple[str, str], str]) -> None:
    """The name references kustomize follows for the kinds mrgen renders."""
    spec = mapping(obj.get("spec"))
    for template in _templates(obj):
        _rename(template.get("spec"), "ServiceAccount", renamed, "serviceAccountName")
    if "scaleTargetRef" in spec:
        ref = mapping(spec["scaleTargetRef"])
        _rename(ref, text(ref.get("kind")), renamed)
    if isinstance(obj.get("roleRef"), dict):
        _rename(obj["roleRef"], text(obj["roleRef"].get("kind")), renamed)
    for subject in items(obj.get("subjects")):
        if mapping(subject).get("kind") == "ServiceAccount":
            _rename(subject, "ServiceAccount", renamed)


def _templates(obj: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for path in _TEMPLATE_PATHS:
        node: Any = obj
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            out.append(node)
    return out


def _add_to_selectors(obj: dict[str, Any], pairs: Mapping[str, Any]) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    if text(obj.get("kind")) == "Service":
        spec.setdefault("selector", {}).update(pairs)
    elif isinstance(spec.get("selector"), dict):
        spec["selector"].setdefault("matchLabels", {}).update(pairs)
