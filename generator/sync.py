"""Plan the difference between a render and the output folder, then apply it atomically.

The only module that writes. Ownership: the folder keeps a record (``RECORD``) of the
files mrgen wrote; only those are ever updated or deleted. A file mrgen never wrote is
left alone, and if a render wants its path, that is an error, not an overwrite.

Atomicity: the new tree is assembled in a sibling staging folder (unchanged files are
hard links, so they are not rewritten) and swapped in with one ``renameat2(RENAME_EXCHANGE)``.
An interrupted render leaves the complete old tree or the complete new one.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

from generator.errors import Diagnostic, MrgenError
from generator.section import RenderedFile

RECORD = ".mrgen-files.json"
Action = Literal["create", "update", "delete"]


@dataclass(frozen=True)
class Change:
    action: Action
    path: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Plan:
    out: Path
    changes: tuple[Change, ...]
    unchanged: tuple[str, ...]
    new_files: dict[str, str] = field(repr=False)

    @property
    def clean(self) -> bool:
        return not self.changes


def _error(path: Path | str, message: str) -> MrgenError:
    return MrgenError([Diagnostic(str(path), 0, 0, "", message)])


def _safe_relative(path: str) -> bool:
    pure = PurePosixPath(path)
    return bool(path) and not pure.is_absolute() and ".." not in pure.parts \
        and "\\" not in path and "\0" not in path


def staging_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.mrgen-staging"


def _backup_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.mrgen-old"


def read_record(out: Path) -> list[str]:
    """The files a previous render wrote into ``out`` (empty when there is none)."""
    record = out / RECORD
    if not record.exists():
        return []
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
        files = data["files"]
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            raise TypeError("files is not a list of paths")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise _error(record, f"cannot read mrgen's record of owned files ({exc}); "
                     "restore it from git") from None
    unsafe = [f for f in files if not _safe_relative(f)]
    if unsafe:
        raise _error(record, f"record lists paths outside the output folder: {unsafe[:3]}")
    return files


def record_content(source: str, paths: Sequence[str]) -> str:
    body = {"generatedBy": "mrgen", "spec": source, "files": sorted(paths),
            "note": "Files mrgen owns in this folder. mrgen render updates and removes only these."}
    return json.dumps(body, indent=2, sort_keys=True) + "\n"


def _read(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return None  # not ours to compare as text; forces an update


def plan(out: Path, files: Sequence[RenderedFile], source: str) -> Plan:
    """Compare ``files`` with ``out``; raises MrgenError on conflicts, writes nothing."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise _error(out, "the output path exists and is not a plain folder")
    owned = set(read_record(out)) if out.exists() else set()
    wanted = {f.path: f.content for f in files}
    wanted[RECORD] = record_content(source, [f.path for f in files])
    owned.add(RECORD)
    changes: list[Change] = []
    unchanged: list[str] = []
    problems: list[Diagnostic] = []
    for path in sorted(wanted):
        target = out / path
        parent = target.parent
        while parent != out and parent != parent.parent:
            if parent.exists() and not parent.is_dir():
                problems.append(Diagnostic(str(parent), 0, 0, "",
                                           f"is a file, but {path} must go inside it"))
            parent = parent.parent
        if target.is_dir() and not target.is_symlink():
            problems.append(Diagnostic(str(target), 0, 0, "",
                                       "is a folder where mrgen writes a file"))
        elif target.exists() or target.is_symlink():
            if path not in owned:
                problems.append(Diagnostic(str(target), 0, 0, "",
                                           "exists but mrgen did not write it; move it away "
                                           "(mrgen never overwrites files it does not own)"))
                continue
            old = None if target.is_symlink() else _read(target)
            if old == wanted[path]:
                unchanged.append(path)
            else:
                changes.append(Change("update", path, old, wanted[path]))
        else:
            changes.append(Change("create", path, None, wanted[path]))
    for path in sorted(owned - set(wanted)):
        target = out / path
        if target.is_file() or target.is_symlink():
            changes.append(Change("delete", path, _read(target), None))
    if problems:
        raise MrgenError(problems)
    return Plan(out, tuple(sorted(changes, key=lambda c: c.path)), tuple(unchanged), wanted)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2). False when unsupported here."""
    import ctypes  # only when a tree is swapped: keeps `render --check` lean

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a))


def _link_tree(source: Path, dest: Path) -> None:
    """Copy a tree whose files are hard links, so unchanged files are not rewritten."""
    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, dest, symlinks=True, copy_function=link)


def _prune_empty(folder: Path, stop: Path) -> None:
    while folder != stop and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()  # never write through a hard link shared with the old tree
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(content)


def _syncfs(folder: Path) -> bool:
    """Flush the filesystem holding ``folder`` with one syncfs(2) (Linux): one journal
    commit and one disk-cache flush, where an fsync per file costs one each (most of the
    write time of a render). False when this platform has no syncfs."""
    import ctypes

    try:
        syncfs = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return False
    fd = os.open(folder, os.O_RDONLY)
    try:
        return bool(syncfs(fd) == 0)
    finally:
        os.close(fd)


def _make_durable(staging: Path, written: list[Path]) -> None:
    """The staged files reach the disk before the swap makes them the output."""
    if _syncfs(staging):
        return
    for path in written:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def apply(result: Plan) -> None:
    """Make ``result.out`` hold the planned tree, atomically. Writes nothing when clean,
    but still removes what an interrupted render left (a kill after the swap leaves the
    new tree plus the old one in the staging folder)."""
    out = result.out
    staging = staging_dir(out)
    for leftover in (staging, _backup_dir(out)):
        if leftover.exists() and not leftover.is_symlink():
            shutil.rmtree(leftover)  # ours by name
    if result.clean:
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        if out.exists():
            _link_tree(out, staging)
        else:
            staging.mkdir()
        written = []
        for change in result.changes:
            target = staging / change.path
            if change.action == "delete":
                target.unlink()
                _prune_empty(target.parent, staging)
            else:
                assert change.new is not None
                _write(target, change.new)
                written.append(target)
        _make_durable(staging, written)
        if not out.exists():
            staging.rename(out)
            return
        if not _exchange(staging, out):
            backup = _backup_dir(out)
            out.rename(backup)
            staging.rename(out)
            staging = backup
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def create_new(root: Path, files: Sequence[RenderedFile]) -> None:
    """Write ``files`` under ``root`` only if none of them exists yet (``mrgen init``):
    raises MrgenError naming every existing one and writes nothing in that case."""
    existing = [Diagnostic(str(root / f.path), 0, 0, "", "already exists; mrgen init never "
                           "overwrites") for f in files if (root / f.path).exists()
                or (root / f.path).is_symlink()]
    if existing:
        raise MrgenError(existing)
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
