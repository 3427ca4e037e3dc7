"""Monitoring checks on the defaulted model: every threshold is a histogram bucket
boundary, the burn-rate page can fire, RegionDown fires within the failover budget, and the
federation targets name real regions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from generator.durations import duration_seconds
from generator.errors import Path
from generator.section import Problem
from generator.sections.core.checks import unknown_region
from generator.sections.core.model import Core
from generator.sections.monitoring.build import ms_to_seconds
from generator.sections.monitoring.model import Monitoring

REGION_PLACEHOLDER = "{region}"
PAGE_FACTOR = Decimal("14.4")
"""The fast-burn page's factor (SRE workbook: 2% of a 30-day budget in one hour)."""


def _at(*path: str | int) -> Path:
    return ("monitoring", *path)


def _buckets(mon: Monitoring, core: Core) -> Iterator[Problem]:
    wanted = [
        (mon.latency_threshold, "the latency SLO threshold (slo.latencyThresholdMs)"),
        (mon.cross_region_latency, "thresholds.crossRegionLatencyMs"),
    ]
    wanted += [
        (ms_to_seconds(r.latency_target_ms), f"the latency target of {r.name}")
        for r in core.regions
    ]
    for seconds, what in wanted:
        if seconds >= mon.buckets[-1]:
            yield Problem(
                _at("buckets"),
                (
                    f"{seconds} s ({what}) needs a bucket boundary above it; "
                    "histogram_quantile cannot report a value beyond the largest finite bucket"
                ),
            )
        if seconds not in mon.buckets:
            yield Problem(
                _at("buckets"),
                (
                    f"{seconds} s ({what}) is not a histogram bucket boundary; add it to "
                    "monitoring.buckets (and to the service's histogram) so the rules can "
                    "count requests under it exactly"
                ),
            )


def check(mon: Monitoring, core: Core) -> Iterator[Problem]:
    yield from _buckets(mon, core)
    if PAGE_FACTOR * mon.error_budget >= 1:
        yield Problem(
            _at("slo", "objective"),
            (
                f"{mon.slo_objective}% leaves an error budget so large that the "
                f"{PAGE_FACTOR}x burn-rate page could never fire; use an objective above "
                f"{(100 - 100 / PAGE_FACTOR):.2f}%"
            ),
        )
    failover = mon.failover_seconds
    if duration_seconds(mon.region_down_for) > failover:
        yield Problem(
            _at("regionDownFor"),
            (
                f"{mon.region_down_for} is longer than the failover SLO ({failover} s); "
                "RegionDown must fire before the failover budget is spent"
            ),
        )
    template = mon.federation_template
    if template.count(REGION_PLACEHOLDER) != 1:
        yield Problem(
            _at("federation", "targetTemplate"),
            f"{template!r} must contain {REGION_PLACEHOLDER} exactly once",
        )
    elif re.search(r"[{}]", template.replace(REGION_PLACEHOLDER, "")):
        yield Problem(
            _at("federation", "targetTemplate"), f"{template!r}: the only placeholder is {{region}}"
        )
    for region, _ in mon.federation_targets:
        unknown = unknown_region(
            _at("federation", "targets", region), region, core.regions, key=True
        )
        if unknown:
            yield unknown
