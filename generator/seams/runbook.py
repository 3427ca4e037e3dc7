"""The rendered runbook, read as a human would: headings, table rows, prerequisites.

A runbook is a Markdown file of the tree whose name contains ``runbook``. Its *entries* are
its headings and the first cell of its table rows; its *prerequisites* are the names in
backticks under any heading that contains "prerequisite". Anchors are GitHub's heading
slugs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.seams.tree import Tree

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_CODE = re.compile(r"`([^`]+)`")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


@dataclass
class Runbook:
    file: str
    entries: set[str] = field(default_factory=set)
    anchors: set[str] = field(default_factory=set)
    prerequisites: set[str] = field(default_factory=set)


def _plain(cell: str) -> str:
    return cell.strip().strip("`*_ ").strip()


def parse(file: str, content: str) -> Runbook:
    book = Runbook(file)
    in_prerequisites, level = False, 0
    fenced = False
    for line in content.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            continue
        heading = _HEADING.match(line)
        if heading:
            depth, title = len(heading.group(1)), heading.group(2)
            book.entries.add(_plain(title))
            book.entries.update(_CODE.findall(title))
            book.anchors.add(slug(title))
            if "prerequisite" in title.lower():
                in_prerequisites, level = True, depth
            elif in_prerequisites and depth <= level:
                in_prerequisites = False
            continue
        if line.lstrip().startswith("|"):
            cells = line.strip().strip("|").split("|")
            if cells and not set(cells[0].strip()) <= set("-: "):
                book.entries.add(_plain(cells[0]))
        if in_prerequisites:
            book.prerequisites.update(_CODE.findall(line))
    return book


def runbooks(tree: Tree) -> list[Runbook]:
    return [
        parse(file, content)
        for file, content in sorted(tree.texts.items())
        if "runbook" in file.rsplit("/", 1)[-1].lower()
    ]
