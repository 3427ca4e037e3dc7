"""The ``delivery`` section behind the :class:`Section` protocol."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from generator import placeholders
from generator.section import Context, DerivedName, Problem, Raw, RenderedFile, Section
from generator.sections.delivery import argocd, build, checks, names, projects
from generator.sections.delivery.model import DELIVERY, Delivery
from generator.spec import Always, Spec


class DeliverySection:
    key: Always[Delivery] = DELIVERY
    spec_keys = ("delivery",)

    def build(self, raw: Raw, built: Spec) -> Delivery:
        return build.delivery(
            raw.get("delivery", {}), built.service.name, built.regions, built.primary
        )

    def check(self, model: Delivery, spec: Spec) -> Iterable[Problem]:
        return [
            *checks.check(model, spec),
            *placeholders.check([(("delivery", "repoURL"), model.repo_url)]),
        ]

    def names(self, model: Delivery, spec: Spec) -> Iterable[DerivedName]:
        return names.derived_names(model, spec)

    def layers(self, model: Delivery, spec: Spec) -> Iterable[str]:
        return ()

    def render(self, model: Delivery, spec: Spec, context: Context) -> Iterable[RenderedFile]:
        return argocd.render(model, spec)

    def finish(
        self, model: Delivery, spec: Spec, files: Sequence[RenderedFile]
    ) -> Iterable[RenderedFile]:
        """The AppProjects: what the rendered Applications sync, exactly."""
        return projects.render(model, spec, files, lambda name: argocd.project_metadata(spec, name))


SECTION: Section[Delivery] = DeliverySection()
