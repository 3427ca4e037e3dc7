"""The spec's ``globalRouting`` section -> :class:`generator.model.GlobalRouting`.

Defaults, plus the semantic checks JSON Schema cannot express, each located in the spec.
"""

from __future__ import annotations

import difflib
import ipaddress
from typing import Any

from generator import naming
from generator.errors import Diagnostic, Path
from generator.loader import LoadedSpec
from generator.model import (
    Capacity,
    GclbSettings,
    GlobalProvider,
    GlobalRouting,
    HealthCheckSettings,
    Route53Settings,
)

SECTION = "globalRouting"
CONTINENTS = frozenset({"AF", "AN", "AS", "EU", "NA", "OC", "SA"})
DEFAULT_GEO = "*"
FAILOVER_SLO_SECONDS = 300
"""The guide's region-failover target (< 5 minutes): detection plus DNS caching must fit."""
GUIDE_GEOGRAPHY = {"NA": "us-east-1", "EU": "eu-west-1", "AS": "ap-southeast-1",
                   "OC": "ap-southeast-1"}
"""The guide's geolocation rules; Asia-Pacific is AS plus OC (Route53 has no AP)."""


class _GlobalChecks:
    def __init__(self, loaded: LoadedSpec, data: dict[str, Any]) -> None:
        self.loaded = loaded
        self.found: list[Diagnostic] = []
        self.regions = [r["name"] for r in data["regions"]]
        self.raw_regions: list[dict[str, Any]] = data["regions"]

    def error(self, path: Path, message: str, *, key: bool = False) -> None:
        self.found.append(self.loaded.diagnostic((SECTION, *path), message, key=key))

    def region_ref(self, path: Path, name: str, *, key: bool = False) -> bool:
        if name in self.regions:
            return True
        close = difflib.get_close_matches(name, self.regions, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        self.error(path, f"{name!r} is not a region in this spec{hint}", key=key)
        return False

    def per_region(self, path: Path, mapping: dict[str, Any], what: str) -> None:
        """``mapping`` must name every spec region exactly once."""
        for name in sorted(mapping):
            self.region_ref((*path, name), name, key=True)
        missing = [r for r in self.regions if r not in mapping]
        if missing:
            self.error(path, f"no {what} for region(s) {', '.join(missing)}; "
                             "every region needs one", key=True)

    def run(self, raw: dict[str, Any]) -> None:
        providers = raw["providers"]
        for provider in ("route53", "gclb"):
            if provider in providers and provider not in raw:
                self.error(("providers",), f"{provider!r} is enabled but the {provider} "
                                           "section is missing", key=True)
            if provider in raw and provider not in providers:
                self.error((provider,), f"{provider} settings are given but {provider!r} is not "
                                        "in providers; add it or remove the section", key=True)
        for code, region in sorted(raw.get("geography", {}).items()):
            if code != DEFAULT_GEO and code not in CONTINENTS:
                hint = " (Route53 has no AP continent: use AS and OC)" if code == "AP" else ""
                self.error(("geography", code), f"invalid continent code {code!r}{hint}; "
                           f"use one of {', '.join(sorted(CONTINENTS))} or '*'", key=True)
            self.region_ref(("geography", code), region)
        if "geography" in raw and DEFAULT_GEO not in raw["geography"]:
            self.error(("geography",), "missing the default '*' entry: some addresses map to "
                                       "no continent, and Route53 answers them with nothing",
                       key=True)
        health = raw.get("healthCheck", {})
        interval = health.get("requestInterval", 30)
        threshold = health.get("failureThreshold", 3)
        ttl = raw.get("ttl", 60)
        budget = interval * threshold + ttl
        if budget >= FAILOVER_SLO_SECONDS:
            self.error(("healthCheck", "failureThreshold"),
                       f"requestInterval {interval} s x failureThreshold {threshold} + ttl {ttl} s "
                       f"= {budget} s reaches the {FAILOVER_SLO_SECONDS} s failover target; "
                       "lower one of them")
        if "route53" in raw:
            self.route53(raw["route53"], raw["domain"])
        if "gclb" in raw:
            self.gclb(raw["gclb"])

    def route53(self, raw: dict[str, Any], domain: str) -> None:
        zone = raw["zoneName"]
        if domain != zone and not domain.endswith(f".{zone}"):
            self.error(("domain",), f"{domain!r} is not inside the hosted zone {zone!r}")
        self.per_region(("route53", "origins"), raw["origins"], "origin address")
        for region, address in sorted(raw["origins"].items()):
            try:
                ip = ipaddress.IPv4Address(address)
            except ValueError:
                self.error(("route53", "origins", region), f"{address!r} is not an IPv4 address")
                continue
            if ip.is_loopback or ip.is_unspecified or ip.is_multicast:
                self.error(("route53", "origins", region),
                           f"{address} cannot be a public ingress address")
        ids = raw.get("healthCheckIds")
        if ids is not None:
            self.per_region(("route53", "healthCheckIds"), ids, "health-check id")
            seen: dict[str, str] = {}
            for region, hc in sorted(ids.items()):
                if hc in seen:
                    self.error(("route53", "healthCheckIds", region),
                               f"the same id as {seen[hc]}; each region has its own check")
                seen.setdefault(hc, region)

    def gclb(self, raw: dict[str, Any]) -> None:
        zones = raw["negZones"]
        self.per_region(("gclb", "negZones"), zones, "NEG zone list")
        by_name = {r["name"]: r for r in self.raw_regions}
        for region, listed in sorted(zones.items()):
            if region not in by_name:
                continue
            location = by_name[region]["location"]["gcp"]
            if by_name[region]["cluster"]["provider"] != "gke":
                self.error(("gclb", "negZones", region), "zonal NEG backends need a GKE "
                           f"cluster; {region} runs on {by_name[region]['cluster']['provider']}")
            for i, zone in enumerate(listed):
                if not zone.startswith(f"{location}-"):
                    self.error(("gclb", "negZones", region, i),
                               f"zone {zone!r} is not in {region}'s GCP region {location}")


def _geography(raw: dict[str, Any] | None, regions: list[str], primary: str) -> dict[str, str]:
    if raw is not None:
        return dict(raw)
    mapping = {code: region for code, region in GUIDE_GEOGRAPHY.items() if region in regions}
    mapping[DEFAULT_GEO] = primary
    return mapping


def check_global(loaded: LoadedSpec, data: dict[str, Any]) -> list[Diagnostic]:
    """Semantic problems of the (schema-valid) globalRouting section, if any."""
    if SECTION not in data:
        return []
    checks = _GlobalChecks(loaded, data)
    checks.run(data[SECTION])
    return checks.found


def build_global(data: dict[str, Any]) -> GlobalRouting | None:
    """The model of a checked ``globalRouting`` section (None when absent)."""
    raw = data.get(SECTION)
    if raw is None:
        return None
    service = data["service"]
    regions = [r["name"] for r in data["regions"]]
    primary = next(r["name"] for r in data["regions"] if r["role"] == "primary")
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
            neg_name=g.get("negName", naming.gclb_default_neg_name(service["name"])),
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
        capacity=Capacity(peak_rps=float(raw["capacity"]["peakRequestsPerSecond"]),
                          rps_per_replica=float(raw["capacity"]["requestsPerReplica"])),
        route53=route53,
        gclb=gclb,
    )
