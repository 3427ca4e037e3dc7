"""The Config Connector namespace of the platform cluster (``k8s/platform/config-connector``):
the Namespace every layer's Config Connector objects live in, and what makes Config
Connector reconcile it.

- namespaced mode (default): a ``ConfigConnectorContext`` in that namespace, naming the
  Google service account Config Connector acts as there. Without one, Config Connector
  never reconciles the namespace and nothing reports it.
- cluster mode: the cluster's ``ConfigConnector`` object with ``spec.mode: cluster`` and
  its Google service account; one controller then serves every namespace. (A GKE Config
  Connector add-on owns this object: use namespaced mode there, or let the add-on's object
  and this one agree.)

References:
- https://cloud.google.com/config-connector/docs/how-to/install-namespaced
- https://cloud.google.com/config-connector/docs/how-to/advanced-install#manual
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator import emit
from generator.section import RenderedFile
from generator.sections.config_connector import names
from generator.sections.config_connector.model import ConfigConnector
from generator.sections.core import names as core_names
from generator.spec import Spec


def _labels(spec: Spec) -> dict[str, str]:
    return core_names.common_labels(spec, "config-connector")


PROJECT_ANNOTATION = "cnrm.cloud.google.com/project-id"


def namespace(kcc: ConfigConnector, spec: Spec) -> dict[str, Any]:
    # Objects default to this project (every mrgen object also names its own).
    annotations = {PROJECT_ANNOTATION: kcc.project} if kcc.project else None
    return {"metadata": emit.metadata(kcc.namespace, labels=_labels(spec), annotations=annotations)}


def context(kcc: ConfigConnector, spec: Spec) -> dict[str, Any]:
    return {
        "metadata": emit.metadata(
            names.CONTEXT_NAME, namespace=kcc.namespace, labels=_labels(spec)
        ),
        "spec": {"googleServiceAccount": kcc.google_service_account},
    }


def cluster_mode(kcc: ConfigConnector, spec: Spec) -> dict[str, Any]:
    return {
        "metadata": emit.metadata(names.CLUSTER_OBJECT_NAME, labels=_labels(spec)),
        "spec": {"mode": "cluster", "googleServiceAccount": kcc.google_service_account},
    }


def render(kcc: ConfigConnector, spec: Spec) -> Iterator[RenderedFile]:
    folder = core_names.platform_dir(names.LAYER)
    yield emit.yaml_file(
        core_names.object_file(folder, "Namespace"),
        emit.k8s("v1", "Namespace", **namespace(kcc, spec)),
    )
    if kcc.mode == "namespaced":
        kind, obj = "ConfigConnectorContext", context(kcc, spec)
    else:
        kind, obj = "ConfigConnector", cluster_mode(kcc, spec)
    yield emit.yaml_file(core_names.object_file(folder, kind), emit.k8s(names.API, kind, **obj))
