"""Global-routing checks on the defaulted model: providers and their settings agree, every
region has its origin, health check and NEG zones, continent codes are Route53's, and the
failover detection fits the failover target."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence

from generator.errors import Path
from generator.section import Problem
from generator.sections.core.checks import unknown_region
from generator.sections.core.model import FAILOVER_TARGET_SECONDS, Core, Region
from generator.sections.global_routing.model import (
    DEFAULT_GEO,
    GclbSettings,
    GlobalRouting,
    Route53Settings,
)

CONTINENTS = frozenset({"AF", "AN", "AS", "EU", "NA", "OC", "SA"})


def _at(*path: str | int) -> Path:
    return ("globalRouting", *path)


def _per_region(
    path: Path, keys: Sequence[str], regions: Sequence[Region], what: str
) -> Iterator[Problem]:
    """``keys`` (a per-region mapping's keys) must name every spec region exactly once."""
    for name in sorted(keys):
        unknown = unknown_region((*path, name), name, regions, key=True)
        if unknown:
            yield unknown
    missing = [r.name for r in regions if r.name not in keys]
    if missing:
        yield Problem(
            path, f"no {what} for region(s) {', '.join(missing)}; every region needs one", key=True
        )


def _providers(gr: GlobalRouting) -> Iterator[Problem]:
    for provider, settings in (("route53", gr.route53), ("gclb", gr.gclb)):
        if provider in gr.providers and settings is None:
            yield Problem(
                _at("providers"),
                f"{provider!r} is enabled but the {provider} section is missing",
                key=True,
            )
        if settings is not None and provider not in gr.providers:
            yield Problem(
                _at(provider),
                f"{provider} settings are given but {provider!r} is "
                "not in providers; add it or remove the section",
                key=True,
            )


def _geography(gr: GlobalRouting, regions: Sequence[Region]) -> Iterator[Problem]:
    codes = [code for code, _ in gr.geography]
    for code, region in gr.geography:
        if code != DEFAULT_GEO and code not in CONTINENTS:
            hint = " (Route53 has no AP continent: use AS and OC)" if code == "AP" else ""
            yield Problem(
                _at("geography", code),
                f"invalid continent code {code!r}{hint}; "
                f"use one of {', '.join(sorted(CONTINENTS))} or '*'",
                key=True,
            )
        unknown = unknown_region(_at("geography", code), region, regions)
        if unknown:
            yield unknown
    if DEFAULT_GEO not in codes:
        yield Problem(
            _at("geography"),
            "missing the default '*' entry: some addresses map to "
            "no continent, and Route53 answers them with nothing",
            key=True,
        )


def _route53(r53: Route53Settings, domain: str, regions: Sequence[Region]) -> Iterator[Problem]:
    zone = r53.zone_name
    if domain != zone and not domain.endswith(f".{zone}"):
        yield Problem(_at("domain"), f"{domain!r} is not inside the hosted zone {zone!r}")
    yield from _per_region(
        _at("route53", "origins"), [r for r, _ in r53.origins], regions, "origin address"
    )
    for region, address in r53.origins:
        path = _at("route53", "origins", region)
        try:
            ip = ipaddress.IPv4Address(address)
        except ValueError:
            yield Problem(path, f"{address!r} is not an IPv4 address")
            continue
        if ip.is_loopback or ip.is_unspecified or ip.is_multicast:
            yield Problem(path, f"{address} cannot be a public ingress address")
    if r53.health_check_ids:
        yield from _per_region(
            _at("route53", "healthCheckIds"),
            [r for r, _ in r53.health_check_ids],
            regions,
            "health-check id",
        )
        seen: dict[str, str] = {}
        for region, check in r53.health_check_ids:
            if check in seen:
                yield Problem(
                    _at("route53", "healthCheckIds", region),
                    f"the same id as {seen[check]}; each region has its own check",
                )
            seen.setdefault(check, region)


def _gclb(gclb: GclbSettings, regions: Sequence[Region]) -> Iterator[Problem]:
    yield from _per_region(
        _at("gclb", "negZones"), [r for r, _ in gclb.neg_zones], regions, "NEG zone list"
    )
    by_name = {r.name: r for r in regions}
    for name, zones in gclb.neg_zones:
        region = by_name.get(name)
        if region is None:
            continue
        if region.provider != "gke":
            yield Problem(
                _at("gclb", "negZones", name),
                f"zonal NEG backends need a GKE cluster; {name} runs on {region.provider}",
            )
        for i, zone in enumerate(zones):
            if not zone.startswith(f"{region.gcp_location}-"):
                yield Problem(
                    _at("gclb", "negZones", name, i),
                    f"zone {zone!r} is not in {name}'s GCP region {region.gcp_location}",
                )


def check(gr: GlobalRouting, core: Core) -> Iterator[Problem]:
    regions = core.regions
    yield from _providers(gr)
    yield from _geography(gr, regions)
    health = gr.health_check
    budget = health.request_interval * health.failure_threshold + gr.ttl
    if budget >= FAILOVER_TARGET_SECONDS:
        yield Problem(
            _at("healthCheck", "failureThreshold"),
            (
                f"requestInterval {health.request_interval} s x failureThreshold "
                f"{health.failure_threshold} + ttl {gr.ttl} s = {budget} s reaches the "
                f"{FAILOVER_TARGET_SECONDS} s failover target; lower one of them"
            ),
        )
    if gr.route53 is not None:
        yield from _route53(gr.route53, gr.domain, regions)
    if gr.gclb is not None:
        yield from _gclb(gr.gclb, regions)
