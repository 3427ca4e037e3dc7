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

from generator import naming
from generator.model import Monitoring, Region, Spec
from generator.targets import monitoring_rules as mr

REPLICA_LABEL = "prometheus_replica"
"""Added by the operator to every series of an HA pair; dropped so replicas do not churn."""


def _mon(spec: Spec) -> Monitoring:
    assert spec.monitoring is not None
    return spec.monitoring


def match_selectors(spec: Spec) -> list[str]:
    """The federation ``match[]``: exactly the recorded aggregates, plus the app's ``up``."""
    names = sorted(set(naming.recorded(spec).values()))
    return ['{__name__=~"' + "|".join(names) + '"}', mr.selector("up", mr.job(spec))]


def _rule_paths(kinds: list[str], config_path: str) -> list[str]:
    """Rule files relative to the config (Prometheus resolves them from the config's folder)."""
    depth = config_path.count("/")
    return ["../" * (depth - 1) + naming.rule_file(k).split("/", 1)[1] for k in kinds]


def regional_config(spec: Spec, region: Region) -> dict[str, Any]:
    mon = _mon(spec)
    return {
        "global": {
            "scrape_interval": mon.scrape_interval,
            "evaluation_interval": mon.evaluation_interval,
            "external_labels": {naming.REGION_LABEL: region.name},
        },
        "rule_files": _rule_paths(["regional"], naming.regional_prometheus_config(region)),
        "scrape_configs": [{
            "job_name": mon.job,
            "metrics_path": mon.metrics_path,
            # One target per pod: the SRV records of the headless metrics Service. (Debian's
            # Prometheus build has no kubernetes_sd; operator-managed servers use the
            # ServiceMonitor instead.)
            "dns_sd_configs": [{"names": [naming.metrics_srv_record(spec)], "type": "SRV",
                                "refresh_interval": mon.scrape_interval}],
        }],
    }


def global_config(spec: Spec) -> dict[str, Any]:
    mon = _mon(spec)
    return {
        "global": {
            "scrape_interval": mon.scrape_interval,
            "evaluation_interval": mon.evaluation_interval,
            # Never "region" here: it would be attached to every alert that lacks one.
            "external_labels": {"prometheus": "global"},
        },
        "rule_files": _rule_paths(["global-alerts", "global-slo"],
                                  naming.global_prometheus_config()),
        "scrape_configs": [{
            "job_name": naming.FEDERATE_JOB,
            "honor_labels": True,
            "metrics_path": "/federate",
            "scheme": "http",
            # Federation pulls current values: keep it in step with regional evaluation.
            "scrape_interval": mon.scrape_interval,
            "scrape_timeout": mon.scrape_interval,
            "params": {"match[]": match_selectors(spec)},
            "metric_relabel_configs": [{"action": "labeldrop", "regex": REPLICA_LABEL}],
            # Target labels: up{job="federate"} carries only these, so RegionDown needs them.
            "static_configs": [{"targets": [naming.federation_target(spec, r)],
                                "labels": {naming.REGION_LABEL: r.name}}
                               for r in spec.regions],
        }],
    }


def _metadata(spec: Spec, name: str, namespace: str,
              extra: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    return {"name": name, "namespace": namespace,
            "labels": naming.monitoring_labels(spec, extra)}


def service_monitor(spec: Spec) -> dict[str, Any]:
    mon = _mon(spec)
    return {
        "metadata": _metadata(spec, naming.service_name(spec), naming.namespace(spec),
                              mon.rule_selector),
        "spec": {
            "selector": {"matchLabels": naming.selector_labels(spec)},
            "namespaceSelector": {"matchNames": [naming.namespace(spec)]},
            "endpoints": [{
                "port": naming.PORT_NAME,
                "path": mon.metrics_path,
                "interval": mon.scrape_interval,
                # The rules select job="<job>": set it instead of relying on the Service name.
                "relabelings": [{"action": "replace", "targetLabel": "job",
                                 "replacement": mon.job}],
            }],
        },
    }


def metrics_service(spec: Spec) -> dict[str, Any]:
    """Headless Service over the app's pods: DNS SRV records with one entry per pod."""
    return {
        "metadata": {"name": naming.metrics_service_name(spec),
                     "namespace": naming.namespace(spec),
                     "labels": {**naming.common_labels(spec),
                                "app.kubernetes.io/component": "metrics"}},
        "spec": {
            "clusterIP": "None",
            "selector": naming.selector_labels(spec),
            "ports": [{"name": naming.PORT_NAME, "port": spec.service.port,
                       "targetPort": naming.PORT_NAME, "protocol": "TCP"}],
        },
    }


def scrape_config(spec: Spec) -> dict[str, Any]:
    mon = _mon(spec)
    job = global_config(spec)["scrape_configs"][0]
    return {
        "metadata": _metadata(spec, naming.scrape_config_name(spec), mon.namespace,
                              mon.rule_selector),
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


def prometheus_rule(spec: Spec, kind: str, groups: list[dict[str, Any]]) -> dict[str, Any]:
    """The rule file's ``groups``, wrapped for the operator (regional ones live with the app)."""
    mon = _mon(spec)
    namespace = naming.namespace(spec) if kind == "regional" else mon.namespace
    return {
        "metadata": _metadata(spec, naming.prometheus_rule_name(spec, kind), namespace,
                              mon.rule_selector),
        "spec": {"groups": groups},
    }


def dashboard_config_map(spec: Spec, dashboard_json: str) -> dict[str, Any]:
    mon = _mon(spec)
    file_name = naming.dashboard_file(spec).rsplit("/", 1)[1]
    return {
        "metadata": _metadata(spec, naming.dashboard_name(spec), mon.namespace,
                              mon.dashboard_label),
        "data": {file_name: dashboard_json},
    }
