"""What crosses the edge: the extension folder's contents, read by the CLI, as plain data.

A folder of user extensions holds ``all/`` (every region) and ``<region>/`` folders. In
them, a file's name says what it is:

- ``<stem>.yaml``: Kubernetes objects added to the overlay,
- ``<stem>.patch.yaml``: strategic-merge patches of objects in the overlay,
- either name plus ``.j2``: a Jinja template whose output is read as that kind.

Hidden files and ``*.md`` (notes, a README) are ignored; any other name is an error, so
nothing a user drops in is silently skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

ALL = "all"
"""The folder whose extensions apply to every region."""
TEMPLATE_SUFFIX = ".j2"
OBJECT_SUFFIX = ".yaml"
PATCH_SUFFIX = ".patch.yaml"
Kind = Literal["object", "patch"]
_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
NAMES_HELP = (
    "name it <name>.yaml (objects), <name>.patch.yaml (strategic-merge patches), "
    "or either with .j2 added (a Jinja template of one)"
)


@dataclass(frozen=True, order=True)
class SourceFile:
    path: str
    """Relative to the extensions folder, with forward slashes: ``all/policy.yaml``."""
    text: str | None
    """The content, for the files whose name makes them extensions (None for the others)."""


@dataclass(frozen=True)
class Source:
    display: str
    """The folder as messages name it (like the spec's path as the user gave it)."""
    header: str
    """The folder as DO-NOT-EDIT headers name it (relative to the project)."""
    files: tuple[SourceFile, ...] = ()
    folders: tuple[str, ...] = ()
    """Every folder inside, relative (``all``, ``eu-west-1``, ``all/nested``)."""

    @property
    def empty(self) -> bool:
        return not self.files and not self.folders


def ignored(name: str) -> bool:
    """Files an extensions folder may hold that are not extensions."""
    return name.startswith(".") or name.endswith(".md")


def wanted(path: str) -> bool:
    """Whether the step needs the text of the file at ``path`` (read at the edge)."""
    parts = path.split("/")
    name = parts[-1]
    return (
        len(parts) == 2
        and not ignored(name)
        and name.endswith((OBJECT_SUFFIX, ".yml", TEMPLATE_SUFFIX))
    )


@dataclass(frozen=True)
class FileName:
    stem: str
    kind: Kind
    template: bool


def parse_name(name: str) -> FileName | str:
    """What a file name says it is, or why it is not an extension's name."""
    template = name.endswith(TEMPLATE_SUFFIX)
    base = name.removesuffix(TEMPLATE_SUFFIX) if template else name
    if base.endswith(PATCH_SUFFIX):
        kind: Kind = "patch"
        stem = base.removesuffix(PATCH_SUFFIX)
    elif base.endswith(OBJECT_SUFFIX):
        kind = "object"
        stem = base.removesuffix(OBJECT_SUFFIX)
    elif base.endswith(".yml"):
        return f"mrgen reads *.yaml, not *.yml: rename it to {base[:-4]}.yaml" + (
            TEMPLATE_SUFFIX if template else ""
        )
    else:
        return f"not an extension file: {NAMES_HELP}"
    if not _STEM.fullmatch(stem):
        return (
            "an extension's name is letters, digits, '.', '_' and '-', starting with a "
            "letter or digit, before .yaml or .patch.yaml"
        )
    return FileName(stem, kind, template)
