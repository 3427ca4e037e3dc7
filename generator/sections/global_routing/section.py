"""The ``globalRouting`` section behind the :class:`Section` protocol."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from generator.section import Context, DerivedName, Problem, Raw, RenderedFile, Section
from generator.sections.global_routing import build, checks, gclb, names, route53
from generator.sections.global_routing.model import GLOBAL_ROUTING, GlobalRouting
from generator.spec import Maybe, Spec


class GlobalRoutingSection:
    key: Maybe[GlobalRouting] = GLOBAL_ROUTING
    spec_keys = ("globalRouting",)

    def build(self, raw: Raw, built: Spec) -> GlobalRouting | None:
        return build.global_routing(dict(raw))

    def check(self, model: GlobalRouting, spec: Spec) -> Iterable[Problem]:
        return checks.check(model, spec.core)

    def names(self, model: GlobalRouting, spec: Spec) -> Iterable[DerivedName]:
        return names.derived_names(model, spec.core)

    def layers(self, model: GlobalRouting, spec: Spec) -> Iterable[str]:
        return (names.LAYERS[provider] for provider in model.providers)

    def render(self, model: GlobalRouting, spec: Spec, context: Context) -> Iterator[RenderedFile]:
        if model.route53 is not None:
            yield from route53.render(model, model.route53, spec)
        if model.gclb is not None:
            yield from gclb.render(model, model.gclb, spec)


SECTION: Section[GlobalRouting] = GlobalRoutingSection()
