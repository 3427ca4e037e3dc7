"""Make a drawn output-folder state (:func:`tests.strategies.folder_states`) real, and
remember what the next render must not lose.

Each step works on the folder as the steps before it left it; a step that no longer
applies (its file is gone, its folder became a link) is skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from generator import sync
from tests.strategies import Step


@dataclass
class Prepared:
    user: dict[str, bytes] = field(default_factory=dict)
    """Files the user made in the output folder (relative path -> bytes): must survive."""
    staged: dict[str, bytes] = field(default_factory=dict)
    """User files inside a stale staging folder: carried into the output folder, or kept."""


def _name(n: int, name: str) -> str:
    clean = name.replace("/", "_")
    return clean if clean not in ("", ".", "..", sync.RECORD) else f"n{n}"


def _forget(prepared: Prepared, rel: str) -> None:
    for key in [k for k in prepared.user if k == rel or k.startswith(f"{rel}/")]:
        del prepared.user[key]


def _record(out: Path) -> list[str]:
    try:
        files = json.loads((out / sync.RECORD).read_text())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [f for f in files if isinstance(f, str)]


def _set_record(out: Path, files: list[str]) -> None:
    record = out / sync.RECORD
    if record.is_file() and not record.is_symlink():
        data = json.loads(record.read_text())
        data["files"] = files
        record.write_text(json.dumps(data))


def _step(out: Path, outside: Path, step: Step, prepared: Prepared) -> None:
    kind, n, raw = step
    name = _name(n, raw)
    owned = [f for f in _record(out) if (out / f).is_file() and not (out / f).is_symlink()]
    folders = sorted({str(Path(f).parent) for f in owned} - {"."})
    file = owned[n % len(owned)] if owned else None
    folder = folders[n % len(folders)] if folders else None
    if kind == "user-file":
        where = out / folder if folder else out
        target = where / name
        if where.is_dir() and not where.is_symlink() and not os.path.lexists(target):
            target.write_bytes(f"user {n}\n".encode())
            prepared.user[target.relative_to(out).as_posix()] = target.read_bytes()
    elif kind == "user-folder" and out.is_dir() and not os.path.lexists(out / name):
        (out / name).mkdir()
        (out / name / "note.txt").write_text("a note\n")
        prepared.user[f"{name}/note.txt"] = b"a note\n"
    elif kind == "link-file" and file:
        (out / file).unlink()
        (out / file).symlink_to(outside / "victim")
    elif kind == "link-folder" and folder:
        _forget(prepared, folder)
        shutil.rmtree(out / folder)
        (out / folder).symlink_to(outside, target_is_directory=True)
    elif kind == "fifo" and file:
        (out / file).unlink()
        os.mkfifo(out / file)
    elif kind == "folder-at-file" and file:
        (out / file).unlink()
        (out / file).mkdir()
        (out / file / "inner.txt").write_text("inner\n")
        prepared.user[f"{file}/inner.txt"] = b"inner\n"
    elif kind == "file-at-folder" and folder:
        _forget(prepared, folder)
        shutil.rmtree(out / folder)
        (out / folder).write_text("a file\n")
        prepared.user[folder] = b"a file\n"
    elif kind == "delete" and file:
        (out / file).unlink()
    elif kind == "edit" and file:
        (out / file).write_text("edited by hand\n")
    elif kind == "record-entry" and out.is_dir():
        _set_record(out, [*_record(out), raw])
        if raw.startswith("userlink/") and not os.path.lexists(out / "userlink"):
            (out / "userlink").symlink_to(outside, target_is_directory=True)
    elif kind == "record-garbage" and (out / sync.RECORD).is_file():
        (out / sync.RECORD).write_text("{not json")
    elif kind == "unowned-at-wanted" and file:
        _set_record(out, [f for f in _record(out) if f != file])
        prepared.user[file] = (out / file).read_bytes()
    elif kind == "stale-staging":
        staging = sync.staging_dir(out)
        staging.mkdir(exist_ok=True)
        if file:
            shutil.copy(out / file, staging / Path(file).name)
        (staging / name).write_text("made during a killed render\n")
        prepared.staged[name] = b"made during a killed render\n"
    elif kind == "stale-lock":
        (out.parent / f".{out.name}.mrgen-lock").write_text("")
    elif kind == "no-folder" and out.is_dir():
        prepared.user.clear()
        shutil.rmtree(out)


def prepare(out: Path, outside: Path, steps: tuple[Step, ...]) -> Prepared:
    prepared = Prepared()
    for step in steps:
        with suppress(OSError):
            _step(out, outside, step, prepared)
    return prepared


def regular_files(folder: Path) -> dict[str, bytes]:
    """Every regular file below ``folder``, links not followed, FIFOs not opened."""
    found = {}
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not (Path(root) / d).is_symlink()]
        for name in names:
            path = Path(root) / name
            if path.is_file() and not path.is_symlink():
                found[path.relative_to(folder).as_posix()] = path.read_bytes()
    return found


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Fail instead of hanging (a FIFO opened by mistake would block forever)."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
