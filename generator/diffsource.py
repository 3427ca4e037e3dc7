"""Where the two sides of ``mrgen diff`` come from: a folder, a fresh render, or the
spec as committed at a git ref. Reads only: git is asked with ``git show REF:path`` and the
work tree is never touched."""

from __future__ import annotations

import posixpath
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from generator.build import build
from generator.errors import TroubleError, at
from generator.fsafe import Refused, Tree
from generator.loader import decode, load_text
from generator.render import render
from generator.sync import read_record

if TYPE_CHECKING:
    from generator.extensions.source import Source
    from generator.spec import Spec


def _error(where: str, message: str) -> TroubleError:
    return TroubleError([at(where, message)])


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


def render_tree(
    text: str, display: str, source: str, extensions: Callable[[Spec], Source | None] | None = None
) -> dict[str, str]:
    """Render spec ``text`` in memory: path -> content. ``extensions`` gives the user
    extensions that go with the built spec."""
    model = build(load_text(text, display), source)
    return {f.path: f.content for f in render(model, extensions(model) if extensions else None)}


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False, timeout=60)
    except FileNotFoundError:
        raise _error("git", "git is not installed") from None


def is_git_ref(ref: str, cwd: Path) -> bool:
    done = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd)
    return done.returncode == 0


def _in_repository(spec: Path) -> tuple[Path, str]:
    """The repository's top folder, and the spec's path in it."""
    top = _git(["rev-parse", "--show-toplevel"], spec.resolve().parent)
    if top.returncode != 0:
        raise _error(str(spec), "is not inside a git repository; --against needs one")
    root = Path(top.stdout.decode().strip())
    return root, spec.resolve().relative_to(root.resolve()).as_posix()


def spec_at_ref(spec: Path, ref: str) -> tuple[str, str]:
    """The spec's text as committed at ``ref``, and a display name ``REF:path``."""
    root, relative = _in_repository(spec)
    if not is_git_ref(ref, root):
        raise _error(ref, "is neither a folder nor a git commit")
    shown = _git(["show", f"{ref}:{relative}"], root)
    display = f"{ref}:{relative}"
    if shown.returncode != 0:
        raise _error(
            display,
            f"the spec does not exist at {ref}: {shown.stderr.decode(errors='replace').strip()}",
        )
    return decode(shown.stdout, display), display


def extensions_at_ref(spec: Path, ref: str, model: Spec) -> Source | None:
    """The user extensions committed at ``ref`` beside the spec, for the spec ``model``
    built from that commit (its ``extensions.path`` may differ from today's)."""
    from generator.extensions.loader import collect, locations
    from generator.extensions.source import ignored
    from generator.sections.extensions.model import EXTENSIONS

    root, relative = _in_repository(spec)
    folder = posixpath.normpath(posixpath.join(posixpath.dirname(relative), model[EXTENSIONS].path))
    listed = _git(["ls-tree", "-r", "--name-only", "-z", ref, "--", f"{folder}/"], root)
    if listed.returncode != 0:
        raise _error(f"{ref}:{folder}", listed.stderr.decode(errors="replace").strip())
    names = [n.removeprefix(f"{folder}/") for n in listed.stdout.decode().split("\0") if n]
    names = [n for n in names if not any(ignored(part) for part in n.split("/"))]
    if not names:
        if model[EXTENSIONS].explicit:
            raise _error(
                f"{ref}:{relative}",
                f"extensions.path: the extensions folder {folder} does not exist at {ref}",
            )
        return None
    paths = [n for n in names if n.count("/") <= 1]
    folders = {
        "/".join(n.split("/")[:depth]) for n in names for depth in (1, 2) if n.count("/") >= depth
    }

    def read(path: str) -> bytes:
        shown = _git(["show", f"{ref}:{folder}/{path}"], root)
        if shown.returncode != 0:
            raise OSError(0, shown.stderr.decode(errors="replace").strip())
        return shown.stdout

    _, header = locations(relative, model)
    return collect(f"{ref}:{folder}", header, paths, folders, read)
