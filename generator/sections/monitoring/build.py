"""Monitoring defaults: the spec's ``monitoring`` part -> :class:`Monitoring` (the guide's
values where the spec is silent)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from generator.sections.core.model import FAILOVER_TARGET_SECONDS
from generator.sections.monitoring.model import MetricNames, Monitoring

DEFAULT_BUCKETS = (
    "0.005",
    "0.01",
    "0.025",
    "0.05",
    "0.1",
    "0.15",
    "0.2",
    "0.25",
    "0.5",
    "1",
    "2",
    "2.5",
    "5",
    "10",
)
DEFAULT_TEMPLATE = "prometheus.monitoring.{region}.internal:9090"


def exact(number: float | int) -> Decimal:
    """A spec number as the decimal the user wrote (0.1 stays 0.1)."""
    return Decimal(repr(number)) if isinstance(number, float) else Decimal(number)


def ms_to_seconds(ms: int) -> Decimal:
    return (Decimal(ms) / Decimal(1000)).normalize()


def _section(data: dict[str, Any]) -> dict[str, Any] | None:
    raw: dict[str, Any] = data.get("monitoring", {})
    return raw if raw.get("enabled", True) else None


def _probed_url(data: dict[str, Any]) -> str:
    """The blackbox default: the liveness path on the service's first public hostname."""
    service = data["service"]
    hosts = data.get("mesh", {}).get("hostnames") or [f"{service['name']}.example.com"]
    return f"https://{hosts[0]}{service.get('health', {}).get('liveness', '/healthz')}"


def monitoring(data: dict[str, Any]) -> Monitoring | None:
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
            model_sync_timestamp=metrics.get(
                "modelSyncTimestamp", "model_sync_last_success_timestamp_seconds"
            ),
            cache_replication_lag=metrics.get(
                "cacheReplicationLag", "cache_replication_lag_seconds"
            ),
            probe_success=metrics.get("probeSuccess", "probe_success"),
        ),
        blackbox_job=blackbox.get("job", "blackbox-global"),
        blackbox_instance=blackbox.get("instance", _probed_url(data)),
        buckets=tuple(
            sorted(exact(b).normalize() for b in buckets)
            if buckets is not None
            else (Decimal(b) for b in DEFAULT_BUCKETS)
        ),
        slo_objective=exact(slo.get("objective", 99.5)),
        latency_threshold=ms_to_seconds(slo.get("latencyThresholdMs", 500)),
        model_sync_max_age_seconds=limits.get("modelSyncMaxAgeSeconds", 1800),
        cache_lag_max_seconds=limits.get("cacheReplicationLagSeconds", 60),
        failover_seconds=limits.get("failoverSeconds", FAILOVER_TARGET_SECONDS),
        cross_region_latency=ms_to_seconds(limits.get("crossRegionLatencyMs", 2000)),
        region_down_for=raw.get("regionDownFor", "2m"),
        scrape_interval=raw.get("scrapeInterval", "30s"),
        evaluation_interval=raw.get("evaluationInterval", "30s"),
        federation_template=federation.get("targetTemplate", DEFAULT_TEMPLATE),
        federation_targets=tuple(sorted(federation.get("targets", {}).items())),
        rule_selector=tuple(
            sorted(raw.get("ruleSelector", {"release": "kube-prometheus-stack"}).items())
        ),
        dashboard_label=tuple(
            sorted(raw.get("dashboardLabel", {"grafana_dashboard": "1"}).items())
        ),
    )
