"""How the command line reports: the exit-code table, located problems, interrupts.

Part of the CLI (:mod:`generator.cli`), the only place that prints or picks exit codes.

Exit codes, one table for every command (a contract, like black's; README "Commands"):
  0    success: valid, written, up to date, no changes, the survivors absorb the load
  1    findings: an invalid spec or rendered document, drift (render --check), changes
       (diff), a render the safety valve refuses, regions over capacity (simulate)
  2    usage or trouble: a bad option or argument, a missing, unreadable or special spec
       file, an output folder mrgen must not touch, a lock another render held too long, an
       unknown git ref, an I/O error, an internal error, init finding files in the way
  130  interrupted (Ctrl-C)
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from generator.errors import MrgenError, TroubleError, escape_controls

EXIT_OK, EXIT_PROBLEMS, EXIT_TROUBLE, EXIT_INTERRUPTED = 0, 1, 2, 130


def echo_err(text: str) -> None:
    click.echo(text, err=True)


def shown(path: Path | str) -> str:
    """A user-given path as printed: control characters escaped, so a file name cannot
    start a line of its own."""
    return escape_controls(str(path))


@contextmanager
def reported() -> Iterator[None]:
    """Turn MrgenError into located lines and exit 1, TroubleError into located lines and
    exit 2; OSError into one line and exit 2."""
    try:
        yield
    except MrgenError as exc:
        for diagnostic in exc.diagnostics:
            echo_err(str(diagnostic))
        count = len(exc.diagnostics)
        echo_err(f"mrgen: {count} problem{'s' if count != 1 else ''} found")
        sys.exit(EXIT_TROUBLE if isinstance(exc, TroubleError) else EXIT_PROBLEMS)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        echo_err(escape_controls(f"mrgen: {where}{exc.strerror or exc}"))
        sys.exit(EXIT_TROUBLE)


def waiting(out: Path) -> Callable[[Path], None]:
    """What to say when another render holds ``out``'s lock."""

    def say(lock: Path) -> None:
        echo_err(
            f"mrgen: another render is writing {shown(out)}; waiting for it to finish "
            f"({shown(lock)})"
        )

    return say


class Interrupted(BaseException):
    """Ctrl-C: raised by :func:`interrupt` (not KeyboardInterrupt, which click turns into
    exit code 1)."""


def interrupt(signum: int, frame: object) -> None:
    """The SIGINT handler while mrgen runs."""
    raise Interrupted
