"""Monitoring outputs: regional recording rules and ServiceMonitor (``k8s/base/mesh``), the
global federation ScrapeConfig, alert/SLO PrometheusRules and Grafana dashboard
(``k8s/platform/monitoring``), and the plain files under ``monitoring/``: prometheus.yml
fragments, rule files, promtool unit tests and the dashboard JSON.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator import emit
from generator.section import RenderedFile
from generator.sections.core import names as core_names
from generator.sections.monitoring import dashboard, names, rule_tests, rules
from generator.sections.monitoring import prometheus as mc
from generator.sections.monitoring.model import Monitoring
from generator.spec import Spec

OPERATOR_API = "monitoring.coreos.com/v1"
SCRAPE_CONFIG_API = "monitoring.coreos.com/v1alpha1"
GLOBAL_COMMENT = (
    "Global Prometheus: federates only the regions' recorded aggregates (honor_labels keeps",
    "their region label) and evaluates the multi-region alerts and the SLO rules.",
)


def _regional_comment(region: str) -> tuple[str, ...]:
    return (
        f"Regional Prometheus for {region}: every series leaves it labelled with its region",
        "(external_labels), and the recording rules pre-aggregate what the global server "
        "federates.",
        "With the Prometheus Operator: set Prometheus.spec.externalLabels to the same region label",
        'and replicaExternalLabelName: "" (or keep the global job\'s labeldrop).',
    )


def render(mon: Monitoring, spec: Spec) -> Iterator[RenderedFile]:
    platform = core_names.platform_dir(names.MONITORING_LAYER)
    mesh = core_names.BASE_MESH
    for kind, groups_of in sorted(rules.RULE_SETS.items()):
        groups = groups_of(mon, spec)
        yield emit.yaml_file(
            names.rule_file(kind),
            {"groups": groups},
            comment=(
                f"Prometheus rule file ({kind}). The PrometheusRule of the same name carries",
                "exactly these groups; promtool tests for it are in tests/.",
            ),
        )
        yield emit.yaml_file(
            names.rule_test_file(kind),
            rule_tests.test_document(mon, spec, kind),
            comment=(
                f"Unit tests for ../{kind}.rules.yaml: run `promtool test rules` on this file.",
            ),
        )
        folder = mesh if kind == "regional" else platform
        yield emit.yaml_file(
            core_names.object_file(folder, "PrometheusRule", kind),
            emit.k8s(OPERATOR_API, "PrometheusRule", **mc.prometheus_rule(mon, spec, kind, groups)),
        )
    yield emit.yaml_file(
        core_names.object_file(mesh, "ServiceMonitor"),
        emit.k8s(OPERATOR_API, "ServiceMonitor", **mc.service_monitor(mon, spec)),
    )
    yield emit.yaml_file(
        core_names.object_file(mesh, "Service", "metrics"),
        emit.k8s("v1", "Service", **mc.metrics_service(mon, spec)),
    )
    yield emit.yaml_file(
        core_names.object_file(platform, "ScrapeConfig", "federate"),
        emit.k8s(SCRAPE_CONFIG_API, "ScrapeConfig", **mc.scrape_config(mon, spec)),
    )
    yield emit.yaml_file(
        names.global_prometheus_config(), mc.global_config(mon, spec), comment=GLOBAL_COMMENT
    )
    for region in spec.regions:
        yield emit.yaml_file(
            names.regional_prometheus_config(region),
            mc.regional_config(mon, spec, region),
            comment=_regional_comment(region.name),
        )
    board = emit.json_file(names.dashboard_file(spec), dashboard.dashboard(mon, spec))
    yield board
    yield emit.yaml_file(
        core_names.object_file(platform, "ConfigMap", "dashboard"),
        emit.k8s("v1", "ConfigMap", **mc.dashboard_config_map(mon, spec, board.content)),
    )
