"""Global-routing defaults: the spec's ``globalRouting`` part -> :class:`GlobalRouting`."""

from __future__ import annotations

from typing import Any

from generator.sections.global_routing import names
from generator.sections.global_routing.model import (
    DEFAULT_GEO,
    Capacity,
    GclbSettings,
    GlobalProvider,
    GlobalRouting,
    HealthCheckSettings,
    Route53Settings,
)

SECTION = "globalRouting"
GUIDE_GEOGRAPHY = {
    "NA": "us-east-1",
    "EU": "eu-west-1",
    "AS": "ap-southeast-1",
    "OC": "ap-southeast-1",
}
"""The guide's geolocation rules; Asia-Pacific is AS plus OC (Route53 has no AP)."""


def _geography(raw: dict[str, Any] | None, regions: list[str], primary: str) -> dict[str, str]:
    if raw is not None:
        return dict(raw)
    mapping = {code: region for code, region in GUIDE_GEOGRAPHY.items() if region in regions}
    mapping[DEFAULT_GEO] = primary
    return mapping


def global_routing(data: dict[str, Any]) -> GlobalRouting | None:
    """The model of a checked ``globalRouting`` section (None when absent)."""
    raw = data.get(SECTION)
    if raw is None:
        return None
    service = data["service"]
    regions = [r["name"] for r in data["regions"]]
    primary = next((r["name"] for r in data["regions"] if r["role"] == "primary"), regions[0])
    health = raw.get("healthCheck", {})
    route53 = None
    if "route53" in raw:
        r53 = raw["route53"]
        route53 = Route53Settings(
            hosted_zone_id=r53["hostedZoneId"],
            zone_name=r53["zoneName"],
            origins=tuple(sorted(r53["origins"].items())),
            health_check_ids=tuple(sorted(r53.get("healthCheckIds", {}).items())),
        )
    gclb = None
    if "gclb" in raw:
        g = raw["gclb"]
        gclb = GclbSettings(
            project=g["project"],
            certificate_domains=tuple(g.get("certificateDomains", [raw["domain"]])),
            cdn_cache_mode=g.get("cdnCacheMode", "USE_ORIGIN_HEADERS"),
            neg_name=g.get("negName", names.gclb_default_neg_name(service["name"])),
            max_rate_per_endpoint=g.get("maxRatePerEndpoint", 100),
            neg_zones=tuple(sorted((r, tuple(z)) for r, z in g["negZones"].items())),
        )
    providers: tuple[GlobalProvider, ...] = tuple(sorted(raw["providers"]))
    return GlobalRouting(
        providers=providers,
        domain=raw["domain"],
        geography=tuple(sorted(_geography(raw.get("geography"), regions, primary).items())),
        health_check=HealthCheckSettings(
            type=health.get("type", "HTTPS"),
            port=health.get("port", 443),
            path=health.get("path", service["health"]["liveness"]),
            request_interval=health.get("requestInterval", 30),
            failure_threshold=health.get("failureThreshold", 3),
            regions=tuple(health.get("regions", [])),
        ),
        ttl=raw.get("ttl", 60),
        capacity=Capacity(
            peak_rps=float(raw["capacity"]["peakRequestsPerSecond"]),
            rps_per_replica=float(raw["capacity"]["requestsPerReplica"]),
        ),
        route53=route53,
        gclb=gclb,
    )
