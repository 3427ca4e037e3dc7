"""The validated, defaulted spec: frozen dataclasses every target reads.

Built only by :mod:`generator.build`; targets never see raw spec data.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Role = Literal["primary", "secondary", "tertiary"]
Provider = Literal["gke", "eks"]
ROLE_RANK: dict[str, int] = {"primary": 0, "secondary": 1, "tertiary": 2}


@dataclass(frozen=True)
class Resources:
    cpu_request: str
    memory_request: str
    cpu_limit: str | None
    memory_limit: str | None


@dataclass(frozen=True)
class Health:
    liveness: str
    readiness: str
    startup: str
    startup_budget_seconds: int


@dataclass(frozen=True)
class Service:
    name: str
    namespace: str
    image: str
    port: int
    health: Health
    resources: Resources
    target_cpu_utilization: int
    max_unavailable: int
    env: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Region:
    index: int
    name: str
    role: Role
    cluster: str
    provider: Provider
    aws_location: str
    gcp_location: str
    min_replicas: int
    max_replicas: int
    weight: int
    latency_target_ms: int
    failover: tuple[str, ...]
    """Every other region, best first: the spec's order, then the rest by role."""

    @property
    def locality(self) -> str:
        """The node label topology.kubernetes.io/region in this region's cluster."""
        return self.gcp_location if self.provider == "gke" else self.aws_location


@dataclass(frozen=True)
class Spec:
    source: str
    """The spec's path as named in DO-NOT-EDIT headers (relative to the project)."""
    service: Service
    regions: tuple[Region, ...]
    replication: Replication | None = None
    """Model replication and Workload Identity; None when the spec has no such section."""

    mesh: Mesh | None = None
    """Istio settings; :func:`generator.build.build` always fills it (defaults included)."""
    delivery: Delivery | None = None
    """Argo CD settings; :func:`generator.build.build` always fills it."""

    monitoring: Monitoring | None = None
    """None when the spec disables monitoring."""

    global_routing: GlobalRouting | None = None
    """The global edge (Route53 and/or GCLB); None renders nothing global."""

    @property
    def primary(self) -> Region:
        return next(r for r in self.regions if r.role == "primary")

    def region(self, name: str) -> Region:
        return next(r for r in self.regions if r.name == name)


# Replication (model sync, cache invalidation, Workload Identity).
@dataclass(frozen=True)
class ModelSync:
    schedule: str
    period_seconds: int
    """Longest gap between two scheduled runs, computed from the cron schedule."""
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

# Mesh (Istio) and delivery (Argo CD). Durations are whole milliseconds.
Network = Literal["shared", "perCluster"]


@dataclass(frozen=True)
class Istio:
    version: str
    api_version: str
    helm_repo: str
    namespace: str
    mesh_id: str
    network: Network


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


@dataclass(frozen=True)
class Delivery:
    repo_url: str
    target_revision: str
    rendered_path: str
    namespace: str
    project: str
    platform_cluster: str

@dataclass(frozen=True)
class MetricNames:
    requests: str
    duration: str
    model_sync_timestamp: str
    cache_replication_lag: str
    probe_success: str


@dataclass(frozen=True)
class Monitoring:
    """The spec's monitoring section with the guide's defaults filled in.

    Latencies are exact decimals in seconds (0.1, not 0.1000000000000000055...) so rule
    expressions, bucket boundaries and generated tests agree digit for digit."""

    namespace: str
    job: str
    metrics_path: str
    metrics: MetricNames
    blackbox_job: str
    blackbox_instance: str
    buckets: tuple[Decimal, ...]
    """Histogram upper bounds in seconds, sorted."""
    slo_objective: Decimal
    """Percent, e.g. 99.5."""
    latency_threshold: Decimal
    """Seconds."""
    model_sync_max_age_seconds: int
    cache_lag_max_seconds: int
    failover_seconds: int
    cross_region_latency: Decimal
    """Seconds."""
    region_down_for: str
    scrape_interval: str
    evaluation_interval: str
    federation_template: str
    federation_targets: tuple[tuple[str, str], ...]
    """Per-region host:port overrides, sorted by region."""
    rule_selector: tuple[tuple[str, str], ...]
    dashboard_label: tuple[tuple[str, str], ...]

    @property
    def error_budget(self) -> Decimal:
        """The SLO's error budget as a ratio: 99.5 -> 0.005."""
        return (Decimal(100) - self.slo_objective) / Decimal(100)

# Global traffic (spec section globalRouting): built by generator.build_global.
GlobalProvider = Literal["route53", "gclb"]


@dataclass(frozen=True)
class HealthCheckSettings:
    type: Literal["HTTPS", "HTTP"]
    port: int
    path: str
    request_interval: int
    failure_threshold: int
    regions: tuple[str, ...]
    """Route53 checker regions; empty means Route53's default set."""


@dataclass(frozen=True)
class Route53Settings:
    hosted_zone_id: str
    zone_name: str
    origins: tuple[tuple[str, str], ...]
    """(region, IPv4 address of its ingress), sorted by region."""
    health_check_ids: tuple[tuple[str, str], ...]
    """(region, Route53 health-check id); empty until the health checks exist."""

    def origin(self, region: str) -> str:
        return dict(self.origins)[region]

    def health_check_id(self, region: str) -> str:
        return dict(self.health_check_ids)[region]


@dataclass(frozen=True)
class GclbSettings:
    project: str
    certificate_domains: tuple[str, ...]
    cdn_cache_mode: str
    neg_name: str
    max_rate_per_endpoint: int
    neg_zones: tuple[tuple[str, tuple[str, ...]], ...]
    """(region, its GCP zones holding ingress-gateway NEGs), sorted by region."""

    def zones(self, region: str) -> tuple[str, ...]:
        return dict(self.neg_zones)[region]


@dataclass(frozen=True)
class Capacity:
    peak_rps: float
    """Peak global requests per second."""
    rps_per_replica: float
    """Requests per second one replica serves at the HPA's target utilisation."""


@dataclass(frozen=True)
class GlobalRouting:
    providers: tuple[GlobalProvider, ...]
    domain: str
    geography: tuple[tuple[str, str], ...]
    """(continent code or '*', region), sorted; '*' is always present."""
    health_check: HealthCheckSettings
    ttl: int
    capacity: Capacity
    route53: Route53Settings | None
    gclb: GclbSettings | None

    @property
    def default_region(self) -> str:
        return dict(self.geography)["*"]
