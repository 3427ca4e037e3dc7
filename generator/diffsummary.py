"""What the diff formats share: short resource names, one-line changes, grouped list items,
and created/deleted resources grouped by folder.

Pure and unstyled; :mod:`generator.diffformat` and :mod:`generator.diffmarkdown` lay these
out for a terminal or a pull request.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from generator.semdiff import DiffResult, FieldChange, ResourceDiff, Status

SHOW_LIMIT = 200
"""Characters of a value shown on one line; the JSON format always carries it whole."""
GROUP_OVER = 3
"""More list items than this added (or removed) under one list become one grouped line."""
SIGN = {"added": "+", "removed": "-", "changed": "~"}


def show(value: Any, limit: int = SHOW_LIMIT) -> str:
    """One value on one line: plain strings bare, everything else as compact JSON; cut at
    ``limit`` characters with an ellipsis."""
    if (
        isinstance(value, str)
        and value
        and value.strip() == value
        and "\n" not in value
        and not value.startswith(("{", "[", '"'))
    ):
        text = value
    else:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= limit else text[: limit - 1] + "…"


CONTEXT = 30
"""Characters kept around the difference when two long strings are shown side by side."""


def show_pair(old: Any, new: Any, limit: int = SHOW_LIMIT) -> tuple[str, str]:
    """Old and new value for a changed field; two long strings are cut to the part that
    differs (with some context), so the difference is never cut off."""
    if not (isinstance(old, str) and isinstance(new, str)) or max(len(old), len(new)) <= limit:
        return show(old, limit), show(new, limit)
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(old), len(new)) - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    start = max(0, prefix - CONTEXT)

    def middle(text: str) -> str:
        end = min(len(text), len(text) - suffix + CONTEXT)
        cut = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
        return show(cut, limit)

    return middle(old), middle(new)


@dataclass(frozen=True)
class Entry:
    """One line of a resource's details: a field change, or list items grouped."""

    status: Status
    path: str
    old: str | None = None
    new: str | None = None
    items: tuple[str, ...] = ()
    """For a group: the identities of the items added or removed."""

    def text(self, arrow: str = "->") -> str:
        if self.items:
            verb = "added" if self.status == "added" else "removed"
            return f"{self.path}: {len(self.items)} {verb}: {', '.join(self.items)}"
        if self.status == "added":
            return f"{self.path}: added {self.new}"
        if self.status == "removed":
            return f"{self.path}: removed (was {self.old})"
        return f"{self.path}: {self.old} {arrow} {self.new}"


def _item_name(change: FieldChange) -> str:
    within = change.within or ""
    if change.path == within:  # a scalar list item: the value is its identity
        return show(change.new if change.status == "added" else change.old, 80)
    suffix = change.path[len(within) :]
    return suffix[1:-1] if suffix.startswith("[") and suffix.endswith("]") else suffix


def entries(resource: ResourceDiff) -> list[Entry]:
    """The resource's changes, items added or removed in bulk under one list grouped."""
    counts: dict[tuple[str, Status], int] = {}
    for change in resource.changes:
        if change.within is not None:
            key = (change.within, change.status)
            counts[key] = counts.get(key, 0) + 1
    out: list[Entry | tuple[str, Status]] = []
    groups: dict[tuple[str, Status], list[str]] = {}
    for change in resource.changes:
        key = (change.within or "", change.status)
        if change.within is not None and counts[key] > GROUP_OVER:
            if key not in groups:
                groups[key] = []
                out.append(key)
            groups[key].append(_item_name(change))
            continue
        if change.status == "changed":
            old, new = show_pair(change.old, change.new)
            out.append(Entry(change.status, change.path, old, new))
        else:
            value = show(change.new if change.status == "added" else change.old)
            out.append(
                Entry(
                    change.status,
                    change.path,
                    *((None, value) if change.status == "added" else (value, None)),
                )
            )
    return [e if isinstance(e, Entry) else Entry(e[1], e[0], items=tuple(groups[e])) for e in out]


NAME_LIMIT = 90
"""Characters of a field path in a summary; longer ones lose their middle."""


def _short(path: str) -> str:
    if len(path) <= NAME_LIMIT:
        return path
    half = (NAME_LIMIT - 1) // 2
    return path[:half] + "…" + path[-half:]


def changed_fields(resource: ResourceDiff, limit: int = 3) -> tuple[list[str], int]:
    """Up to ``limit`` short names of what changed (a field path, with counts of list items
    added ``+``, removed ``-`` or changed ``~`` when there are several), and how many more."""
    counts: dict[str, dict[Status, int]] = {}
    for entry in entries(resource):
        per = counts.setdefault(entry.path, {})
        per[entry.status] = per.get(entry.status, 0) + (len(entry.items) or 1)
    names = []
    for path, per in counts.items():
        if per in ({"changed": 1}, {"added": 1}, {"removed": 1}):
            status = next(iter(per))
            names.append(_short(path) + ("" if status == "changed" else f" ({status})"))
        else:
            marks = " ".join(
                f"{SIGN[s]}{per[s]}" for s in ("changed", "added", "removed") if s in per
            )
            names.append(f"{_short(path)} ({marks})")
    return names[:limit], max(0, len(names) - limit)


def _patch(resource: ResourceDiff) -> str:
    """A patch of an object (``*.patch.yaml``, mrgen's or a user extension's) is marked: it
    changes that object, it does not create another."""
    return " (patch)" if resource.file.endswith(".patch.yaml") else ""


def short_label(resource: ResourceDiff) -> str:
    """What a created or deleted resource is called in a folder listing."""
    found = dict(resource.identity)
    if "kind" in found:
        name = f"{found['kind']} {found['name']}" if "name" in found else found["kind"]
        return name + _patch(resource)
    if resource.key.startswith("#"):
        return posixpath.basename(resource.file)
    return f"{posixpath.basename(resource.file)} § {resource.key}"


def label(resource: ResourceDiff) -> str:
    """``Kind namespace/name`` for a Kubernetes object, the file name for another document,
    else its key (a runbook heading)."""
    found = dict(resource.identity)
    if "kind" in found:
        where = "/".join(v for v in (found.get("namespace"), found.get("name")) if v)
        return f"{found['kind']} {where}".strip() + _patch(resource)
    return posixpath.basename(resource.file) if resource.key.startswith("#") else resource.key


def by_folder(resources: Iterable[ResourceDiff]) -> list[tuple[str, list[str]]]:
    """(folder/, [short labels]) in path order."""
    folders: dict[str, list[str]] = {}
    for resource in resources:
        folder = posixpath.dirname(resource.file)
        folders.setdefault(f"{folder}/" if folder else "./", []).append(short_label(resource))
    return sorted(folders.items())


def counts_line(result: DiffResult) -> str:
    if not result.changed:
        return "no changes"
    return (
        f"{result.count('changed')} changed, {result.count('added')} added, "
        f"{result.count('removed')} removed resource(s) in {len(result.files)} file(s)"
    )
