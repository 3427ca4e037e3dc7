"""The tree operations behind an atomic render: stage a copy, swap it in, and lose nothing.

- :func:`link_tree` copies the output folder into the staging folder as hard links (so
  unchanged files are not rewritten) and remembers which inode each path had.
- :func:`exchange` swaps the two folders in one ``renameat2(RENAME_EXCHANGE)``.
- :func:`settle` then looks at the old tree (now in the staging folder) before removing
  it: anything that appeared or was replaced in the output folder while the render ran is
  carried over into the new tree, and a file the user deleted meanwhile stays deleted.
  Only what mrgen knows it has (a link in the new tree, or a file it generated) is removed.

Every path is reached through :class:`generator.fsafe.Tree`, never through a link.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field

from generator.fsafe import Refused, Tree, kind

_RENAME_NOREPLACE, _RENAME_EXCHANGE = 1, 2

Known = Callable[[str, os.stat_result], bool]
"""Whether the old tree's entry at a path is accounted for (safe to remove)."""


@dataclass
class Snapshot:
    """What the output folder held when it was copied: path -> inode of each non-folder."""

    inodes: dict[str, int] = field(default_factory=dict)
    folders: set[str] = field(default_factory=set)


def _copy_entry(src: Tree, dst: Tree, rel: str, info: os.stat_result) -> None:
    src_dir, name = src.locate(rel)
    dst_dir, _ = dst.locate(rel, create=True)
    assert src_dir is not None and dst_dir is not None
    try:
        os.link(name, name, src_dir_fd=src_dir, dst_dir_fd=dst_dir, follow_symlinks=False)
        return
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EMLINK, errno.EXDEV, errno.EOPNOTSUPP):
            raise
    if stat.S_ISLNK(info.st_mode):
        os.symlink(os.readlink(name, dir_fd=src_dir), name, dir_fd=dst_dir)
    elif stat.S_ISREG(info.st_mode):
        dst.write(rel, src.read(rel))
    else:
        raise Refused(
            rel,
            f"is {kind(info.st_mode)} that cannot be linked into the new tree; "
            "move it out of the output folder",
        )


def link_tree(src: Tree, dst: Tree) -> Snapshot:
    """Make ``dst`` (empty) a copy of ``src`` made of hard links; links stay links."""
    snapshot = Snapshot()
    os.fchmod(dst.fd, stat.S_IMODE(os.fstat(src.fd).st_mode))
    for rel, info in src.walk():
        if stat.S_ISDIR(info.st_mode):
            fd = dst.dir_fd(rel, create=True)
            assert fd is not None
            os.fchmod(fd, stat.S_IMODE(info.st_mode))
            snapshot.folders.add(rel)
        else:
            _copy_entry(src, dst, rel, info)
            snapshot.inodes[rel] = info.st_ino
    return snapshot


def _renameat2(parent: int, a: str, b: str, flags: int) -> bool:
    """Linux renameat2 within folder ``parent``. False when this system has no such call."""
    import ctypes  # only when a tree is swapped: keeps `render --check` lean

    try:
        call = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    if call(parent, os.fsencode(a), parent, os.fsencode(b), flags) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), b)


def exchange(parent: int, a: str, b: str) -> bool:
    """Atomically swap folders ``a`` and ``b`` inside ``parent``. False when unsupported."""
    return _renameat2(parent, a, b, _RENAME_EXCHANGE)


def rename_new(parent: int, a: str, b: str) -> None:
    """Rename ``a`` to ``b``, failing with FileExistsError if ``b`` appeared meanwhile."""
    if _renameat2(parent, a, b, _RENAME_NOREPLACE):
        return
    try:
        os.lstat(b, dir_fd=parent)
    except FileNotFoundError:
        os.rename(a, b, src_dir_fd=parent, dst_dir_fd=parent)
        return
    raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), b)


@dataclass
class Settled:
    carried: list[str] = field(default_factory=list)
    """Paths that appeared during the render and were moved into the new tree."""
    kept: list[str] = field(default_factory=list)
    """Paths that could not be moved (the new tree has a folder there, or a link above)."""


def _same_file(old: Tree, new: Tree, rel: str) -> bool:
    try:
        return old.read(rel) == new.read(rel)
    except (Refused, OSError):
        return False


def _carry(old: Tree, new: Tree, rel: str, replace: bool) -> bool | None:
    """Move ``rel`` from ``old`` into ``new``: True when moved, None when ``new`` already
    has the same file (nothing to carry), False when it cannot be moved."""
    try:
        if not replace and new.lstat(rel) is not None:
            return None if _same_file(old, new, rel) else False
        old_dir, name = old.locate(rel)
        new_dir, _ = new.locate(rel, create=True)
    except (Refused, OSError):
        return False
    assert old_dir is not None and new_dir is not None
    try:
        os.rename(name, name, src_dir_fd=old_dir, dst_dir_fd=new_dir)
    except OSError:
        return False  # a folder in the way, or the entry went away meanwhile
    return True


def _pass(
    old: Tree, new: Tree, known: Known, owned: set[str], replace: bool, result: Settled
) -> bool:
    """One look at the old tree: carry what is unknown, remove what is known. True when
    the old tree is gone."""
    entries = list(old.walk())
    not_empty = {rel.rpartition("/")[0] for rel, _ in entries}
    for rel, info in entries:
        if stat.S_ISDIR(info.st_mode):
            try:
                if rel not in not_empty and new.lstat(rel) is None:
                    new.dir_fd(rel, create=True)  # an empty folder made during the render
            except (Refused, OSError):
                result.kept.append(rel)
            continue
        if known(rel, info) or rel in owned:
            continue
        moved = _carry(old, new, rel, replace)
        if moved:
            result.carried.append(rel)
        elif moved is False and rel not in result.kept:
            result.kept.append(rel)
    if result.kept:
        return False
    for rel, info in reversed(entries):  # contents before their folders
        try:
            parent, name = old.locate(rel)
        except Refused:
            return False  # a folder became something else meanwhile: look again
        if parent is None:
            continue
        try:
            if stat.S_ISDIR(info.st_mode):
                os.rmdir(name, dir_fd=parent)
            else:
                os.unlink(name, dir_fd=parent)
        except FileNotFoundError:
            continue
        except OSError as exc:
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
                return False  # something appeared in it: look again
            raise
    return True


def settle(
    old: Tree, new: Tree, known: Known, owned: set[str], *, replace: bool, passes: int = 5
) -> Settled:
    """Empty ``old`` into ``new``: entries ``known`` or at an ``owned`` path (generated by
    this render) are removed, everything else is moved across. ``replace``: the old tree's
    version is the newer one (after a swap, the new tree holds the linked copy made before
    the user changed it); otherwise an entry ``new`` already has is kept apart unless both
    are the same file. Looks again while entries keep appearing; stops (leaving ``old`` in
    place, its entries listed in ``kept``) when something cannot be moved."""
    result = Settled()
    for _ in range(passes):
        if _pass(old, new, known, owned, replace, result) or result.kept:
            return result
    result.kept.extend(rel for rel, _ in old.walk() if rel not in result.kept)
    return result


def forget_deleted(new: Tree, old: Tree, snapshot: Snapshot, owned: set[str]) -> None:
    """A file the user deleted from the output folder while the render ran was linked into
    the new tree before the deletion: delete it there too (when it is still that file)."""
    for rel, inode in snapshot.inodes.items():
        if rel in owned:
            continue
        try:
            if old.lstat(rel) is not None:
                continue
            now = new.lstat(rel)
        except (Refused, OSError):
            continue
        if now is not None and now.st_ino == inode:
            new.unlink(rel)
