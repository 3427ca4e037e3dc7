"""Edits of example-spec data that keep every region-keyed section consistent.

Several sections name regions (failover lists, globalRouting's geography, origins,
health-check ids and NEG zones, monitoring's federation targets). Tests that add, drop or
rename a region go through these helpers so the copy stays a valid spec.
"""

from __future__ import annotations

from typing import Any

Doc = dict[str, Any]


def _region_maps(data: Doc) -> list[dict[str, Any]]:
    """Every mapping keyed by region name."""
    maps: list[dict[str, Any]] = []
    routing = data.get("globalRouting", {})
    for section, key in (
        ("route53", "origins"),
        ("route53", "healthCheckIds"),
        ("gclb", "negZones"),
    ):
        if isinstance(routing.get(section, {}).get(key), dict):
            maps.append(routing[section][key])
    targets = data.get("monitoring", {}).get("federation", {}).get("targets")
    if isinstance(targets, dict):
        maps.append(targets)
    return maps


def add_region(
    data: Doc,
    region: Doc,
    weights: dict[str, int],
    *,
    origin: str,
    health_check_id: str,
    neg_zones: list[str],
) -> Doc:
    """Append ``region``, set every region's weight from ``weights`` (region name -> weight),
    and give the region its entry in each region-keyed section."""
    data["regions"].append(region)
    for r in data["regions"]:
        r["weight"] = weights[r["name"]]
    routing = data.get("globalRouting")
    if routing:
        name = region["name"]
        if "route53" in routing:
            routing["route53"]["origins"][name] = origin
            routing["route53"]["healthCheckIds"][name] = health_check_id
        if "gclb" in routing:
            if region["cluster"]["provider"] == "gke":
                routing["gclb"]["negZones"][name] = neg_zones
            else:  # zonal NEGs exist only on GKE: the global load balancer cannot serve it
                routing["providers"] = [p for p in routing["providers"] if p != "gclb"]
                del routing["gclb"]
    return data


def keep_regions(data: Doc, names: list[str]) -> Doc:
    """Drop every region not in ``names`` (the first kept one becomes the 100% primary when
    only one is left) and every reference to the dropped ones."""
    data["regions"] = [r for r in data["regions"] if r["name"] in names]
    for region in data["regions"]:
        if "failover" in region:
            region["failover"] = [f for f in region["failover"] if f in names]
    for mapping in _region_maps(data):
        for key in [k for k in mapping if k not in names]:
            del mapping[key]
    routing = data.get("globalRouting")
    if routing:
        primary = next(r["name"] for r in data["regions"] if r["role"] == "primary")
        geography = routing.get("geography", {})
        for code, target in list(geography.items()):
            if target not in names:
                geography[code] = primary
    return data


def rename_region(data: Doc, old: str, new: str) -> Doc:
    """Rename region ``old`` to ``new`` everywhere the spec names it."""
    for region in data["regions"]:
        if region["name"] == old:
            region["name"] = new
        region["failover"] = [new if f == old else f for f in region.get("failover", [])]
    for mapping in _region_maps(data):
        if old in mapping:
            mapping[new] = mapping.pop(old)
    geography = data.get("globalRouting", {}).get("geography", {})
    for code, target in list(geography.items()):
        if target == old:
            geography[code] = new
    return data
