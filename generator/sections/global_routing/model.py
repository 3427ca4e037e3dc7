"""The global-routing model: the spec's ``globalRouting`` section with defaults."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from generator.spec import Maybe

GlobalProvider = Literal["route53", "gclb"]
DEFAULT_GEO = "*"
"""The geolocation entry for addresses no continent rule matches."""


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
        return dict(self.geography)[DEFAULT_GEO]


GLOBAL_ROUTING: Maybe[GlobalRouting] = Maybe("globalRouting")
