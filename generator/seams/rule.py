"""What a seam rule is, and what it reports.

A rule has an id (``dns-name-served``), a one-line description, the upstream reference that
defines the behaviour it checks, and a ``check(tree)`` that returns findings. A finding is
a message at a place in a rendered document; :func:`diagnostics` turns findings into the
located diagnostics every mrgen command prints (``file:line:col: <rule-id>: message``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from generator.errors import Diagnostic, Path
from generator.outcheck.documents import Document
from generator.seams.tree import Obj, Tree


@dataclass(frozen=True)
class Finding:
    """One seam problem, located at a value of a rendered document."""

    document: Document
    path: Path
    message: str


def at(obj: Obj, path: Path, message: str) -> Finding:
    """A finding at ``path`` of an object (in the patch that sets it, if one does)."""
    document, full = obj.where(path)
    return Finding(document, full, message)


class Rule(Protocol):
    """A cross-artifact check of a rendered tree."""

    @property
    def id(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def reference(self) -> str: ...

    def check(self, tree: Tree) -> Iterable[Finding]: ...


@dataclass(frozen=True)
class SeamRule:
    """A :class:`Rule` made of its metadata and a check function."""

    id: str
    description: str
    reference: str
    run: Callable[[Tree], Iterable[Finding]]

    def check(self, tree: Tree) -> Iterable[Finding]:
        return self.run(tree)


def diagnostics(rule: Rule, findings: Iterable[Finding]) -> list[Diagnostic]:
    out = []
    for finding in findings:
        line, col = finding.document.where(finding.path)
        out.append(Diagnostic(finding.document.file, line, col, rule.id, finding.message))
    return out


def listing(names: Sequence[str]) -> str:
    """``a, b and c``."""
    names = list(names)
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
