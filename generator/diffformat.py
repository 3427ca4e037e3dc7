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

from generator.semdiff import DiffResult, FieldChange, ResourceDiff

FORMAT_VERSION = 1
COMMENT_MARKER = "<!-- mrgen-diff -->"
"""First line of the markdown; CI finds and updates its one sticky comment by it."""
DETAILS_OVER = 8
"""A resource with more field changes than this is folded into <details>."""
_SIGN = {"added": "+", "removed": "-", "changed": "~"}
_COLOUR = {"added": "green", "removed": "red", "changed": "yellow"}


def show(value: Any) -> str:
    """One value on one line: plain strings bare, everything else as compact JSON."""
    if isinstance(value, str) and value and value.strip() == value and "\n" not in value \
            and not value.startswith(("{", "[", '"')):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))


def describe(change: FieldChange) -> str:
    if change.status == "added":
        return f"{change.path}: added {show(change.new)}"
    if change.status == "removed":
        return f"{change.path}: removed (was {show(change.old)})"
    return f"{change.path}: {show(change.old)} -> {show(change.new)}"


def summary_line(result: DiffResult) -> str:
    if not result.changed:
        return "no changes"
    return (f"{result.count('changed')} changed, {result.count('added')} added, "
            f"{result.count('removed')} removed resource(s) in {len(result.files)} file(s)")


# ---------------------------------------------------------------------------------------------


def to_text(result: DiffResult) -> str:
    lines: list[str] = []
    current = None
    for resource in result.resources:
        if resource.file != current:
            current = resource.file
            lines.append(click.style(resource.file, bold=True))
        colour = _COLOUR[resource.status]
        lines.append(click.style(f"  {_SIGN[resource.status]} {resource.key}", fg=colour))
        for change in resource.changes:
            lines.append(click.style(f"      {describe(change)}", fg=_COLOUR[change.status]))
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------


def _code(text: str) -> str:
    """Inline code that survives backticks and table pipes."""
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}".replace("|", "\\|")


def _md_change(change: FieldChange) -> str:
    if change.status == "added":
        return f"- {_code(change.path)}: added {_code(show(change.new))}"
    if change.status == "removed":
        return f"- {_code(change.path)}: removed (was {_code(show(change.old))})"
    return f"- {_code(change.path)}: {_code(show(change.old))} → {_code(show(change.new))}"


def _md_resource(resource: ResourceDiff) -> list[str]:
    title = f"{_SIGN[resource.status]} {_code(resource.file)} · {_code(resource.key)}"
    if not resource.changes:
        return [f"**{title}** ({resource.status})", ""]
    body = [_md_change(c) for c in resource.changes]
    if len(body) > DETAILS_OVER:
        return ["<details>", f"<summary>{title}: {len(body)} changes</summary>", "", *body,
                "", "</details>", ""]
    return [f"**{title}**", "", *body, ""]


def to_markdown(result: DiffResult, title: str = "mrgen: rendered changes") -> str:
    lines = [COMMENT_MARKER, f"### {title}", ""]
    if not result.changed:
        lines.append("No changes to the rendered output.")
        return "\n".join(lines) + "\n"
    lines += [f"**{summary_line(result)}**", "",
              "| | File | Resource | Fields |", "|---|---|---|---|"]
    for r in result.resources:
        fields = str(len(r.changes)) if r.status == "changed" else r.status
        lines.append(f"| {_SIGN[r.status]} | {_code(r.file)} | {_code(r.key)} | {fields} |")
    lines += ["", "#### Details", ""]
    for resource in result.resources:
        lines += _md_resource(resource)
    return "\n".join(lines).rstrip("\n") + "\n"


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
        item: dict[str, Any] = {"file": r.file, "key": r.key, "status": r.status,
                                "changes": [_json_change(c) for c in r.changes]}
        item.update(dict(r.identity))
        resources.append(item)
    body = {
        "formatVersion": FORMAT_VERSION,
        "changed": result.changed,
        "summary": {"added": result.count("added"), "removed": result.count("removed"),
                    "changed": result.count("changed"), "files": len(result.files)},
        "resources": resources,
    }
    return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"


FORMATTERS = {"text": to_text, "markdown": to_markdown, "json": to_json}
