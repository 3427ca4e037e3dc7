"""The replication model: model sync, the cache watcher, Workload Identity settings."""

from __future__ import annotations

from dataclasses import dataclass

from generator.sections.core.model import Resources
from generator.spec import Maybe


@dataclass(frozen=True)
class Cadence:
    longest_gap_seconds: int
    shortest_gap_seconds: int


@dataclass(frozen=True)
class ModelSync:
    schedule: str
    starting_deadline_seconds: int
    active_deadline_seconds: int
    backoff_limit: int
    ttl_seconds_after_finished: int
    image: str
    resources: Resources


@dataclass(frozen=True)
class Watcher:
    image: str
    replicas: int
    metrics_port: int
    liveness: str
    readiness: str
    resources: Resources


@dataclass(frozen=True)
class Replication:
    project: str
    bucket_prefix: str
    path: str
    """Object prefix of the model files, without slashes at either end."""
    service_account_prefix: str
    config_connector_namespace: str
    freshness_slo_seconds: int
    bucket_versioning: bool
    sync: ModelSync
    watcher: Watcher


REPLICATION: Maybe[Replication] = Maybe("replication")
