"""The ownership record: which files in an output folder mrgen wrote.

``RECORD`` (``.mrgen-files.json``) lists them; only those are ever updated or deleted. The
record is read like every owned file (no link followed, regular files only) and every path
in it must stay inside the folder: plain, relative, no ``..``, ``.`` or empty component.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from generator.errors import trouble
from generator.fsafe import Refused, Tree, kind

RECORD = ".mrgen-files.json"
MAX_RECORD_BYTES = 16 * 1024 * 1024


def _safe_relative(path: str) -> bool:
    pure = PurePosixPath(path)
    return (
        bool(path)
        and not pure.is_absolute()
        and ".." not in pure.parts
        and "\\" not in path
        and "\0" not in path
        and "//" not in path
        and "." not in path.split("/")
    )


def open_out(out: Path) -> Tree | None:
    """The output folder as a tree; None when it does not exist yet."""
    try:
        return Tree.open(out)
    except FileNotFoundError:
        return None
    except OSError:
        if out.is_symlink() or out.exists():
            raise trouble(
                str(out),
                "the output path exists and is not a plain folder "
                f"(it is {kind(os.lstat(out).st_mode)})",
            ) from None
        raise


def read_in(out: Path, tree: Tree) -> list[str]:
    """The record of folder ``out``, opened as ``tree`` (a TroubleError when it is broken)."""
    record = out / RECORD
    try:
        if tree.lstat(RECORD) is None:
            return []
        raw = tree.read(RECORD)
        if len(raw) > MAX_RECORD_BYTES:
            raise ValueError(f"{len(raw)} bytes is more than any record")
        data = json.loads(raw.decode("utf-8"))
        files = data["files"]
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            raise TypeError("files is not a list of paths")
    except Refused as refused:
        raise trouble(str(record), refused.message) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise trouble(
            str(record), f"cannot read mrgen's record of owned files ({exc}); restore it from git"
        ) from None
    unsafe = [f for f in files if not _safe_relative(f)]
    if unsafe:
        raise trouble(str(record), f"record lists paths outside the output folder: {unsafe[:3]}")
    return files


def read_record(out: Path) -> list[str]:
    """The files a previous render wrote into ``out`` (empty when there is none)."""
    tree = open_out(out)
    if tree is None:
        return []
    with tree:
        return read_in(out, tree)


def record_content(source: str, paths: Sequence[str]) -> str:
    body = {
        "generatedBy": "mrgen",
        "spec": source,
        "files": sorted(paths),
        "note": "Files mrgen owns in this folder. mrgen render updates and removes only these.",
    }
    return json.dumps(body, indent=2, sort_keys=True) + "\n"
