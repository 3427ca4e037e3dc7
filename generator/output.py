"""The types that flow from targets to the sync step."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from generator.model import Spec
from generator.templating import Templates


@dataclass(frozen=True, order=True)
class RenderedFile:
    path: str
    """Relative to the output folder, with forward slashes."""
    content: str


@dataclass(frozen=True)
class Context:
    """What a target gets besides the model."""

    templates: Templates


Target = Callable[[Spec, Context], Iterable[RenderedFile]]
