"""Located diagnostics shared by every stage.

Every user-facing problem is a :class:`Diagnostic` that names a place: a spec file
position plus a dotted path (``spec.yaml:14:12: regions[1].replicas.min: ...``) or a
template position plus the render context. Stages collect diagnostics and raise them
together as one :class:`MrgenError`, so the user sees every problem at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

PathPart = str | int
Path = tuple[PathPart, ...]
Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"


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
    """One problem at one place. ``line``/``col`` are 1-based; 0 means unknown."""

    file: str
    line: int
    col: int
    path: str
    message: str
    severity: Severity = ERROR
    """Errors fail the command; warnings are reported (and fail only ``--strict``)."""

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}:{self.col}"
        message = f"warning: {self.message}" if self.severity == WARNING else self.message
        return f"{where}: {self.path}: {message}" if self.path else f"{where}: {message}"

    def as_error(self) -> Diagnostic:
        """The same diagnostic as an error (``--strict``)."""
        return Diagnostic(self.file, self.line, self.col, self.path, self.message)


class MrgenError(Exception):
    """One or more diagnostics, reported together."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = sorted(set(diagnostics))
        super().__init__("\n".join(str(d) for d in self.diagnostics))


def at(file: str, message: str, *, path: str = "", line: int = 0, col: int = 0) -> Diagnostic:
    """One problem in ``file`` (a spec, a generated file, a template, a folder), at its
    1-based ``line``/``col`` when known."""
    return Diagnostic(file, line, col, path, message)


def fail(file: str, message: str, path: str = "", line: int = 0, col: int = 0) -> MrgenError:
    """Shorthand for a single located error."""
    return MrgenError([at(file, message, path=path, line=line, col=col)])


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` when one of ``choices`` is close to ``name``, else ``""``."""
    import difflib  # only for the hint of an error

    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""
