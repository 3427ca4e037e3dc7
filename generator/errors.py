"""Located diagnostics shared by every stage.

Every user-facing problem is a :class:`Diagnostic` that names a place: a spec file
position plus a dotted path (``spec.yaml:14:12: regions[1].replicas.min: ...``) or a
template position plus the render context. Stages collect diagnostics and raise them
together as one :class:`MrgenError`, so the user sees every problem at once.

Two kinds, told apart by the CLI's exit code: a :class:`MrgenError` is a finding about
what the user gave mrgen (an invalid spec); a :class:`TroubleError` means mrgen could not
do its job (a missing or unreadable spec, an output folder it must not touch, a lock held
by another render).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

PathPart = str | int
Path = tuple[PathPart, ...]
Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
EXCERPT_WIDTH = 100  # characters of a long source line shown around the column


def escape_controls(text: str) -> str:
    """``text`` with every character a terminal would act on or hide (controls, line and
    paragraph separators, bidi overrides, unassigned and private characters) written as an
    escape, so a printed value can never start a new line or reorder the ones around it."""
    if text.isprintable():
        return text
    out = []
    for char in text:
        if char.isprintable() or char == " ":
            out.append(char)
        elif char in _NAMED:
            out.append(_NAMED[char])
        else:
            code = ord(char)
            out.append(
                f"\\x{code:02x}"
                if code < 0x100
                else f"\\u{code:04x}"
                if code < 0x10000
                else f"\\U{code:08x}"
            )
    return "".join(out)


def _width(text: str) -> int:
    """Terminal columns ``text`` takes (wide East Asian characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def excerpt_lines(source_line: str, col: int) -> list[str]:
    """The offending source line, escaped, with a caret under column ``col`` (1-based)."""
    before, after = source_line[: max(col - 1, 0)], source_line[max(col - 1, 0) :]
    shown_before, shown_after = escape_controls(before), escape_controls(after)
    if len(shown_before) > EXCERPT_WIDTH // 2:
        shown_before = "..." + shown_before[-(EXCERPT_WIDTH // 2) :]
    if len(shown_after) > EXCERPT_WIDTH // 2:
        shown_after = shown_after[: EXCERPT_WIDTH // 2] + "..."
    return [f"    | {shown_before}{shown_after}".rstrip(), f"    | {' ' * _width(shown_before)}^"]


def format_path(path: Sequence[PathPart]) -> str:
    """Render a data path the way users write it: ``regions[1].replicas.min``."""
    if len(path) > 16:  # deep nesting: keep the message readable
        return f"{format_path(path[:8])}...({len(path) - 12} more)...{format_path(path[-4:])}"
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(root)"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one place. ``line``/``col`` are 1-based; 0 means unknown.
    ``source_line``, when set, is the text of that line, shown under the message with a
    caret under the column (YAML syntax errors)."""

    file: str
    line: int
    col: int
    path: str
    message: str
    severity: Severity = ERROR
    """Errors fail the command; warnings are reported (and fail only ``--strict``)."""
    source_line: str | None = None

    def __str__(self) -> str:
        where = escape_controls(self.file)
        if self.line:
            where += f":{self.line}:{self.col}"
        message = escape_controls(self.message)
        if self.severity == WARNING:
            message = f"warning: {message}"
        text = (
            f"{where}: {escape_controls(self.path)}: {message}"
            if self.path
            else f"{where}: {message}"
        )
        if self.source_line is not None and self.line:
            text = "\n".join([text, *excerpt_lines(self.source_line, self.col)])
        return text

    def as_error(self) -> Diagnostic:
        """The same diagnostic as an error (``--strict``)."""
        return Diagnostic(
            self.file, self.line, self.col, self.path, self.message, source_line=self.source_line
        )


class MrgenError(Exception):
    """One or more diagnostics, reported together: findings (CLI exit code 1)."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = sorted(set(diagnostics))
        super().__init__("\n".join(str(d) for d in self.diagnostics))


def at(file: str, message: str, *, path: str = "", line: int = 0, col: int = 0) -> Diagnostic:
    """One problem in ``file`` (a spec, a generated file, a template, a folder), at its
    1-based ``line``/``col`` when known."""
    return Diagnostic(file, line, col, path, message)


class TroubleError(MrgenError):
    """Located problems that stop mrgen from doing its job, not findings about the spec:
    a missing or unreadable spec, an output folder it must not touch, a lock held too long
    (CLI exit code 2)."""


def fail(file: str, message: str, path: str = "", line: int = 0, col: int = 0) -> MrgenError:
    """Shorthand for a single located error."""
    return MrgenError([at(file, message, path=path, line=line, col=col)])


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` when one of ``choices`` is close to ``name``, else ``""``."""
    import difflib  # only for the hint of an error

    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def trouble(file: str, message: str) -> TroubleError:
    """Shorthand for a single problem with a file or folder (no position in it)."""
    return TroubleError([at(file, message)])
