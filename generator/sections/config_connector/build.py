"""Config Connector defaults: the spec's ``configConnector`` part -> :class:`ConfigConnector`.

The namespace defaults to replication's (``replication.configConnectorNamespace``, which
this part supersedes), else the GCP project of the first layer that has one (replication,
then the GCLB), else the service's name; every layer then uses it.
"""

from __future__ import annotations

from typing import Any

from generator.section import Problem, Problems
from generator.sections.config_connector import names
from generator.sections.config_connector.model import ConfigConnector


def project(data: dict[str, Any]) -> str | None:
    """The GCP project the Config Connector objects default to (replication's, else the
    GCLB's), or None when no layer renders any."""
    replication = data.get("replication")
    if replication is not None:
        return str(replication["project"])
    routing = data.get("globalRouting") or {}
    if "gclb" in routing.get("providers", []) and "gclb" in routing:
        return str(routing["gclb"]["project"])
    return None


def config_connector(data: dict[str, Any]) -> ConfigConnector:
    raw = data.get("configConnector", {})
    gcp = project(data)
    legacy = (data.get("replication") or {}).get("configConnectorNamespace")
    if legacy and raw.get("namespace") and legacy != raw["namespace"]:
        raise Problems(
            [
                Problem(
                    ("replication", "configConnectorNamespace"),
                    (
                        f"replication names Config Connector namespace {legacy!r}, but "
                        f"configConnector.namespace is {raw['namespace']!r}: every layer uses one "
                        "namespace (drop this field)"
                    ),
                )
            ]
        )
    namespace = raw.get("namespace") or legacy or gcp or data["service"]["name"]
    account = raw.get("googleServiceAccount")
    if account is None and gcp is not None:
        account = names.default_google_service_account(gcp)
    return ConfigConnector(
        mode=raw.get("mode", "namespaced"),
        namespace=namespace,
        project=gcp,
        google_service_account=account,
    )
