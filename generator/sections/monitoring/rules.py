"""Prometheus rule groups as Python data: regional recordings, global alerts, the latency SLO.

One canonical rule set: the plain rule files and the PrometheusRule objects both take
``groups`` from here, and :mod:`generator.targets.monitoring_tests` derives the promtool
unit tests (inputs and expected alerts) from the same values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from generator.durations import duration_seconds, format_seconds
from generator.sections.core.model import Region
from generator.sections.monitoring import names
from generator.sections.monitoring.model import Monitoring
from generator.spec import Spec

REGION_T = "{{ $labels.region }}"
"""Alert templates use these; tests substitute the values the alert will carry."""
VALUE_T = "{{ $value }}"
LATENCY_FOR = "10m"
CROSS_REGION_FOR = "5m"
MODEL_SYNC_FOR = "5m"
CACHE_LAG_FOR = "2m"
ABSENT_FOR = "10m"
QUANTILE = "0.99"
BURN_RATES: tuple[tuple[str, str, tuple[tuple[str, str, str], ...]], ...] = (
    # (alert suffix, severity, ((short window, long window, factor), ...)): SRE workbook
    ("Page", "critical", (("5m", "1h", "14.4"), ("30m", "6h", "6"))),
    ("Ticket", "warning", (("2h", "1d", "3"), ("6h", "3d", "1"))),
)
GroupList = list[dict[str, Any]]


def num(value: Decimal | int) -> str:
    """A number as PromQL and label values write it: 0.1, 2, 0.005 (never 1E+1)."""
    text = format(Decimal(value).normalize(), "f")
    return text


def selector(metric: str, labels: Mapping[str, str]) -> str:
    """``metric{a="x",b="y"}`` with labels in the given order; values JSON-quoted."""
    inner = ",".join(f"{k}={json.dumps(v)}" for k, v in labels.items())
    return f"{metric}{{{inner}}}" if inner else metric


def le_matcher(seconds: Decimal) -> str:
    """The bucket label matcher for an upper bound. Whole seconds match both the 2.x
    ("2") and the Prometheus 3 normalized ("2.0") spelling of ``le``."""
    text = num(seconds)
    if "." in text:
        return f"le={json.dumps(text)}"
    return "le=~" + json.dumps(f"{text}|{text}\\.0")


def ms(seconds: Decimal) -> str:
    return num(seconds * 1000)


def job(mon: Monitoring, spec: Spec) -> dict[str, str]:
    return {"job": mon.job}


# --- regional recording rules ------------------------------------------------------------


def regional_groups(mon: Monitoring, spec: Spec) -> GroupList:
    """Evaluated on every regional Prometheus; ``region`` comes from its external labels."""
    mon, rec, j = mon, names.recorded(mon), job(mon, spec)
    m = mon.metrics
    rules: list[dict[str, Any]] = [
        {
            "record": rec["requests"],
            "expr": f"sum by (job, code) (rate({selector(m.requests, j)}[5m]))",
        },
        {
            "record": rec["buckets"],
            "expr": f"sum by (job, le) (rate({selector(m.duration + '_bucket', j)}[5m]))",
        },
        {
            "record": rec["count"],
            "expr": f"sum by (job) (rate({selector(m.duration + '_count', j)}[5m]))",
        },
        # or vector(0): a region with no targets at all reports 0 instead of nothing.
        {"record": rec["up"], "expr": f"sum({selector('up', j)}) or vector(0)", "labels": j},
        {"record": rec["model_sync"], "expr": f"max({m.model_sync_timestamp})"},
        {"record": rec["cache_lag"], "expr": f"max({m.cache_replication_lag})"},
    ]
    good = selector(m.duration + "_bucket", j)[:-1] + "," + le_matcher(mon.latency_threshold) + "}"
    total = selector(m.duration + "_count", j)
    for window in names.SLO_WINDOWS:
        rules.append(
            {"record": rec[f"slo_good_{window}"], "expr": f"sum by (job) (rate({good}[{window}]))"}
        )
        rules.append(
            {
                "record": rec[f"slo_total_{window}"],
                "expr": f"sum by (job) (rate({total}[{window}]))",
            }
        )
    return [{"name": names.rule_group_name(spec, "regional"), "rules": rules}]


# --- global alerts -------------------------------------------------------------------------


def region_down_expr(mon: Monitoring, spec: Spec) -> str:
    rec = names.recorded(mon)
    return (
        f"(max by (region) ({selector('up', {'job': names.FEDERATE_JOB})}) == 0)\n"
        f"or\n(sum by (region) ({selector(rec['up'], job(mon, spec))}) == 0)"
    )


def p99(mon: Monitoring, spec: Spec, labels: Mapping[str, str]) -> str:
    series = selector(names.recorded(mon)["buckets"], labels)
    return f"histogram_quantile({QUANTILE}, sum by (le, region) ({series}))"


def latency_target(region: Region) -> Decimal:
    return (Decimal(region.latency_target_ms) / 1000).normalize()


@dataclass(frozen=True)
class Absent:
    """A guard that fires when series a rule depends on are missing."""

    signal: str
    metric: str
    labels: dict[str, str]
    summary: str


def absent_guards(mon: Monitoring, spec: Spec) -> list[Absent]:
    mon, rec = mon, names.recorded(mon)
    guards = []
    for region in spec.regions:
        r = region.name
        guards += [
            Absent(
                "federation-target",
                "up",
                {"job": names.FEDERATE_JOB, "region": r},
                f"No federation target for {r}: RegionDown cannot fire for it",
            ),
            Absent(
                "model-sync",
                rec["model_sync"],
                {"region": r},
                f"No model sync timestamp from {r}: ModelSyncStale cannot fire for it",
            ),
            Absent(
                "cache-replication",
                rec["cache_lag"],
                {"region": r},
                f"No cache replication lag from {r}: CacheReplicationLagHigh cannot fire",
            ),
        ]
    guards += [
        Absent(
            "failover-probe",
            mon.metrics.probe_success,
            {"job": mon.blackbox_job, "instance": mon.blackbox_instance},
            "No blackbox probe of the global endpoint: FailoverSLOBreach cannot fire",
        ),
        Absent(
            "latency-slo",
            rec["slo_total_1h"],
            job(mon, spec),
            "No latency SLO inputs: the burn-rate alerts cannot fire",
        ),
    ]
    return guards


def slo_names(mon: Monitoring, spec: Spec) -> dict[str, str]:
    return {
        "latency": f"latency-p99-{ms(mon.latency_threshold)}ms",
        "cross_region": f"cross-region-latency-{ms(mon.cross_region_latency)}ms",
        "model_sync": f"model-sync-{format_seconds(mon.model_sync_max_age_seconds)}",
        "cache": f"cache-replication-{format_seconds(mon.cache_lag_max_seconds)}",
        "failover": f"failover-{format_seconds(mon.failover_seconds)}",
    }


def global_alert_groups(mon: Monitoring, spec: Spec) -> GroupList:
    mon, rec, slo = mon, names.recorded(mon), slo_names(mon, spec)
    rules: list[dict[str, Any]] = [
        {
            "alert": "RegionDown",
            "expr": region_down_expr(mon, spec),
            "for": mon.region_down_for,
            "labels": {"severity": "critical"},
            "annotations": {
                "summary": f"Region {REGION_T} is down",
                "description": (
                    f"The global Prometheus cannot federate {REGION_T}, or {REGION_T} "
                    f"reports no healthy {mon.job} targets."
                ),
            },
        }
    ]
    for region in spec.regions:
        target = latency_target(region)
        region_job = {**job(mon, spec), "region": region.name}
        rules.append(
            {
                "alert": "CrossRegionLatencyHigh",
                "expr": f"{p99(mon, spec, region_job)} > {num(target)}",
                "for": LATENCY_FOR,
                "labels": {
                    "severity": "warning",
                    "region": region.name,
                    "region_target": num(target),
                },
                "annotations": {
                    "summary": (f"P99 latency in {REGION_T} is above its {ms(target)}ms target")
                },
            }
        )
    limit = mon.cross_region_latency
    rules += [
        {
            "alert": "CrossRegionLatencySLOBreach",
            "expr": f"{p99(mon, spec, job(mon, spec))} > {num(limit)}",
            "for": CROSS_REGION_FOR,
            "labels": {"severity": "critical", "slo": slo["cross_region"]},
            "annotations": {"summary": f"P99 latency in {REGION_T} is above {ms(limit)}ms (SLO)"},
        },
        {
            "alert": "ModelSyncStale",
            "expr": (
                f"time() - max by (region) ({rec['model_sync']}) > {mon.model_sync_max_age_seconds}"
            ),
            "for": MODEL_SYNC_FOR,
            "labels": {"severity": "critical", "slo": slo["model_sync"]},
            "annotations": {
                "summary": (
                    f"Model files in {REGION_T} are older than "
                    f"{format_seconds(mon.model_sync_max_age_seconds)}"
                )
            },
        },
        {
            "alert": "CacheReplicationLagHigh",
            "expr": f"max by (region) ({rec['cache_lag']}) > {mon.cache_lag_max_seconds}",
            "for": CACHE_LAG_FOR,
            "labels": {"severity": "critical", "slo": slo["cache"]},
            "annotations": {
                "summary": (
                    f"Cache replication lag in {REGION_T} is {VALUE_T}s "
                    f"(SLO {mon.cache_lag_max_seconds}s)"
                )
            },
        },
        {
            "alert": "FailoverSLOBreach",
            "expr": (
                f"avg_over_time({selector(mon.metrics.probe_success, failover_labels(mon, spec))}"
                "[1m]) < 0.5"
            ),
            "for": format_seconds(mon.failover_seconds),
            "labels": {"severity": "critical", "slo": slo["failover"]},
            "annotations": {
                "summary": (
                    f"{mon.blackbox_instance} has been failing for "
                    f"{format_seconds(mon.failover_seconds)}: failover did "
                    "not complete within its SLO"
                )
            },
        },
    ]
    for guard in absent_guards(mon, spec):
        rules.append(
            {
                "alert": "MonitoringDataAbsent",
                "expr": f"absent({selector(guard.metric, guard.labels)})",
                "for": ABSENT_FOR,
                # region too: rules sharing a name must differ in their labels
                "labels": {
                    "severity": "warning",
                    "signal": guard.signal,
                    **{k: v for k, v in guard.labels.items() if k == "region"},
                },
                "annotations": {"summary": guard.summary},
            }
        )
    return [{"name": names.rule_group_name(spec, "global-alerts"), "rules": rules}]


def failover_labels(mon: Monitoring, spec: Spec) -> dict[str, str]:
    return {"job": mon.blackbox_job, "instance": mon.blackbox_instance}


# --- latency SLO: multi-window, multi-burn-rate -------------------------------------------


def burn_threshold(mon: Monitoring, spec: Spec, factor: str) -> Decimal:
    return Decimal(factor) * mon.error_budget


def slo_groups(mon: Monitoring, spec: Spec) -> GroupList:
    mon, rec, slo = mon, names.recorded(mon), slo_names(mon, spec)["latency"]
    rules: list[dict[str, Any]] = []
    for window in names.SLO_WINDOWS:
        good = selector(rec[f"slo_good_{window}"], job(mon, spec))
        total = selector(rec[f"slo_total_{window}"], job(mon, spec))
        # A global SLI divides sums across regions; never an average of regional ratios.
        rules.append(
            {
                "record": f"{names.SLI_ERROR}{window}",
                "expr": f"1 - (sum by (job) ({good}) / sum by (job) ({total}))",
                "labels": {"slo": slo},
            }
        )
    budget = num(mon.error_budget)
    for suffix, severity, pairs in BURN_RATES:
        clauses = []
        for short, long, factor in pairs:
            parts = [
                f"({selector(names.SLI_ERROR + w, {'slo': slo})} > ({factor} * {budget}))"
                for w in (short, long)
            ]
            clauses.append("(\n" + "\nand\n".join(parts) + "\n)")
        speeds = "/".join(f"{factor}x" for _, _, factor in pairs)
        rules.append(
            {
                "alert": f"LatencySLOBurnRate{suffix}",
                "expr": "\nor\n".join(clauses),
                "labels": {"severity": severity, "slo": slo},
                "annotations": {
                    "summary": (
                        f"{mon.job} is burning its latency error budget at {speeds} "
                        f"(SLO: {num(mon.slo_objective)}% of requests within "
                        f"{ms(mon.latency_threshold)}ms)"
                    )
                },
            }
        )
    return [{"name": names.rule_group_name(spec, "global-slo"), "rules": rules}]


RULE_SETS = {
    "regional": regional_groups,
    "global-alerts": global_alert_groups,
    "global-slo": slo_groups,
}
"""kind -> groups; the kind names the rule file, the test file and the PrometheusRule."""


def for_seconds(rule: Mapping[str, Any]) -> int:
    return duration_seconds(rule["for"]) if "for" in rule else 0
