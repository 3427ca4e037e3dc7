"""Prometheus configuration and Prometheus Operator objects, as Python data.

- Regional: a prometheus.yml fragment (external label ``region``, the app's scrape job,
  the recording rules) and, for operator-managed servers, a ServiceMonitor plus the same
  recording rules as a PrometheusRule (identical in every cluster: the region comes from
  the server's external labels, ``Prometheus.spec.externalLabels`` with the operator).
- Global: the federation job (honor_labels, /federate, match[] of recorded aggregates,
  one target per region labelled with it) as a prometheus.yml fragment and as a ScrapeConfig.
"""

from __future__ import annotations

from typing import Any

from generator import emit
from generator.sections.core import names as core_names
from generator.sections.core.model import Region
from generator.sections.monitoring import names
from generator.sections.monitoring import rules as mr
from generator.sections.monitoring.model import Monitoring
from generator.spec import Spec

REPLICA_LABEL = "prometheus_replica"
"""Added by the operator to every series of an HA pair; dropped so replicas do not churn."""


def match_selectors(mon: Monitoring, spec: Spec) -> list[str]:
    """The federation ``match[]``: exactly the recorded aggregates, plus the app's ``up``."""
    recorded = sorted(set(names.recorded(mon).values()))
    return ['{__name__=~"' + "|".join(recorded) + '"}', mr.selector("up", mr.job(mon, spec))]


def _rule_paths(kinds: list[str], config_path: str) -> list[str]:
    """Rule files relative to the config (Prometheus resolves them from the config's folder)."""
    depth = config_path.count("/")
    return ["../" * (depth - 1) + names.rule_file(k).split("/", 1)[1] for k in kinds]


def regional_config(mon: Monitoring, spec: Spec, region: Region) -> dict[str, Any]:
    return {
        "global": {
            "scrape_interval": mon.scrape_interval,
            "evaluation_interval": mon.evaluation_interval,
            "external_labels": {core_names.REGION_LABEL: region.name},
        },
        "rule_files": _rule_paths(["regional"], names.regional_prometheus_config(region)),
        "scrape_configs": [
            {
                "job_name": mon.job,
                "metrics_path": mon.metrics_path,
                # One target per pod: the SRV records of the headless metrics Service. (Debian's
                # Prometheus build has no kubernetes_sd; operator-managed servers use the
                # ServiceMonitor instead.)
                "dns_sd_configs": [
                    {
                        "names": [names.metrics_srv_record(spec)],
                        "type": "SRV",
                        "refresh_interval": mon.scrape_interval,
                    }
                ],
            }
        ],
    }


def global_config(mon: Monitoring, spec: Spec) -> dict[str, Any]:
    return {
        "global": {
            "scrape_interval": mon.scrape_interval,
            "evaluation_interval": mon.evaluation_interval,
            # Never "region" here: it would be attached to every alert that lacks one.
            "external_labels": {"prometheus": "global"},
        },
        "rule_files": _rule_paths(
            ["global-alerts", "global-slo"], names.global_prometheus_config()
        ),
        "scrape_configs": [
            {
                "job_name": names.FEDERATE_JOB,
                "honor_labels": True,
                "metrics_path": "/federate",
                "scheme": "http",
                # Federation pulls current values: keep it in step with regional evaluation.
                "scrape_interval": mon.scrape_interval,
                "scrape_timeout": mon.scrape_interval,
                "params": {"match[]": match_selectors(mon, spec)},
                "metric_relabel_configs": [{"action": "labeldrop", "regex": REPLICA_LABEL}],
                # Target labels: up{job="federate"} carries only these, so RegionDown needs them.
                "static_configs": [
                    {
                        "targets": [names.federation_target(mon, r)],
                        "labels": {core_names.REGION_LABEL: r.name},
                    }
                    for r in spec.regions
                ],
            }
        ],
    }


def _metadata(
    spec: Spec, name: str, namespace: str, extra: tuple[tuple[str, str], ...]
) -> dict[str, Any]:
    return emit.metadata(name, namespace=namespace, labels=names.monitoring_labels(spec, extra))


def service_monitor(mon: Monitoring, spec: Spec) -> dict[str, Any]:
    return {
        "metadata": _metadata(
            spec, core_names.service_name(spec), core_names.namespace(spec), mon.rule_selector
        ),
        "spec": {
            "selector": {"matchLabels": core_names.selector_labels(spec)},
            "namespaceSelector": {"matchNames": [core_names.namespace(spec)]},
            "endpoints": [
                {
                    "port": core_names.PORT_NAME,
                    "path": mon.metrics_path,
                    "interval": mon.scrape_interval,
                    # The rules select job="<job>": set it instead of relying on the Service name.
                    "relabelings": [
                        {"action": "replace", "targetLabel": "job", "replacement": mon.job}
                    ],
                }
            ],
        },
    }


def metrics_service(mon: Monitoring, spec: Spec) -> dict[str, Any]:
    """Headless Service over the app's pods: DNS SRV records with one entry per pod."""
    return {
        "metadata": emit.metadata(
            names.metrics_service_name(spec),
            namespace=core_names.namespace(spec),
            labels=core_names.common_labels(spec, "metrics"),
        ),
        "spec": {
            "clusterIP": "None",
            "selector": core_names.selector_labels(spec),
            "ports": [
                {
                    "name": core_names.PORT_NAME,
                    "port": spec.service.port,
                    "targetPort": core_names.PORT_NAME,
                    "protocol": "TCP",
                }
            ],
        },
    }


def scrape_config(mon: Monitoring, spec: Spec) -> dict[str, Any]:
    job = global_config(mon, spec)["scrape_configs"][0]
    return {
        "metadata": _metadata(
            spec, names.scrape_config_name(spec), mon.namespace, mon.rule_selector
        ),
        "spec": {
            "jobName": job["job_name"],
            "honorLabels": job["honor_labels"],
            "metricsPath": job["metrics_path"],
            "scheme": job["scheme"].upper(),
            "scrapeInterval": job["scrape_interval"],
            "scrapeTimeout": job["scrape_timeout"],
            "params": job["params"],
            "metricRelabelings": [{"action": "LabelDrop", "regex": REPLICA_LABEL}],
            "staticConfigs": job["static_configs"],
        },
    }


def prometheus_rule(
    mon: Monitoring, spec: Spec, kind: str, groups: list[dict[str, Any]]
) -> dict[str, Any]:
    """The rule file's ``groups``, wrapped for the operator (regional ones live with the app)."""
    namespace = core_names.namespace(spec) if kind == "regional" else mon.namespace
    return {
        "metadata": _metadata(
            spec, names.prometheus_rule_name(spec, kind), namespace, mon.rule_selector
        ),
        "spec": {"groups": groups},
    }


def dashboard_config_map(mon: Monitoring, spec: Spec, dashboard_json: str) -> dict[str, Any]:
    file_name = names.dashboard_file(spec).rsplit("/", 1)[1]
    return {
        "metadata": _metadata(spec, names.dashboard_name(spec), mon.namespace, mon.dashboard_label),
        "data": {file_name: dashboard_json},
    }
