"""Is ``--out`` a folder mrgen may replace? Checked before anything is planned or written.

A render swaps the output folder as a whole (see :mod:`generator.sync`), so the folder must
be one that holds nothing but mrgen's output and the user's notes beside it: never the
filesystem root, the home folder, the folder the shell is in (or one above it), or a mount
point; not, without ``--force``, the spec's own folder (or one above it) or a non-empty
folder with no record of files mrgen wrote.
"""

from __future__ import annotations

import os
from pathlib import Path

from generator.errors import Diagnostic, TroubleError
from generator.sync import RECORD


def _contains(folder: Path, inner: Path) -> bool:
    return folder == inner or folder in inner.parents


def _unescape(field: str) -> str:
    """A path as /proc/self/mountinfo writes it (space, tab, newline, backslash octal)."""
    for code in ("040", "011", "012", "134"):
        field = field.replace(f"\\{code}", chr(int(code, 8)))
    return field


def is_mount_point(folder: Path) -> bool:
    """Whether ``folder`` (resolved) is where a filesystem is mounted. Linux's mount table
    also knows bind mounts of the same filesystem, which os.path.ismount cannot see."""
    try:
        table = Path("/proc/self/mountinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return os.path.ismount(folder)
    points = {_unescape(line.split(" ")[4]) for line in table.splitlines() if line.count(" ") > 4}
    return str(folder) in points or os.path.ismount(folder)


def _has_entries(folder: Path) -> bool:
    with os.scandir(folder) as entries:
        return any(True for _ in entries)


def problems(out: Path, spec: Path | None, force: bool) -> list[str]:
    """Why ``out`` must not be rendered into (empty: it may be)."""
    real = out.resolve()
    found = []
    if real == Path(real.anchor):
        found.append("is the filesystem root")
    home = os.environ.get("HOME")
    if home and real == Path(home).resolve():
        found.append("is your home folder")
    if _contains(real, Path.cwd().resolve()):
        found.append(
            "is the current folder or holds it; mrgen replaces its output folder "
            "as a whole, which it cannot do to the folder you are in"
        )
    if found:
        return [f"{found[0]}: render into a folder of its own, for example rendered/"]
    if real.is_dir() and is_mount_point(real):
        return [
            "is a mount point: mrgen replaces its output folder as a whole (an atomic "
            "rename), which a mount point cannot be; render into a folder inside it"
        ]
    if force:
        return []
    if spec is not None and _contains(real, spec.resolve().parent):
        return [
            f"holds the spec ({spec}); render into a folder of its own, for example "
            "rendered/ (or pass --force)"
        ]
    if (
        real.is_dir()
        and not out.is_symlink()
        and not os.path.lexists(out / RECORD)
        and _has_entries(real)
    ):
        return [
            f"is not empty and has no record of files mrgen wrote ({RECORD}), so it is "
            "not an mrgen output folder; render into a new or empty folder, or pass "
            "--force to render into it (its files stay untouched)"
        ]
    return []


def check(out: Path, spec: Path | None, force: bool) -> None:
    """Raise a TroubleError naming ``out`` when it must not be rendered into."""
    found = problems(out, spec, force)
    if found:
        raise TroubleError([Diagnostic(str(out), 0, 0, "", message) for message in found])
