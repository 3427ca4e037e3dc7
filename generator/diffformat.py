"""Present a :class:`generator.semdiff.DiffResult` as text, markdown or JSON.

Returns strings; the CLI prints them. The text format carries click styles, which
``click.echo`` strips when the output is not a terminal (or colour is turned off).

JSON shape (``FORMAT_VERSION`` 1, keys sorted)::

    {"formatVersion": 1, "changed": bool,
     "summary": {"added": int, "removed": int, "changed": int, "files": int},
     "resources": [{"file": str, "key": str, "status": "added"|"removed"|"changed",
                    "apiVersion"?: str, "kind"?: str, "namespace"?: str, "name"?: str,
                    "changes": [{"path": str, "status": "added"|"removed"|"changed",
                                 "old"?: any, "new"?: any}]}]}

``old`` is absent for an added field and ``new`` for a removed one.
"""

from __future__ import annotations

import json
from typing import Any

import click

from generator.diffmarkdown import COMMENT_MARKER, MAX_BYTES, to_markdown
from generator.diffsummary import SIGN, by_folder, counts_line, entries
from generator.semdiff import DiffResult, FieldChange

__all__ = ["COMMENT_MARKER", "FORMATTERS", "MAX_BYTES", "to_json", "to_markdown", "to_text"]
FORMAT_VERSION = 1
_COLOUR = {"added": "green", "removed": "red", "changed": "yellow"}


def to_text(result: DiffResult) -> str:
    """The counts, added and removed resources by folder, then each changed resource's
    changes under its file."""
    lines = [click.style(counts_line(result), bold=True)]
    for status in ("added", "removed"):
        for folder, names in by_folder(r for r in result.resources if r.status == status):
            lines.append(
                click.style(
                    f"  {SIGN[status]} {folder} ({len(names)}): {', '.join(names)}",
                    fg=_COLOUR[status],
                )
            )
    current = None
    for resource in result.resources:
        if resource.status != "changed":
            continue
        if resource.file != current:
            current = resource.file
            lines.append(click.style(resource.file, bold=True))
        lines.append(click.style(f"  ~ {resource.key}", fg=_COLOUR["changed"]))
        for entry in entries(resource):
            lines.append(click.style(f"      {entry.text()}", fg=_COLOUR[entry.status]))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------


def _json_change(change: FieldChange) -> dict[str, Any]:
    out: dict[str, Any] = {"path": change.path, "status": change.status}
    if change.status != "added":
        out["old"] = change.old
    if change.status != "removed":
        out["new"] = change.new
    return out


def to_json(result: DiffResult) -> str:
    resources = []
    for r in result.resources:
        item: dict[str, Any] = {
            "file": r.file,
            "key": r.key,
            "status": r.status,
            "changes": [_json_change(c) for c in r.changes],
        }
        item.update(dict(r.identity))
        resources.append(item)
    body = {
        "formatVersion": FORMAT_VERSION,
        "changed": result.changed,
        "summary": {
            "added": result.count("added"),
            "removed": result.count("removed"),
            "changed": result.count("changed"),
            "files": len(result.files),
        },
        "resources": resources,
    }
    return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"


FORMATTERS = {"text": to_text, "markdown": to_markdown, "json": to_json}
