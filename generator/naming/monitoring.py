"""Monitoring names: Prometheus federation, rules, dashboards."""

from __future__ import annotations

from generator.errors import Path
from generator.model import Region, Spec
from generator.naming.core import DNS_LABEL_MAX, PORT_NAME, DerivedName, common_labels, namespace

# Monitoring (Prometheus federation, rules, dashboards).
MONITORING = "monitoring"
"""Root of the plain (non-Kubernetes) monitoring files."""
PROMETHEUS_DIR = f"{MONITORING}/prometheus"
RULES_DIR = f"{MONITORING}/rules"
RULE_TESTS_DIR = f"{RULES_DIR}/tests"
DASHBOARDS_DIR = f"{MONITORING}/dashboards"
FEDERATE_JOB = "federate"
GRAFANA_UID_MAX = 40


def regional_prometheus_config(region: Region) -> str:
    return f"{PROMETHEUS_DIR}/regional-{region.name}.yml"


def global_prometheus_config() -> str:
    return f"{PROMETHEUS_DIR}/global.yml"


def rule_file(kind: str) -> str:
    """``kind``: regional, global-alerts or global-slo."""
    return f"{RULES_DIR}/{kind}.rules.yaml"


def rule_test_file(kind: str) -> str:
    return f"{RULE_TESTS_DIR}/{kind}.test.yaml"


def dashboard_file(spec: Spec) -> str:
    return f"{DASHBOARDS_DIR}/{dashboard_name(spec)}.json"


def dashboard_name(spec: Spec) -> str:
    """Dashboard uid, file stem and ConfigMap name."""
    return f"{spec.service.name}-multi-region"


def prometheus_rule_name(spec: Spec, kind: str) -> str:
    return f"{spec.service.name}-{kind}"


def rule_group_name(spec: Spec, kind: str) -> str:
    return f"{spec.service.name}-{kind}"


def federation_target(spec: Spec, region: Region) -> str:
    """host:port of the region's Prometheus, as the global server federates it."""
    assert spec.monitoring is not None
    overrides = dict(spec.monitoring.federation_targets)
    if region.name in overrides:
        return overrides[region.name]
    return spec.monitoring.federation_template.replace("{region}", region.name)


def recorded(spec: Spec) -> dict[str, str]:
    """Names of the regional recording rules (``level:metric:operations``); only these
    aggregates are federated. Keys: requests, buckets, count, up, model_sync, cache_lag,
    and slo_good_<w> / slo_total_<w> per SLO window."""
    assert spec.monitoring is not None
    metrics = spec.monitoring.metrics
    requests = metrics.requests.removesuffix("_total")
    names = {
        "requests": f"job:{requests}:rate5m",
        "buckets": f"job_le:{metrics.duration}_bucket:rate5m",
        "count": f"job:{metrics.duration}_count:rate5m",
        "up": "job:up:sum",
        "model_sync": f"region:{metrics.model_sync_timestamp}:max",
        "cache_lag": f"region:{metrics.cache_replication_lag}:max",
    }
    for window in SLO_WINDOWS:
        names[f"slo_good_{window}"] = f"job:slo_latency_good:rate{window}"
        names[f"slo_total_{window}"] = f"job:slo_latency_total:rate{window}"
    return names


SLO_WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
SLI_ERROR = "slo:sli_error:ratio_rate"
FEDERATED_PREFIXES = ("job:", "job_le:", "region:")
"""Every recorded name starts with one of these; the federation match[] selects them."""


def monitoring_names(spec: Spec) -> list[DerivedName]:
    if spec.monitoring is None:
        return []
    blame: Path = ("service", "name")
    return [
        DerivedName(dashboard_name(spec), GRAFANA_UID_MAX,
                    "dashboard uid and ConfigMap name (Grafana allows 40)", blame),
        *(DerivedName(prometheus_rule_name(spec, kind), DNS_LABEL_MAX,
                      "PrometheusRule name", blame)
          for kind in ("regional", "global-alerts", "global-slo")),
        DerivedName(scrape_config_name(spec), DNS_LABEL_MAX, "ScrapeConfig name", blame),
        DerivedName(metrics_service_name(spec), DNS_LABEL_MAX, "metrics Service name", blame),
    ]


def scrape_config_name(spec: Spec) -> str:
    return f"{spec.service.name}-{FEDERATE_JOB}"


def monitoring_labels(spec: Spec, extra: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Common labels plus the selector labels the Prometheus Operator or Grafana watch."""
    return {**common_labels(spec), **dict(extra)}


def metrics_service_name(spec: Spec) -> str:
    """Headless Service whose DNS SRV records list every pod (regional scrape discovery)."""
    return f"{spec.service.name}-metrics"


def metrics_srv_record(spec: Spec) -> str:
    return (f"_{PORT_NAME}._tcp.{metrics_service_name(spec)}.{namespace(spec)}"
            ".svc.cluster.local")
