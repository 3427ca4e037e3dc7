"""The ``configConnector`` section behind the :class:`Section` protocol.

Built right after the core, so the layers that render Config Connector objects
(replication, the GCLB) read its namespace; it renders only when one of them is present.
"""

from __future__ import annotations

from collections.abc import Iterable

from generator.section import Context, DerivedName, Problem, Raw, RenderedFile, Section
from generator.sections.config_connector import build, checks, names, objects
from generator.sections.config_connector.model import CONFIG_CONNECTOR, ConfigConnector
from generator.sections.global_routing.model import GLOBAL_ROUTING
from generator.sections.replication.model import REPLICATION
from generator.spec import Always, Spec


def used(spec: Spec) -> bool:
    """Whether any layer renders Config Connector objects (replication's Google objects,
    the GCLB chain): only then is the namespace rendered."""
    routing = spec.get(GLOBAL_ROUTING)
    return spec.get(REPLICATION) is not None or (routing is not None and routing.gclb is not None)


class ConfigConnectorSection:
    key: Always[ConfigConnector] = CONFIG_CONNECTOR
    spec_keys = ("configConnector", "replication", "globalRouting")  # reads their projects

    def build(self, raw: Raw, built: Spec) -> ConfigConnector:
        return build.config_connector(dict(raw))

    def check(self, model: ConfigConnector, spec: Spec) -> Iterable[Problem]:
        return checks.check(model, spec, used(spec))

    def names(self, model: ConfigConnector, spec: Spec) -> Iterable[DerivedName]:
        return ()

    def layers(self, model: ConfigConnector, spec: Spec) -> Iterable[str]:
        return (names.LAYER,) if used(spec) else ()

    def render(
        self, model: ConfigConnector, spec: Spec, context: Context
    ) -> Iterable[RenderedFile]:
        return objects.render(model, spec) if used(spec) else ()


SECTION: Section[ConfigConnector] = ConfigConnectorSection()
