"""File access inside a folder mrgen owns that never goes through a symbolic link.

Every path is opened one component at a time, relative to the descriptor of the folder
above it, with ``O_NOFOLLOW``: a folder replaced by a link to somewhere else is refused,
never entered, so nothing outside the output folder is read, written or deleted through
it. Only regular files are read (a FIFO would block, a device never end); they are opened
with ``O_NONBLOCK`` and checked with ``fstat`` before a byte is read.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import suppress

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_KINDS = {
    stat.S_IFLNK: "a symbolic link",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
    stat.S_IFREG: "a file",
}


def kind(mode: int) -> str:
    """What a directory entry is, in words."""
    return _KINDS.get(stat.S_IFMT(mode), "a special file")


class Refused(Exception):
    """A path mrgen will not go through or touch; ``rel`` names the entry at fault."""

    def __init__(self, rel: str, message: str) -> None:
        super().__init__(f"{rel}: {message}")
        self.rel = rel
        self.message = message


def split(rel: str) -> list[str]:
    """The components of a relative path, which must not climb or be empty."""
    parts = rel.split("/")
    if not rel or any(p in ("", ".", "..") for p in parts) or "\0" in rel or "\\" in rel:
        raise Refused(rel, "is not a plain relative path inside the folder")
    return parts


class Tree:
    """A folder opened once by descriptor; every entry below it is reached without
    following a symbolic link. Close it (or use ``with``) to release the descriptors.

    The descriptors of recently used sub-folders are kept (at most ``KEEP``, so a tree of
    thousands of folders stays far below the process's descriptor limit); a descriptor
    returned by a method is valid until the next call on the same tree."""

    KEEP = 64

    def __init__(self, fd: int) -> None:
        self._dirs: dict[str, int] = {"": fd}

    def _remember(self, rel_dir: str, fd: int) -> None:
        self._dirs[rel_dir] = fd
        while len(self._dirs) > self.KEEP:
            oldest = next(k for k in self._dirs if k)
            os.close(self._dirs.pop(oldest))

    def _forget(self, rel_dir: str) -> None:
        if rel_dir in self._dirs:
            os.close(self._dirs.pop(rel_dir))

    @classmethod
    def open(cls, path: str | os.PathLike[str], dir_fd: int | None = None) -> Tree:
        """Open folder ``path`` (itself not a link) as a tree."""
        return cls(os.open(path, _DIR, dir_fd=dir_fd))

    @property
    def fd(self) -> int:
        return self._dirs[""]

    def close(self) -> None:
        for fd in self._dirs.values():
            os.close(fd)
        self._dirs.clear()

    def __enter__(self) -> Tree:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _classify(self, parent: int, name: str, rel: str) -> Refused:
        try:
            mode = os.lstat(name, dir_fd=parent).st_mode
        except FileNotFoundError:
            return Refused(rel, "disappeared while mrgen was reading the folder")
        if stat.S_ISLNK(mode):
            return Refused(
                rel,
                "is a symbolic link where mrgen expects a folder; mrgen never "
                "goes through links in its output: replace it with a folder",
            )
        return Refused(rel, f"is {kind(mode)}, where mrgen expects a folder")

    def dir_fd(self, rel_dir: str, create: bool = False) -> int | None:
        """The descriptor of sub-folder ``rel_dir`` ("" for the tree itself); None when it
        does not exist and ``create`` is false. Refused when a component is not a folder."""
        if rel_dir in self._dirs:
            fd = self._dirs.pop(rel_dir)  # most recently used last
            self._dirs[rel_dir] = fd
            return fd
        head, _, name = rel_dir.rpartition("/")
        parent = self.dir_fd(head, create)
        if parent is None:
            return None
        split(rel_dir)
        try:
            fd = os.open(name, _DIR, dir_fd=parent)
        except FileNotFoundError:
            if not create:
                return None
            with suppress(FileExistsError):
                os.mkdir(name, dir_fd=parent)
            fd = os.open(name, _DIR, dir_fd=parent)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                raise self._classify(parent, name, rel_dir) from None
            raise
        self._remember(rel_dir, fd)
        return fd

    def locate(self, rel: str, create: bool = False) -> tuple[int | None, str]:
        """The descriptor of the folder holding ``rel`` (None when missing) and its name."""
        parts = split(rel)
        return self.dir_fd("/".join(parts[:-1]), create), parts[-1]

    def lstat(self, rel: str) -> os.stat_result | None:
        """The entry at ``rel`` itself (a link is not followed); None when it is missing."""
        parent, name = self.locate(rel)
        if parent is None:
            return None
        try:
            return os.lstat(name, dir_fd=parent)
        except FileNotFoundError:
            return None

    def read(self, rel: str) -> bytes:
        """The bytes of regular file ``rel``; Refused for anything else."""
        parent, name = self.locate(rel)
        if parent is None:
            raise FileNotFoundError(errno.ENOENT, "no such file", rel)
        try:
            fd = os.open(name, _READ, dir_fd=parent)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise Refused(
                    rel,
                    "is a symbolic link; mrgen never reads or writes through "
                    "links in its output: remove it",
                ) from None
            raise
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise Refused(
                    rel,
                    f"is {kind(info.st_mode)}, not a regular file; mrgen only "
                    "reads and replaces regular files: remove it",
                )
            chunks = []
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)

    def write(self, rel: str, content: bytes) -> None:
        """Create ``rel`` afresh (a file or link already there is unlinked, never written
        through: an unchanged file may be a hard link shared with the previous tree)."""
        parent, name = self.locate(rel, create=True)
        assert parent is not None
        with suppress(FileNotFoundError):
            os.unlink(name, dir_fd=parent)
        fd = os.open(name, _CREATE, 0o666, dir_fd=parent)
        try:
            view = memoryview(content)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)

    def fsync(self, rel: str) -> None:
        parent, name = self.locate(rel)
        assert parent is not None
        fd = os.open(name, _READ, dir_fd=parent)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def unlink(self, rel: str) -> None:
        """Remove the entry ``rel`` (a link itself, never its target) and then every folder
        above it that this leaves empty (the tree's own folder stays)."""
        parent, name = self.locate(rel)
        if parent is None:
            return
        try:
            os.unlink(name, dir_fd=parent)
        except FileNotFoundError:
            return
        folder = rel.rpartition("/")[0]
        while folder:
            head, _, last = folder.rpartition("/")
            above = self.dir_fd(head)
            assert above is not None
            try:
                os.rmdir(last, dir_fd=above)
            except OSError:
                return  # not empty (or gone): stop
            self._forget(folder)
            folder = head

    def walk(self, rel_dir: str = "") -> Iterator[tuple[str, os.stat_result]]:
        """Every entry below ``rel_dir``, folders before their contents; links and special
        files are listed, never followed or opened."""
        fd = self.dir_fd(rel_dir)
        if fd is None:
            return
        with os.scandir(fd) as entries:
            found = sorted((e.name, e.stat(follow_symlinks=False)) for e in entries)
        for name, info in found:
            rel = f"{rel_dir}/{name}" if rel_dir else name
            yield rel, info
            if stat.S_ISDIR(info.st_mode):
                try:
                    yield from self.walk(rel)
                except Refused:
                    continue  # replaced by something else meanwhile: not ours to enter
