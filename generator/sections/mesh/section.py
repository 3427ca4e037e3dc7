"""The ``mesh`` section behind the :class:`Section` protocol."""

from __future__ import annotations

from collections.abc import Iterable

from generator.section import Context, DerivedName, Problem, Raw, RenderedFile, Section
from generator.sections.mesh import build, checks, istio, names, policy, release
from generator.sections.mesh.model import MESH, Mesh
from generator.spec import Always, Spec


class MeshSection:
    key: Always[Mesh] = MESH
    spec_keys = ("mesh",)

    def build(self, raw: Raw, built: Spec) -> Mesh:
        return build.mesh(raw.get("mesh", {}), built.service.name)

    def check(self, model: Mesh, spec: Spec) -> Iterable[Problem]:
        return [
            *checks.check(model, spec.core),
            *release.check(model, spec.core),
            *policy.check(model),
        ]

    def names(self, model: Mesh, spec: Spec) -> Iterable[DerivedName]:
        return names.derived_names(model, spec.core)

    def layers(self, model: Mesh, spec: Spec) -> Iterable[str]:
        return ()

    def render(self, model: Mesh, spec: Spec, context: Context) -> Iterable[RenderedFile]:
        return istio.render(model, spec)


SECTION: Section[Mesh] = MeshSection()
