"""The semantic diff as one pull-request comment: a summary a reviewer reads in one screen,
then every changed resource's details folded in ``<details>``.

Summary: the counts; added and removed resources grouped by folder; one row per changed
resource with what changed (the change itself when it is short, else the changed fields).

Size: a comment has a limit (GitHub: 65,536 characters). When the whole diff is larger than
``max_bytes`` the details are left out with a note saying so; if even the summary is larger,
whole rows are left out (with a note), so a table is never cut in the middle.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass

from generator.diffsummary import (
    SIGN,
    Entry,
    by_folder,
    changed_fields,
    counts_line,
    entries,
    label,
)
from generator.semdiff import DiffResult, ResourceDiff

COMMENT_MARKER = "<!-- mrgen-diff -->"
"""First line of the markdown; CI finds and updates its one sticky comment by it."""
MAX_BYTES = 60_000
"""Default size bound: under GitHub's comment limit, with room for the workflow's wrapper."""
INLINE_ENTRIES, INLINE_CHARS = 2, 160
"""A changed resource with at most this many short changes shows them in its summary row."""


def code(text: str, table: bool = True) -> str:
    """Inline code that survives backticks, and in a table cell its pipes (GitHub reads
    ``\\|`` as a pipe there, but literally anywhere else)."""
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    shown = f"{fence}{pad}{text}{pad}{fence}"
    return shown.replace("|", "\\|") if table else shown


def html_code(text: str) -> str:
    """Inline code inside HTML (a ``<summary>``, where markdown is not read)."""
    return f"<code>{html.escape(text)}</code>"


def entry_markdown(entry: Entry, table: bool = False) -> str:
    def c(text: str | None) -> str:
        return code(text or "", table)

    if entry.items:
        verb = "added" if entry.status == "added" else "removed"
        return f"{c(entry.path)}: {len(entry.items)} {verb}: " + ", ".join(map(c, entry.items))
    if entry.status == "added":
        return f"{c(entry.path)}: added {c(entry.new)}"
    if entry.status == "removed":
        return f"{c(entry.path)}: removed (was {c(entry.old)})"
    return f"{c(entry.path)}: {c(entry.old)} → {c(entry.new)}"


def _inline(resource: ResourceDiff) -> list[str] | None:
    found = entries(resource)
    if len(found) > INLINE_ENTRIES or sum(len(e.text()) for e in found) > INLINE_CHARS:
        return None
    return [entry_markdown(e, table=True) for e in found]


@dataclass(frozen=True)
class Table:
    intro: tuple[str, ...]
    header: tuple[str, ...]
    rows: tuple[str, ...]


def _folder_table(title: str, resources: Iterable[ResourceDiff]) -> Table | None:
    folders = by_folder(resources)
    if not folders:
        return None
    count = sum(len(names) for _, names in folders)
    rows = tuple(
        f"| {code(folder)} | {len(names)} | {', '.join(code(n) for n in names)} |"
        for folder, names in folders
    )
    return Table(
        (f"**{title}** ({count})", ""), ("| Folder | # | Resources |", "|---|--:|---|"), rows
    )


def _changed_table(resources: list[ResourceDiff]) -> Table | None:
    if not resources:
        return None
    rows = []
    for resource in resources:
        inline = _inline(resource)
        if inline is None:
            names, more = changed_fields(resource)
            what = ", ".join(code(n) for n in names) + (f" and {more} more" if more else "")
        else:
            what = "<br>".join(inline)
        rows.append(f"| {code(label(resource))} | {code(resource.file)} | {what} |")
    return Table(
        (f"**Changed** ({len(resources)})", ""),
        ("| Resource | File | Changes |", "|---|---|---|"),
        tuple(rows),
    )


def _details(resources: list[ResourceDiff]) -> list[str]:
    lines: list[str] = []
    for resource in resources:
        if _inline(resource) is not None:
            continue
        found = entries(resource)
        title = f"{SIGN[resource.status]} {html_code(label(resource))} · {html_code(resource.file)}"
        lines += [
            "<details>",
            f"<summary>{title}: {len(found)} change(s)</summary>",
            "",
            *(f"- {entry_markdown(e)}" for e in found),
            "",
            "</details>",
            "",
        ]
    return ["#### Details", "", *lines] if lines else []


def _size(lines: Iterable[str]) -> int:
    return sum(len(line.encode("utf-8")) + 1 for line in lines)


def _join(lines: list[str]) -> str:
    return "\n".join(lines).rstrip("\n") + "\n"


def to_markdown(
    result: DiffResult, title: str = "mrgen: rendered changes", max_bytes: int = MAX_BYTES
) -> str:
    """The comment; ``max_bytes`` <= 0 means no bound."""
    head = [COMMENT_MARKER, f"### {title}", ""]
    if not result.changed:
        return _join([*head, "No changes to the rendered output."])
    head += [f"**{counts_line(result)}**", ""]
    changed = [r for r in result.resources if r.status == "changed"]
    tables = [
        t
        for t in (
            _folder_table("Added", (r for r in result.resources if r.status == "added")),
            _folder_table("Removed", (r for r in result.resources if r.status == "removed")),
            _changed_table(changed),
        )
        if t is not None
    ]
    summary = [line for t in tables for line in (*t.intro, *t.header, *t.rows, "")]
    full = [*head, *summary, *_details(changed)]
    if max_bytes <= 0 or _size(full) <= max_bytes:
        return _join(full)
    note = (
        f"> The details are left out: the whole diff is {_size(full):,} bytes and this comment "
        f"is limited to {max_bytes:,}. Run `mrgen diff` locally (or read the job summary) "
        "for every change."
    )
    if _size([*head, *summary, note]) <= max_bytes:
        return _join([*head, *summary, note])
    return _join(_cut(head, tables, max_bytes))


def _cut(head: list[str], tables: list[Table], max_bytes: int) -> list[str]:
    """Whole rows only, as many as fit with the note."""
    total = sum(len(t.rows) for t in tables)
    lines, shown = list(head), 0
    reserve = 400  # the note and a table's closing blank line
    for table in tables:
        start = [*table.intro, *table.header]
        if _size([*lines, *start, table.rows[0]]) + reserve > max_bytes:
            break
        lines += start
        for row in table.rows:
            if _size([*lines, row]) + reserve > max_bytes:
                break
            lines.append(row)
            shown += 1
        lines.append("")
        if shown < sum(len(t.rows) for t in tables[: tables.index(table) + 1]):
            break
    lines.append(
        f"> Only {shown} of the {total} summary rows fit in this comment (limited to "
        f"{max_bytes:,} bytes); the details are left out. Run `mrgen diff` locally "
        "(or read the job summary) for every change."
    )
    return lines
