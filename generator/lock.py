"""One render at a time per output folder: an advisory ``flock`` on a lock file beside it.

A render holds the exclusive lock from before it plans until after its swap, so two
renders into one folder run one after the other, each planning against what the other
finished. ``render --check`` and ``diff`` take it shared: they wait for a render in
progress, never for each other. A second render waits a bounded time, then gives up with a
TroubleError naming the lock. The lock file sits beside the folder (inside, it would be
swapped away with the old tree); the last holder removes it.

The lock is advisory: it orders mrgen processes. Other writers are handled by the swap
(files that appear during a render are carried over, see :mod:`generator.swap`).
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.errors import trouble

DEFAULT_TIMEOUT = 60.0  # seconds; a render of 200 regions takes a few
_POLL = 0.05


def lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}.mrgen-lock"


def _open(path: Path, shared: bool) -> int | None:
    """The lock file's descriptor; None when a shared lock cannot create it (a read-only
    folder, where no render can be writing either)."""
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        return os.open(path, flags, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise trouble(str(path), "the lock file is a symbolic link; remove it") from None
        if shared and exc.errno in (errno.EACCES, errno.EROFS, errno.EPERM, errno.ENOENT):
            try:
                return os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
            except OSError:
                return None
        raise


def _current(fd: int, path: Path) -> bool:
    """Whether ``fd`` is still the file at ``path`` (the previous holder may have removed
    it after we opened it; a lock on a removed file excludes nobody)."""
    try:
        return path.lstat().st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


@contextmanager
def output_lock(
    out: Path,
    *,
    shared: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    on_wait: Callable[[Path], None] | None = None,
) -> Iterator[None]:
    """Hold the lock of output folder ``out`` (exclusive unless ``shared``). Waits at most
    ``timeout`` seconds, calling ``on_wait`` once when it starts waiting."""
    path = lock_path(out)
    if not shared:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.parent.is_dir():
        yield  # nothing there to read, and no render can be writing it
        return
    deadline = time.monotonic() + timeout
    waiting = False
    mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
    while True:
        fd = _open(path, shared)
        if fd is None:
            yield
            return
        try:
            while True:
                try:
                    fcntl.flock(fd, mode | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise trouble(
                            str(out),
                            (
                                f"another mrgen render is writing this folder and still held its "
                                f"lock ({path.name}) after {timeout:g} s; try again when it has "
                                "finished, or wait longer with --lock-timeout"
                            ),
                        ) from None
                    if not waiting and on_wait is not None:
                        on_wait(path)
                    waiting = True
                    time.sleep(_POLL)
        except BaseException:
            os.close(fd)
            raise
        if _current(fd, path):
            break
        os.close(fd)  # removed by the holder we waited for: lock the new one
    try:
        yield
    finally:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # nobody else holds or waits on it
            if _current(fd, path):
                path.unlink()
        except (BlockingIOError, OSError):
            pass  # another holder or waiter: the last one removes it
        finally:
            os.close(fd)
