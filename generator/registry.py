"""THE registry: every spec section, in build and render order.

Adding a section: a package under ``generator/sections/`` exposing ``SECTION`` (checked by
mypy against :class:`generator.section.Section`), one line here, and its part of
``spec/mrgen.schema.json``. ``docs/architecture.md`` walks through an example.
"""

from __future__ import annotations

from typing import Any

from generator.section import Section
from generator.sections.config_connector.section import SECTION as CONFIG_CONNECTOR
from generator.sections.core.section import SECTION as CORE
from generator.sections.delivery.section import SECTION as DELIVERY
from generator.sections.extensions.section import SECTION as EXTENSIONS
from generator.sections.global_routing.section import SECTION as GLOBAL_ROUTING
from generator.sections.mesh.section import SECTION as MESH
from generator.sections.monitoring.section import SECTION as MONITORING
from generator.sections.replication.section import SECTION as REPLICATION
from generator.sections.runbook.section import SECTION as RUNBOOK

SECTIONS: tuple[Section[Any], ...] = (
    CORE,  # first: every other section reads the service and its regions
    CONFIG_CONNECTOR,  # the namespace replication's and the GCLB's Google objects live in
    REPLICATION,
    MESH,
    DELIVERY,
    MONITORING,
    GLOBAL_ROUTING,
    EXTENSIONS,  # a setting only: generator.extensions renders the folder it names
    RUNBOOK,  # last: it reads every other section
)
