"""The mesh (Istio) model. Durations are whole milliseconds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from generator.spec import Always

Network = Literal["shared", "perCluster"]


@dataclass(frozen=True)
class Canary:
    """The next Istio release, installed beside the stable one as its own revision."""

    version: str
    promoted: tuple[str, ...]
    """Regions where the stable revision tag (and so every labelled namespace and the
    ingress gateway, at their next restart) already points at the canary."""


@dataclass(frozen=True)
class Istio:
    version: str
    """The stable release: its istiod revision holds the ``stable`` tag."""
    api_version: str
    helm_repo: str
    namespace: str
    mesh_id: str
    network: Network
    canary: Canary | None = None


@dataclass(frozen=True)
class Caller:
    """A workload allowed to call the service through the mesh: a namespace, or one service
    account in it."""

    namespace: str
    service_account: str | None


@dataclass(frozen=True)
class IngressGateway:
    namespace: str
    """Namespace of the gateway workload (pods); the TLS Secret lives there."""
    selector: tuple[tuple[str, str], ...]
    credential_name: str


@dataclass(frozen=True)
class Retries:
    attempts: int
    per_try_timeout_ms: int
    retry_on: str


@dataclass(frozen=True)
class ConnectionPool:
    max_connections: int
    connect_timeout_ms: int
    http1_max_pending_requests: int
    http2_max_requests: int
    max_requests_per_connection: int
    max_retries: int


@dataclass(frozen=True)
class OutlierDetection:
    consecutive_5xx_errors: int
    consecutive_gateway_errors: int
    interval_ms: int
    base_ejection_time_ms: int
    max_ejection_percent: int


@dataclass(frozen=True)
class Mesh:
    istio: Istio
    hostnames: tuple[str, ...]
    """Public hostnames served in every region; the first also gets per-region names."""
    gateway: IngressGateway
    timeout_ms: int
    retries: Retries
    connection_pool: ConnectionPool
    outlier_detection: OutlierDetection
    callers: tuple[Caller, ...] = ()
    """Besides the ingress gateway and the monitoring scrapers, who may call the service."""
    peer_cidrs: tuple[str, ...] = ()
    """Pod address ranges of every cluster of the mesh: cross-region mesh traffic that the
    NetworkPolicies admit."""


MESH: Always[Mesh] = Always("mesh")
