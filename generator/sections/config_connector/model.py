"""The Config Connector model: which mode the platform cluster runs it in, and the one
namespace every layer puts its Config Connector objects in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from generator.spec import Always

Mode = Literal["namespaced", "cluster"]


@dataclass(frozen=True)
class ConfigConnector:
    mode: Mode
    namespace: str
    """The namespace of every Config Connector object of the platform cluster."""
    project: str | None
    """The GCP project objects default to (the namespace's ``project-id`` annotation):
    replication's, else the GCLB's; None when no layer renders Config Connector objects."""
    google_service_account: str | None
    """The Google service account Config Connector acts as (a ConfigConnectorContext's in
    namespaced mode, the ConfigConnector's in cluster mode); None when no layer renders
    Config Connector objects (no GCP project to default it from)."""


CONFIG_CONNECTOR: Always[ConfigConnector] = Always("configConnector")
