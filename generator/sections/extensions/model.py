"""The extensions setting: the folder of user extensions, relative to the spec's folder."""

from __future__ import annotations

from dataclasses import dataclass

from generator.spec import Always

DEFAULT_PATH = "extensions"


@dataclass(frozen=True)
class ExtensionSettings:
    path: str
    """Relative to the spec's folder, with forward slashes."""
    explicit: bool
    """The spec names the folder: then it must exist (a default folder may be absent)."""


EXTENSIONS: Always[ExtensionSettings] = Always("extensions")
