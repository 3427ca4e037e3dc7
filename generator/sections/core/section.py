"""The core section (``service`` and ``regions``) behind the :class:`Section` protocol."""

from __future__ import annotations

from collections.abc import Iterable

from generator.section import Context, DerivedName, Problem, Raw, RenderedFile, Section
from generator.sections.core import build, checks, names, workload
from generator.sections.core.model import CORE, Core
from generator.spec import Always, Spec


class CoreSection:
    key: Always[Core] = CORE
    spec_keys = ("apiVersion", "service", "regions")

    def build(self, raw: Raw, built: Spec) -> Core:
        return build.core(dict(raw))

    def check(self, model: Core, spec: Spec) -> Iterable[Problem]:
        return checks.check(model)

    def names(self, model: Core, spec: Spec) -> Iterable[DerivedName]:
        return names.derived_names(model)

    def layers(self, model: Core, spec: Spec) -> Iterable[str]:
        return ()

    def render(self, model: Core, spec: Spec, context: Context) -> Iterable[RenderedFile]:
        return workload.render(model)


SECTION: Section[Core] = CoreSection()
