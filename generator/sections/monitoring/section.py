"""The ``monitoring`` section behind the :class:`Section` protocol."""

from __future__ import annotations

from collections.abc import Iterable

from generator import placeholders
from generator.section import Context, DerivedName, Problem, Raw, RenderedFile, Section
from generator.sections.monitoring import build, checks, names, output
from generator.sections.monitoring.model import MONITORING, Monitoring
from generator.spec import Maybe, Spec


class MonitoringSection:
    key: Maybe[Monitoring] = MONITORING
    spec_keys = ("monitoring",)

    def build(self, raw: Raw, built: Spec) -> Monitoring | None:
        return build.monitoring(dict(raw))

    def check(self, model: Monitoring, spec: Spec) -> Iterable[Problem]:
        blackbox = (("monitoring", "blackbox", "instance"), model.blackbox_instance)
        return [*checks.check(model, spec.core), *placeholders.check([blackbox])]

    def names(self, model: Monitoring, spec: Spec) -> Iterable[DerivedName]:
        return names.derived_names(spec)

    def layers(self, model: Monitoring, spec: Spec) -> Iterable[str]:
        return (names.MONITORING_LAYER,)

    def render(self, model: Monitoring, spec: Spec, context: Context) -> Iterable[RenderedFile]:
        return output.render(model, spec)


SECTION: Section[Monitoring] = MonitoringSection()
