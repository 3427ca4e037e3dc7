"""Replication defaults: the spec's ``replication`` part -> :class:`Replication`."""

from __future__ import annotations

from typing import Any

from generator.sections.core.build import resources
from generator.sections.replication.model import ModelSync, Replication, Watcher

SYNC_DEFAULTS = {
    "startingDeadlineSeconds": 60,
    "activeDeadlineSeconds": 480,
    "backoffLimit": 2,
    "ttlSecondsAfterFinished": 3600,
}
SYNC_RESOURCES = {"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"memory": "512Mi"}}
WATCHER_RESOURCES = {"requests": {"cpu": "50m", "memory": "128Mi"}, "limits": {"memory": "128Mi"}}
FRESHNESS_SLO_MINUTES = 30


def replication(data: dict[str, Any], config_connector_namespace: str) -> Replication | None:
    """The model of a checked replication section, or None when the spec has none; its
    Config Connector objects go to the platform's one Config Connector namespace."""
    raw = data.get("replication")
    if raw is None:
        return None
    sync = {**SYNC_DEFAULTS, **raw["sync"]}
    watcher = raw["watcher"]
    health = watcher.get("health", {})
    return Replication(
        project=raw["project"],
        bucket_prefix=raw["bucketPrefix"],
        path=raw.get("path", "models").strip("/"),
        service_account_prefix=raw.get("serviceAccountPrefix", data["service"]["name"]),
        config_connector_namespace=config_connector_namespace,
        freshness_slo_seconds=raw.get("freshnessSLOMinutes", FRESHNESS_SLO_MINUTES) * 60,
        bucket_versioning=raw.get("bucketVersioning", True),
        sync=ModelSync(
            schedule=sync["schedule"],
            starting_deadline_seconds=sync["startingDeadlineSeconds"],
            active_deadline_seconds=sync["activeDeadlineSeconds"],
            backoff_limit=sync["backoffLimit"],
            ttl_seconds_after_finished=sync["ttlSecondsAfterFinished"],
            image=sync["image"],
            resources=resources(sync.get("resources", SYNC_RESOURCES)),
        ),
        watcher=Watcher(
            image=watcher["image"],
            replicas=watcher.get("replicas", 2),
            metrics_port=watcher.get("metricsPort", 9090),
            liveness=health.get("liveness", "/healthz"),
            readiness=health.get("readiness", "/readyz"),
            resources=resources(watcher.get("resources", WATCHER_RESOURCES)),
        ),
    )
