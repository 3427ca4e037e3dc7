"""Where the two sides of ``mrgen diff`` come from: a folder, a fresh render, or the
spec as committed at a git ref. Reads only: git is asked with ``git show REF:path`` and the
work tree is never touched."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

from generator.build import build
from generator.errors import Diagnostic, TroubleError
from generator.fsafe import Refused, Tree
from generator.loader import decode, load_text
from generator.render import render
from generator.sync import read_record


def _error(where: str, message: str) -> TroubleError:
    return TroubleError([Diagnostic(where, 0, 0, "", message)])


def read_tree(folder: Path) -> dict[str, str]:
    """The text files of a rendered folder: the owned ones when it has mrgen's record.
    Links inside it are not followed and only regular files are read (a FIFO would block)."""
    if not folder.is_dir():
        raise _error(str(folder), "is not a folder")
    real = folder.resolve()  # the folder named may itself be a link; nothing inside it is
    owned = read_record(real)
    tree: dict[str, str] = {}
    with Tree.open(real) as files:
        paths = owned or [rel for rel, info in files.walk() if stat.S_ISREG(info.st_mode)]
        for path in sorted(paths):
            try:
                tree[path] = files.read(path).decode("utf-8")
            except (Refused, FileNotFoundError, UnicodeDecodeError):
                continue  # not a rendered text file
    return tree


def render_tree(text: str, display: str, source: str) -> dict[str, str]:
    """Render spec ``text`` in memory: path -> content."""
    model = build(load_text(text, display), source)
    return {f.path: f.content for f in render(model)}


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False,
                              timeout=60)
    except FileNotFoundError:
        raise _error("git", "git is not installed") from None


def is_git_ref(ref: str, cwd: Path) -> bool:
    done = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd)
    return done.returncode == 0


def spec_at_ref(spec: Path, ref: str) -> tuple[str, str]:
    """The spec's text as committed at ``ref``, and a display name ``REF:path``."""
    folder = spec.resolve().parent
    top = _git(["rev-parse", "--show-toplevel"], folder)
    if top.returncode != 0:
        raise _error(str(spec), "is not inside a git repository; --against needs one")
    root = Path(top.stdout.decode().strip())
    relative = spec.resolve().relative_to(root.resolve()).as_posix()
    if not is_git_ref(ref, root):
        raise _error(ref, "is neither a folder nor a git commit")
    shown = _git(["show", f"{ref}:{relative}"], root)
    display = f"{ref}:{relative}"
    if shown.returncode != 0:
        raise _error(display, f"the spec does not exist at {ref}: "
                     f"{shown.stderr.decode(errors='replace').strip()}")
    return decode(shown.stdout, display), display
