"""Plan the difference between a render and the output folder, then apply it atomically.

The only module that writes. Ownership: the folder keeps a record (``RECORD``) of the
files mrgen wrote; only those are ever updated or deleted. A file mrgen never wrote is
left alone, and if a render wants its path, that is an error, not an overwrite.

Containment: every path is reached through :class:`generator.fsafe.Tree`, so a symbolic
link, a FIFO or a device anywhere on an owned path is refused (a TroubleError), never
followed, read or replaced, and nothing outside the output folder is touched.

Atomicity: the new tree is assembled in a sibling staging folder (unchanged files are
hard links, so they are not rewritten) and swapped in with one ``renameat2(RENAME_EXCHANGE)``.
An interrupted render leaves the complete old tree or the complete new one; files that
appear in the folder while a render runs are carried into the new tree
(:mod:`generator.swap`).

Concurrency: callers hold :func:`generator.lock.output_lock` from plan to apply. The
staging folder is made and removed only under that lock, so one found by a lock holder was
left by a render that died: :func:`recover` clears it, carrying over anything in it that
mrgen did not make.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from generator import swap
from generator.errors import Diagnostic, TroubleError, trouble
from generator.fsafe import Refused, Tree, kind
from generator.ownership import RECORD as RECORD
from generator.ownership import open_out as _open_out
from generator.ownership import read_in as _read_record
from generator.ownership import read_record as read_record
from generator.ownership import record_content as record_content
from generator.section import RenderedFile

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
    owned_before: frozenset[str] = frozenset()
    """The previous record's paths (with the record itself when it existed)."""

    @property
    def clean(self) -> bool:
        return not self.changes


def staging_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.mrgen-staging"


def _backup_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.mrgen-old"


