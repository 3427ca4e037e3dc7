"""Monitoring names: Prometheus federation, rules, dashboards."""

from __future__ import annotations

from generator.errors import Path
from generator.section import DerivedName
from generator.sections.core.model import Region
from generator.sections.core.names import (
    CLUSTER_DOMAIN,
    DNS_LABEL_MAX,
    PORT_NAME,
    HasService,
    common_labels,
    namespace,
)
from generator.sections.monitoring.model import Monitoring

# Monitoring (Prometheus federation, rules, dashboards).
MONITORING = "monitoring"
"""Root of the plain (non-Kubernetes) monitoring files."""
MONITORING_LAYER = "monitoring"
"""The platform layer of the global objects (federation ScrapeConfig, alert rules, dashboard)."""
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


def dashboard_file(spec: HasService) -> str:
    return f"{DASHBOARDS_DIR}/{dashboard_name(spec)}.json"


def dashboard_name(spec: HasService) -> str:
    """Dashboard uid, file stem and ConfigMap name."""
    return f"{spec.service.name}-multi-region"


def prometheus_rule_name(spec: HasService, kind: str) -> str:
    return f"{spec.service.name}-{kind}"


def rule_group_name(spec: HasService, kind: str) -> str:
    return f"{spec.service.name}-{kind}"


def federation_target(mon: Monitoring, region: Region) -> str:
    """host:port of the region's Prometheus, as the global server federates it."""
    overrides = dict(mon.federation_targets)
    if region.name in overrides:
        return overrides[region.name]
    return mon.federation_template.replace("{region}", region.name)


def recorded(mon: Monitoring) -> dict[str, str]:
    """Names of the regional recording rules (``level:metric:operations``); only these
    aggregates are federated. Keys: requests, buckets, count, up, model_sync, cache_lag,
    and slo_good_<w> / slo_total_<w> per SLO window."""
    metrics = mon.metrics
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


def derived_names(spec: HasService) -> list[DerivedName]:
    blame: Path = ("service", "name")
    return [
        DerivedName(
            dashboard_name(spec),
            GRAFANA_UID_MAX,
            "dashboard uid and ConfigMap name (Grafana allows 40)",
            blame,
        ),
        *(
            DerivedName(
                prometheus_rule_name(spec, kind), DNS_LABEL_MAX, "PrometheusRule name", blame
            )
            for kind in ("regional", "global-alerts", "global-slo")
        ),
        DerivedName(scrape_config_name(spec), DNS_LABEL_MAX, "ScrapeConfig name", blame),
        DerivedName(metrics_service_name(spec), DNS_LABEL_MAX, "metrics Service name", blame),
    ]


def scrape_config_name(spec: HasService) -> str:
    return f"{spec.service.name}-{FEDERATE_JOB}"


def monitoring_labels(spec: HasService, extra: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Common labels plus the selector labels the Prometheus Operator or Grafana watch."""
    return {**common_labels(spec), **dict(extra)}


def metrics_service_name(spec: HasService) -> str:
    """Headless Service whose DNS SRV records list every pod (regional scrape discovery)."""
    return f"{spec.service.name}-metrics"


def metrics_srv_record(spec: HasService) -> str:
    return f"_{PORT_NAME}._tcp.{metrics_service_name(spec)}.{namespace(spec)}.{CLUSTER_DOMAIN}"
