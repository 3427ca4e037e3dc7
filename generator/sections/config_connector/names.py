"""Config Connector names: its objects have fixed names (one per namespace, one per
cluster), and they live in the ``config-connector`` platform layer."""

from __future__ import annotations

LAYER = "config-connector"
"""The platform layer of the namespace, its context, and replication's Google objects."""
API = "core.cnrm.cloud.google.com/v1beta1"
CONTEXT_NAME = "configconnectorcontext.core.cnrm.cloud.google.com"
"""The only name a ConfigConnectorContext may have (one per namespace)."""
CLUSTER_OBJECT_NAME = "configconnector.core.cnrm.cloud.google.com"
"""The only name the cluster's ConfigConnector object may have."""
DEFAULT_GSA_ID = "config-connector"


def default_google_service_account(project: str) -> str:
    return f"{DEFAULT_GSA_ID}@{project}.iam.gserviceaccount.com"