def _text(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None  # not ours to compare as text; forces an update


def _look(
    out: Path,
    tree: Tree,
    path: str,
    owned: set[str],
    wanted: str | None,
    changes: list[Change],
    unchanged: list[str],
) -> Diagnostic | None:
    """Classify ``path`` (wanted when ``wanted`` is its new content, else owned and no
    longer rendered); the problem with it, if any."""

    def problem(rel: str, message: str) -> Diagnostic:
        return Diagnostic(str(out / rel), 0, 0, "", message)

    try:
        info = tree.lstat(path)
        if info is None:
            if wanted is not None:
                changes.append(Change("create", path, None, wanted))
            return None
        if stat.S_ISDIR(info.st_mode):
            return (
                problem(path, "is a folder where mrgen writes a file")
                if wanted is not None
                else None
            )
        if not stat.S_ISREG(info.st_mode):
            return problem(
                path,
                f"is {kind(info.st_mode)}, not a regular file; mrgen only "
                "reads, replaces and deletes regular files it wrote: remove it",
            )
        if wanted is not None and path not in owned:
            return problem(
                path,
                "exists but mrgen did not write it; move it away "
                "(mrgen never overwrites files it does not own)",
            )
        old = _text(tree.read(path))
    except Refused as refused:
        return problem(refused.rel, refused.message)
    if wanted is None:
        changes.append(Change("delete", path, old, None))
    elif old == wanted:
        unchanged.append(path)
    else:
        changes.append(Change("update", path, old, wanted))
    return None


def plan(out: Path, files: Sequence[RenderedFile], source: str) -> Plan:
    """Compare ``files`` with ``out``; raises TroubleError on conflicts, writes nothing."""
    wanted = {f.path: f.content for f in files}
    wanted[RECORD] = record_content(source, [f.path for f in files])
    tree = _open_out(out)
    if tree is None:
        return Plan(
            out, tuple(Change("create", p, None, c) for p, c in sorted(wanted.items())), (), wanted
        )
    with tree:
        owned = set(_read_record(out, tree))
        had_record = tree.lstat(RECORD) is not None
        owned_before = frozenset(owned | ({RECORD} if had_record else set()))
        owned.add(RECORD)
        changes: list[Change] = []
        unchanged: list[str] = []
        problems = [
            p
            for path in sorted(wanted)
            if (p := _look(out, tree, path, owned, wanted[path], changes, unchanged))
        ]
        problems += [
            p
            for path in sorted(owned - set(wanted))
            if (p := _look(out, tree, path, owned, None, changes, unchanged))
        ]
    if problems:
        raise TroubleError(problems)
    return Plan(
        out, tuple(sorted(changes, key=lambda c: c.path)), tuple(unchanged), wanted, owned_before
    )


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Ctrl-C (or a TERM) during the swap and its clean-up takes effect after them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _syncfs(folder: Path | int) -> bool:
    """Flush the filesystem holding ``folder`` with one syncfs(2) (Linux): one journal
    commit and one disk-cache flush, where an fsync per file costs one each (most of the
    write time of a render). False when this platform has no syncfs."""
    import ctypes

    try:
        syncfs = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return False
    if isinstance(folder, int):
        return bool(syncfs(folder) == 0)
    fd = os.open(folder, os.O_RDONLY)
    try:
        return bool(syncfs(fd) == 0)
    finally:
        os.close(fd)


def _write(tree: Tree, rel: str, content: str) -> None:
    tree.write(rel, content.encode("utf-8"))


def _stage(result: Plan, parent: int, out_tree: Tree | None) -> tuple[Tree, swap.Snapshot]:
    """The staging folder: a linked copy of the output folder with the plan applied."""
    name = staging_dir(result.out).name
    os.mkdir(name, dir_fd=parent)
    staged = Tree.open(name, dir_fd=parent)
    try:
        snapshot = swap.link_tree(out_tree, staged) if out_tree is not None else swap.Snapshot()
        written: list[str] = []
        # The record first: a staging folder left by a kill then names what mrgen wrote.
        for change in sorted(result.changes, key=lambda c: (c.path != RECORD, c.path)):
            if change.action == "delete":
                staged.unlink(change.path)
            else:
                assert change.new is not None
                _write(staged, change.path, change.new)
                written.append(change.path)
        if not _syncfs(staged.fd):
            for rel in written:
                staged.fsync(rel)
    except BaseException:
        staged.close()
        raise
    return staged, snapshot


def _remove(parent: int, name: str) -> None:
    with suppress(FileNotFoundError):
        shutil.rmtree(name, dir_fd=parent)


def _settled(
    out: Path, old: Tree, new: Tree, known: swap.Known, owned: set[str], stale: Path | None = None
) -> int:
    """Empty the replaced tree (or the ``stale`` folder a killed render left) into ``new``;
    TroubleError, with nothing lost, for what cannot be carried over."""
    done = swap.settle(old, new, known, owned, replace=stale is None)
    if done.kept:
        kept = stale or staging_dir(out)
        why = (
            (
                f"was left in {kept} by an interrupted render and differs from the file here "
                f"(or cannot be moved here): keep the version you want, delete {kept}, then "
                "run mrgen render again"
            )
            if stale
            else (
                f"appeared or changed during the render and could not be carried into the new "
                f"tree; it is kept in {kept}: move it where it belongs, then run mrgen render "
                "again"
            )
        )
        raise TroubleError([Diagnostic(str(out / rel), 0, 0, "", why) for rel in done.kept])
    return len(done.carried)


def _recover_into(out: Path, parent: int, name: str) -> int:
    """Empty the stale folder ``name`` into ``out``: what either record names or ``out``
    holds as the same file is mrgen's or already there; anything else is carried."""
    with Tree.open(name, dir_fd=parent) as stale, Tree.open(out.name, dir_fd=parent) as current:
        recorded = (
            set(_read_record(out.parent / name, stale)) | set(_read_record(out, current)) | {RECORD}
        )

        def known(rel: str, info: os.stat_result) -> bool:
            try:
                now = current.lstat(rel)
            except Refused:
                return False
            return rel in recorded or (now is not None and now.st_ino == info.st_ino)

        return _settled(out, stale, current, known, set(), out.parent / name)


def recover(out: Path) -> int:
    """Clear what a render that died left beside ``out`` (call it holding the exclusive
    lock): restore the old tree if the kill fell between the two renames of the fallback
    swap, and empty a staging folder into ``out`` keeping anything mrgen did not make.
    Returns how many entries were carried into ``out``."""
    if not out.parent.is_dir():
        return 0
    parent = os.open(out.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        backup, staging = _backup_dir(out), staging_dir(out)
        if not os.path.lexists(out) and backup.is_dir() and not backup.is_symlink():
            swap.rename_new(parent, backup.name, out.name)
        carried = 0
        if not os.path.lexists(out) and staging.is_dir() and not staging.is_symlink():
            # a first render died before its swap (or the folder was removed since): its
            # staging folder becomes the output folder, so nothing anyone put in it is lost;
            # the render that follows corrects mrgen's own files in it
            swap.rename_new(parent, staging.name, out.name)
        for stale in (staging, backup):
            if not os.path.lexists(stale) or stale.is_symlink() or not stale.is_dir():
                continue
            if out.is_dir() and not out.is_symlink():
                carried += _recover_into(out, parent, stale.name)
            _remove(parent, stale.name)
        return carried
    finally:
        os.close(parent)


def _identity(info: os.stat_result) -> tuple[int, int]:
    return info.st_dev, info.st_ino


def _swap_in(parent: int, out: Path, copied: tuple[int, int]) -> None:
    """Put the staging folder in ``out``'s place, the old tree in the staging folder's. If
    what was swapped out is not the folder the render copied (replaced meanwhile, by a link
    for instance), it is swapped back and nothing has changed."""
    staging, backup = staging_dir(out).name, _backup_dir(out).name
    changed = trouble(
        str(out),
        "was replaced while mrgen was rendering into it; nothing was "
        "changed: run mrgen render again",
    )
    if swap.exchange(parent, staging, out.name):
        if _identity(os.lstat(staging, dir_fd=parent)) != copied:
            swap.exchange(parent, staging, out.name)
            raise changed
        return
    os.rename(out.name, backup, src_dir_fd=parent, dst_dir_fd=parent)
    if _identity(os.lstat(backup, dir_fd=parent)) != copied:
        os.rename(backup, out.name, src_dir_fd=parent, dst_dir_fd=parent)
        raise changed
    os.rename(staging, out.name, src_dir_fd=parent, dst_dir_fd=parent)
    os.rename(backup, staging, src_dir_fd=parent, dst_dir_fd=parent)


def apply(result: Plan) -> None:
    """Make ``result.out`` hold the planned tree, atomically. Writes nothing when clean,
    but still clears what an interrupted render left (see :func:`recover`)."""
    out = result.out
    if recover(out):
        raise trouble(
            str(out),
            "files left by an interrupted render were restored into "
            "this folder; run mrgen render again",
        )
    if result.clean:
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    parent = os.open(out.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    staging = staging_dir(out).name
    swapped = False
    try:
        out_tree = _open_out(out)
        try:
            staged, snapshot = _stage(result, parent, out_tree)
            copied = _identity(os.fstat(out_tree.fd)) if out_tree is not None else None
        finally:
            if out_tree is not None:
                out_tree.close()
        with staged, _signals_deferred():
            if copied is None:
                try:
                    swap.rename_new(parent, staging, out.name)
                except FileExistsError:
                    raise trouble(
                        str(out),
                        "appeared while mrgen was rendering into it; "
                        "nothing was written: run mrgen render again",
                    ) from None
                swapped = True
                return
            _swap_in(parent, out, copied)
            swapped = True
            owned = set(result.new_files)
            old_owned = set(result.owned_before)
            with (
                Tree.open(out.name, dir_fd=parent) as new,
                Tree.open(staging, dir_fd=parent) as old,
            ):
                swap.forget_deleted(new, old, snapshot, owned | old_owned)

                def known(rel: str, info: os.stat_result) -> bool:
                    return snapshot.inodes.get(rel) == info.st_ino or rel in old_owned

                _settled(out, old, new, known, owned)
            _remove(parent, staging)
    finally:
        if not swapped:
            _remove(parent, staging)  # only links and files this render wrote
        os.close(parent)
