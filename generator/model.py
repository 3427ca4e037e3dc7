"""The validated, defaulted spec: frozen dataclasses every target reads.

Built only by :mod:`generator.build`; targets never see raw spec data.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    global_routing: GlobalRouting | None = None
    """The global edge (Route53 and/or GCLB); None renders nothing global."""

    @property
    def primary(self) -> Region:
        return next(r for r in self.regions if r.role == "primary")

    def region(self, name: str) -> Region:
        return next(r for r in self.regions if r.name == name)


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
