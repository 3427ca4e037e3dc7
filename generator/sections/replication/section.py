"""The ``replication`` section behind the :class:`Section` protocol."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from generator.section import Context, DerivedName, Problem, Raw, RenderedFile, Section
from generator.sections.config_connector.model import CONFIG_CONNECTOR
from generator.sections.replication import build, checks, config_connector, names, policy, workloads
from generator.sections.replication.model import REPLICATION, Replication
from generator.spec import Maybe, Spec


class ReplicationSection:
    key: Maybe[Replication] = REPLICATION
    spec_keys = ("replication",)

    def build(self, raw: Raw, built: Spec) -> Replication | None:
        # One Config Connector namespace for every platform layer (configConnector section).
        return build.replication(dict(raw), built[CONFIG_CONNECTOR].namespace)

    def check(self, model: Replication, spec: Spec) -> Iterable[Problem]:
        return checks.check(model, spec.core)

    def names(self, model: Replication, spec: Spec) -> Iterable[DerivedName]:
        return names.derived_names(model, spec.core)

    def layers(self, model: Replication, spec: Spec) -> Iterable[str]:
        return (names.CONFIG_CONNECTOR_LAYER,)  # shared with the configConnector section

    def render(self, model: Replication, spec: Spec, context: Context) -> Iterator[RenderedFile]:
        yield from workloads.render(model, spec)
        yield from policy.render(model, spec)
        yield from config_connector.render(model, spec)  # into the configConnector layer


SECTION: Section[Replication] = ReplicationSection()
