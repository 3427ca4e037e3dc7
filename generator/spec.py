"""The built spec: every section's model, kept by typed keys.

``spec[MESH]`` returns the mesh model for a section that is always present; a section that
may be absent is read with ``spec.get(MONITORING)``, which is ``None`` when the spec leaves
it out. The key type decides which of the two mypy allows, so an always-present section is
never Optional and an optional one is never read without the check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Generic, TypeVar, cast

from generator.errors import Diagnostic

if TYPE_CHECKING:
    from generator.sections.core.model import Core, Region, Service

M = TypeVar("M")
CORE = "core"
"""The key name of the core section's model (``generator.sections.core``)."""


@dataclass(frozen=True)
class Key(Generic[M]):
    """Names a section's model inside :class:`Spec`."""

    name: str


@dataclass(frozen=True)
class Always(Key[M]):
    """A section the build always fills (its defaults stand in for an absent part)."""


@dataclass(frozen=True)
class Maybe(Key[M]):
    """A section that is None when the spec leaves it out or disables it."""


class MissingSection(LookupError):
    """An always-present section was not built (its spec part failed the schema): the
    checks that read it are skipped, since its own problems are already reported."""


@dataclass(frozen=True)
class Spec:
    source: str
    """The spec's path as named in DO-NOT-EDIT headers (relative to the project)."""
    models: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    layers: tuple[str, ...] = ()
    """Platform layers (``k8s/platform/<layer>``) the sections render into, sorted."""
    warnings: tuple[Diagnostic, ...] = ()
    """Located warnings of a valid spec (placeholders left in, an Istio release past its end
    of life): the build's second result, reported by the CLI only."""

    def __getitem__(self, key: Always[M]) -> M:
        if key.name not in self.models:
            raise MissingSection(key.name)
        return cast(M, self.models[key.name])

    def get(self, key: Maybe[M]) -> M | None:
        return cast("M | None", self.models.get(key.name))

    def with_model(self, key: Key[M], model: M | None) -> Spec:
        return Spec(
            self.source,
            MappingProxyType({**self.models, key.name: model}),
            self.layers,
            self.warnings,
        )

    # The core section (service and regions) is what every other section builds on.
    @property
    def core(self) -> Core:
        if CORE not in self.models:
            raise MissingSection(CORE)
        return cast("Core", self.models[CORE])

    @property
    def service(self) -> Service:
        return self.core.service

    @property
    def regions(self) -> tuple[Region, ...]:
        return self.core.regions

    @property
    def primary(self) -> Region:
        return self.core.primary

    def region(self, name: str) -> Region:
        return next(r for r in self.regions if r.name == name)
