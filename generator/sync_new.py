"""The sync step's other writer: new files only, all or nothing (``mrgen init``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from generator.errors import TroubleError, at
from generator.section import RenderedFile


def create_new(root: Path, files: Sequence[RenderedFile]) -> None:
    """Write ``files`` under ``root`` only if none of them exists yet (``mrgen init``):
    raises TroubleError naming every existing one and writes nothing in that case."""
    existing = [
        at(str(root / f.path), "already exists; mrgen init never overwrites")
        for f in files
        if (root / f.path).exists() or (root / f.path).is_symlink()
    ]
    if existing:
        raise TroubleError(existing)
    written: list[Path] = []
    try:
        for file in files:
            target = root / file.path
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("x", encoding="utf-8", newline="\n") as handle:
                written.append(target)
                handle.write(file.content)
    except BaseException:
        for path in written:  # all or nothing
            path.unlink(missing_ok=True)
        raise
