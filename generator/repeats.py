"""Repeated identical problems, grouped: one line with a count instead of one per file.

Strict validation of a rendered tree can report the same problem for many files (without a
schema folder, every custom resource). :func:`group_repeats` turns each message reported for
:data:`GROUP_FROM` files or more into one :class:`Repeated`, placed where its first
occurrence was, and keeps every other problem as it is (a message repeated within one file
keeps its lines: their places differ). Pure; the CLI prints.
"""

from __future__ import annotations

import posixpath
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from generator.errors import Diagnostic

GROUP_FROM = 3
"""A message reported for this many files or more becomes one line."""


@dataclass(frozen=True)
class Repeated:
    message: str
    diagnostics: tuple[Diagnostic, ...]

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(sorted({d.file for d in self.diagnostics}))

    @property
    def where(self) -> str:
        """The folder holding every file (or the one file) the problem was found in."""
        files = self.files
        if len(files) == 1:
            return files[0]
        try:
            return posixpath.commonpath(files) or "."
        except ValueError:  # absolute and relative paths mixed
            return "."

    def __str__(self) -> str:
        files, count = len(self.files), len(self.diagnostics)
        many = f"{files} files" if count == files else f"{count} times in {files} files"
        return f"{self.where}: {self.message} ({many})"


def group_repeats(
    diagnostics: Sequence[Diagnostic], at_least: int = GROUP_FROM
) -> list[Diagnostic | Repeated]:
    """The diagnostics in their order, each message reported for ``at_least`` files or more
    folded into one :class:`Repeated` at its first occurrence."""
    counts = Counter(message for message, _ in {(d.message, d.file) for d in diagnostics})
    out: list[Diagnostic | Repeated] = []
    seen: set[str] = set()
    for diagnostic in diagnostics:
        message = diagnostic.message
        if counts[message] < at_least:
            out.append(diagnostic)
        elif message not in seen:
            seen.add(message)
            out.append(Repeated(message, tuple(d for d in diagnostics if d.message == message)))
    return out
