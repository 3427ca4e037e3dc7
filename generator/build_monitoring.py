"""The spec's ``monitoring`` section -> :class:`generator.model.Monitoring`: the guide's
defaults plus the semantic checks JSON Schema cannot express."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from generator.durations import parse_ms
from generator.errors import Diagnostic
from generator.loader import LoadedSpec
from generator.model import MetricNames, Monitoring

DEFAULT_BUCKETS = ("0.005", "0.01", "0.025", "0.05", "0.1", "0.15", "0.2", "0.25", "0.5",
                   "1", "2", "2.5", "5", "10")
DEFAULT_TEMPLATE = "prometheus.monitoring.{region}.internal:9090"
REGION_PLACEHOLDER = "{region}"
PAGE_FACTOR = Decimal("14.4")
def duration_seconds(text: str) -> int:
    """Seconds in a schema-valid duration (``30s``, ``2m``, ``1h``; the monitoring schema
    allows no milliseconds)."""
    return parse_ms(text) // 1000


def exact(number: float | int) -> Decimal:
    """A spec number as the decimal the user wrote (0.1 stays 0.1)."""
    return Decimal(repr(number)) if isinstance(number, float) else Decimal(number)


def ms_to_seconds(ms: int) -> Decimal:
    return (Decimal(ms) / Decimal(1000)).normalize()


def _section(data: dict[str, Any]) -> dict[str, Any] | None:
    raw: dict[str, Any] = data.get("monitoring", {})
    return raw if raw.get("enabled", True) else None


def build_monitoring(data: dict[str, Any]) -> Monitoring | None:
    """The defaulted section, or None when disabled. ``data`` passed :func:`check_monitoring`."""
    raw = _section(data)
    if raw is None:
        return None
    metrics = raw.get("metrics", {})
    blackbox = raw.get("blackbox", {})
    slo = raw.get("slo", {})
    limits = raw.get("thresholds", {})
    federation = raw.get("federation", {})
    buckets = raw.get("buckets")
    return Monitoring(
        namespace=raw.get("namespace", "monitoring"),
        job=raw.get("job", data["service"]["name"]),
        metrics_path=raw.get("metricsPath", "/metrics"),
        metrics=MetricNames(
            requests=metrics.get("requests", "http_requests_total"),
            duration=metrics.get("duration", "http_request_duration_seconds"),
            model_sync_timestamp=metrics.get("modelSyncTimestamp",
                                             "model_sync_last_success_timestamp_seconds"),
            cache_replication_lag=metrics.get("cacheReplicationLag",
                                              "cache_replication_lag_seconds"),
            probe_success=metrics.get("probeSuccess", "probe_success"),
        ),
        blackbox_job=blackbox.get("job", "blackbox-global"),
        blackbox_instance=blackbox.get("instance", "https://api.example.com/healthz"),
        buckets=tuple(sorted(exact(b).normalize() for b in buckets) if buckets is not None
                      else (Decimal(b) for b in DEFAULT_BUCKETS)),
        slo_objective=exact(slo.get("objective", 99.5)),
        latency_threshold=ms_to_seconds(slo.get("latencyThresholdMs", 500)),
        model_sync_max_age_seconds=limits.get("modelSyncMaxAgeSeconds", 1800),
        cache_lag_max_seconds=limits.get("cacheReplicationLagSeconds", 60),
        failover_seconds=limits.get("failoverSeconds", 300),
        cross_region_latency=ms_to_seconds(limits.get("crossRegionLatencyMs", 2000)),
        region_down_for=raw.get("regionDownFor", "2m"),
        scrape_interval=raw.get("scrapeInterval", "30s"),
        evaluation_interval=raw.get("evaluationInterval", "30s"),
        federation_template=federation.get("targetTemplate", DEFAULT_TEMPLATE),
        federation_targets=tuple(sorted(federation.get("targets", {}).items())),
        rule_selector=tuple(sorted(raw.get("ruleSelector",
                                           {"release": "kube-prometheus-stack"}).items())),
        dashboard_label=tuple(sorted(raw.get("dashboardLabel",
                                             {"grafana_dashboard": "1"}).items())),
    )


def check_monitoring(loaded: LoadedSpec, data: dict[str, Any]) -> list[Diagnostic]:
    """Every semantic problem of the (schema-valid) monitoring section."""
    raw = _section(data)
    if raw is None:
        return []
    found: list[Diagnostic] = []
    built = build_monitoring(data)
    assert built is not None
    where = ("monitoring", "buckets") if "buckets" in raw else ("monitoring",)
    wanted = [(built.latency_threshold, "the latency SLO threshold (slo.latencyThresholdMs)"),
              (built.cross_region_latency, "thresholds.crossRegionLatencyMs")]
    wanted += [(ms_to_seconds(r["latencyTargetMs"]), f"the latency target of {r['name']}")
               for r in data["regions"]]
    for seconds, what in wanted:
        if seconds >= built.buckets[-1]:
            found.append(loaded.diagnostic(where, (
                f"{seconds} s ({what}) needs a bucket boundary above it; "
                "histogram_quantile cannot report a value beyond the largest finite bucket")))
        if seconds not in built.buckets:
            found.append(loaded.diagnostic(where, (
                f"{seconds} s ({what}) is not a histogram bucket boundary; add it to "
                "monitoring.buckets (and to the service's histogram) so the rules can "
                "count requests under it exactly")))
    if PAGE_FACTOR * built.error_budget >= 1:
        found.append(loaded.diagnostic(("monitoring", "slo", "objective"), (
            f"{built.slo_objective}% leaves an error budget so large that the "
            f"{PAGE_FACTOR}x burn-rate page could never fire; use an objective above "
            f"{(100 - 100 / PAGE_FACTOR):.2f}%")))
    failover = built.failover_seconds
    if duration_seconds(built.region_down_for) > failover:
        found.append(loaded.diagnostic(("monitoring", "regionDownFor"), (
            f"{built.region_down_for} is longer than the failover SLO ({failover} s); "
            "RegionDown must fire before the failover budget is spent")))
    federation = raw.get("federation", {})
    template = built.federation_template
    if "targetTemplate" in federation and template.count(REGION_PLACEHOLDER) != 1:
        found.append(loaded.diagnostic(("monitoring", "federation", "targetTemplate"), (
            f"{template!r} must contain {REGION_PLACEHOLDER} exactly once")))
    elif re.search(r"[{}]", template.replace(REGION_PLACEHOLDER, "")):
        found.append(loaded.diagnostic(("monitoring", "federation", "targetTemplate"),
                                       f"{template!r}: the only placeholder is {{region}}"))
    names = {r["name"] for r in data["regions"]}
    for region in sorted(federation.get("targets", {})):
        if region not in names:
            found.append(loaded.diagnostic(("monitoring", "federation", "targets", region),
                                           f"{region!r} is not a region in this spec",
                                           key=True))
    return found
