"""The edge: read a spec's extension folder into a :class:`Source` (the CLI calls this; the
render itself never touches the file system)."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from pathlib import Path

from generator.errors import Diagnostic, MrgenError, at, fail
from generator.extensions.source import Source, SourceFile, ignored, wanted
from generator.loader import decode
from generator.sections.extensions.model import EXTENSIONS
from generator.spec import Spec

MAX_ENTRIES = 1000
"""Files and folders an extensions folder may hold: more is a wrong path, not extensions."""


def locations(spec_display: str, spec: Spec) -> tuple[str, str]:
    """The extension folder as messages name it (beside the spec as the user named it) and
    as headers name it (beside the spec's project-relative path)."""
    path = spec[EXTENSIONS].path
    display = posixpath.normpath(posixpath.join(posixpath.dirname(spec_display), path))
    header = posixpath.normpath(posixpath.join(posixpath.dirname(spec.source), path))
    return display, header


def collect(
    display: str,
    header: str,
    paths: Iterable[str],
    folders: Iterable[str],
    read: Callable[[str], bytes],
) -> Source:
    """A :class:`Source` from a listing; ``read`` returns a file's bytes by relative path.
    Every file that cannot be read as UTF-8 text is reported, together."""
    files: list[SourceFile] = []
    problems: list[Diagnostic] = []
    for path in sorted(paths):
        text = None
        if wanted(path):
            where = f"{display}/{path}"
            try:
                text = decode(read(path), where, what="the extension")
            except MrgenError as exc:
                problems.extend(exc.diagnostics)
            except OSError as exc:
                problems.append(at(where, f"cannot read: {exc.strerror}"))
        files.append(SourceFile(path, text))
    if problems:
        raise MrgenError(problems)
    return Source(display, header, tuple(files), tuple(sorted(set(folders))))


def read_folder(folder: Path, display: str, header: str) -> Source:
    """The files of ``folder`` and of its folders (deeper folders are listed, not read)."""
    paths: list[str] = []
    folders: list[str] = []
    try:
        for entry in sorted(folder.iterdir()):
            if ignored(entry.name):
                continue
            if not entry.is_dir():
                paths.append(entry.name)
                continue
            folders.append(entry.name)
            for inner in sorted(entry.iterdir()):
                if not ignored(inner.name):
                    listed = folders if inner.is_dir() else paths
                    listed.append(f"{entry.name}/{inner.name}")
                if len(paths) + len(folders) > MAX_ENTRIES:
                    raise fail(
                        display,
                        f"holds more than {MAX_ENTRIES} files and folders; "
                        "is extensions.path the right folder?",
                    )
    except OSError as exc:
        raise fail(display, f"cannot read: {exc.strerror}") from None
    return collect(display, header, paths, folders, lambda p: (folder / p).read_bytes())


def read_for(spec_path: Path, spec: Spec) -> Source | None:
    """The extensions of the spec at ``spec_path``: None when the default folder is absent
    or holds nothing; an error when the folder the spec names is missing or a file."""
    display, header = locations(spec_path.as_posix(), spec)
    folder = spec_path.parent / spec[EXTENSIONS].path
    if not folder.exists():
        if not spec[EXTENSIONS].explicit:
            return None
        raise fail(
            str(spec_path),
            f"the extensions folder {display} does not exist",
            path="extensions.path",
        )
    if not folder.is_dir():
        raise fail(
            display,
            "is a file; extensions.path names a folder (with all/ and <region>/ folders in it)",
        )
    source = read_folder(folder, display, header)
    return None if source.empty else source
