"""Every derived name and output path, in one place (split by section into the modules of
this package; import them all from ``generator.naming``).

Targets call these instead of formatting names themselves, and :func:`derived_names` lists
each name with its Kubernetes limit so the build stage can reject a spec whose names would
not fit before anything is rendered.
"""

from __future__ import annotations

from generator.errors import Path
from generator.model import Spec
from generator.naming.core import *  # noqa: F403 - the package is the one import point
from generator.naming.core import (
    DNS_LABEL_MAX,
    DerivedName,
    namespace,
    service_name,
    workload_name,
)
from generator.naming.global_routing import *  # noqa: F403
from generator.naming.global_routing import global_derived_names
from generator.naming.mesh import *  # noqa: F403
from generator.naming.mesh import delivery_names, mesh_names
from generator.naming.monitoring import *  # noqa: F403
from generator.naming.monitoring import monitoring_names
from generator.naming.replication import *  # noqa: F403
from generator.naming.replication import replication_names


def derived_names(spec: Spec) -> list[DerivedName]:
    """Every generated object name with the limit it must respect."""
    names = [
        DerivedName(service_name(spec), DNS_LABEL_MAX, "Service name", ("service", "name")),
        DerivedName(namespace(spec), DNS_LABEL_MAX, "namespace", ("service", "namespace")),
    ]
    for region in spec.regions:
        blame: Path = ("regions", region.index, "name")
        names.append(DerivedName(workload_name(spec, region), DNS_LABEL_MAX,
                                 "workload name (Deployment, HPA, PDB, ServiceAccount)", blame))
    names.extend(replication_names(spec))

    names.extend(mesh_names(spec))
    names.extend(delivery_names(spec))
    names.extend(monitoring_names(spec))
    names.extend(global_derived_names(spec))
    return names
