"""The contract every spec section package fulfils, and the values that cross it.

A section (``generator/sections/<name>/``) owns one part of the spec end to end: its model
and defaults (``build``), the semantic checks that run on the defaulted model (``check``),
the names it derives with their limits (``names``), the platform layers it fills
(``layers``) and its output files (``render``). :mod:`generator.registry` lists the sections
in order; the generic flow (:mod:`generator.build`, :mod:`generator.render`) runs them.

A section whose spec part is absent or disabled builds ``None`` and is then neither checked,
named nor rendered: its methods always receive their own model, never ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from generator.errors import ERROR, Path, Severity

if TYPE_CHECKING:
    from generator.spec import Key, Spec
    from generator.templating import Templates

M = TypeVar("M")
Raw = Mapping[str, Any]
"""The whole schema-valid spec as loaded (each section reads its own part)."""


@dataclass(frozen=True)
class Problem:
    """A semantic problem at a spec path; the build stage adds the file position."""

    path: Path
    message: str
    key: bool = False
    """Point at the mapping key of ``path`` instead of its value."""
    severity: Severity = ERROR
    """``warning``: the spec builds and renders, but a value needs attention (a placeholder,
    an Istio release past its end of life). ``mrgen validate`` reports warnings and
    ``--strict`` turns them into errors; nothing else fails on them."""


class Problems(Exception):
    """Raised by ``Section.build`` when the spec part cannot be modelled at all."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(p.message for p in self.problems))


@dataclass(frozen=True)
class DerivedName:
    """A generated name, the limit it must respect, and the spec path to blame."""

    name: str
    limit: int
    what: str
    path: Path


@dataclass(frozen=True, order=True)
class RenderedFile:
    path: str
    """Relative to the output folder, with forward slashes."""
    content: str
    source: str = field(default="", compare=False)
    """The file it was made from when that is not the spec (a user extension), as the
    DO-NOT-EDIT header names it."""
    documents: tuple[Mapping[str, Any], ...] | None = field(default=None, compare=False, repr=False)
    """The YAML documents ``content`` holds, when the file was serialized from them (so a
    finishing step reads them without parsing the text again); None otherwise."""


@dataclass(frozen=True)
class Context:
    """What a section's ``render`` gets besides the models: the Jinja templates, for the
    outputs that are prose (the runbook) rather than structure."""

    templates: Templates


class Section(Protocol[M]):
    """One spec section. mypy checks each package's ``SECTION`` against this."""

    @property
    def key(self) -> Key[M]:
        """Where the built model is kept in :class:`generator.spec.Spec`."""
        ...

    @property
    def spec_keys(self) -> tuple[str, ...]:
        """The top-level spec keys this section reads; a schema error under one of them
        skips its build and checks (the other sections are still checked)."""
        ...

    def build(self, raw: Raw, built: Spec) -> M | None:
        """Defaults applied: the model, or None when the section is absent or disabled.
        ``built`` holds the sections listed before this one. May raise :class:`Problems`."""
        ...

    def check(self, model: M, spec: Spec) -> Iterable[Problem]:
        """Semantic problems of the defaulted model (JSON Schema cannot express them)."""
        ...

    def names(self, model: M, spec: Spec) -> Iterable[DerivedName]:
        """Every generated object name with the limit it must respect."""
        ...

    def layers(self, model: M, spec: Spec) -> Iterable[str]:
        """Platform layers (``k8s/platform/<layer>``) this section renders into."""
        ...

    def render(self, model: M, spec: Spec, context: Context) -> Iterable[RenderedFile]:
        """The section's output files (headers and parse-back are added by the flow)."""
        ...


@runtime_checkable
class Finishing(Protocol):
    """A section that also renders from the other sections' output: after every section
    rendered and the kustomizations were written, ``finish`` gets all those files (without
    headers) and returns more (the delivery section's AppProjects, derived from what their
    Applications sync)."""

    def finish(
        self, model: Any, spec: Spec, files: Sequence[RenderedFile]
    ) -> Iterable[RenderedFile]: ...
