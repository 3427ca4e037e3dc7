"""Monitoring outputs: regional recording rules and ServiceMonitor (``k8s/base/mesh``), the
global federation ScrapeConfig, alert/SLO PrometheusRules and Grafana dashboard
(``k8s/platform/monitoring``), and the plain files under ``monitoring/``: prometheus.yml
fragments, rule files, promtool unit tests and the dashboard JSON.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator import naming
from generator.model import Spec
from generator.output import Context, RenderedFile
from generator.serialize import dump_json
from generator.targets import monitoring_config as mc
from generator.targets import monitoring_dashboard, monitoring_rules, monitoring_tests
from generator.targets.kustomize import manifest

TARGET = "monitoring"
OPERATOR_API = "monitoring.coreos.com/v1"


def _document(context: Context, template: str, path: str, region: str | None = None,
              **values: object) -> RenderedFile:
    return RenderedFile(path, context.templates.render(
        f"monitoring/{template}", TARGET, region, region_name=region, **values))


def render(spec: Spec, context: Context) -> Iterator[RenderedFile]:
    if spec.monitoring is None:
        return
    platform = naming.platform_dir(naming.MONITORING_LAYER)
    for kind, groups_of in sorted(monitoring_rules.RULE_SETS.items()):
        groups = groups_of(spec)
        yield _document(context, "rules.yaml.j2", naming.rule_file(kind), kind=kind,
                        document={"groups": groups})
        yield _document(context, "rule-test.yaml.j2", naming.rule_test_file(kind), kind=kind,
                        document=monitoring_tests.test_document(spec, kind))
        folder = naming.BASE_MESH if kind == "regional" else platform
        yield manifest(context, f"{folder}/prometheusrule-{kind}.yaml", OPERATOR_API,
                       "PrometheusRule", mc.prometheus_rule(spec, kind, groups), target=TARGET)
    yield manifest(context, f"{naming.BASE_MESH}/servicemonitor.yaml", OPERATOR_API,
                   "ServiceMonitor", mc.service_monitor(spec), target=TARGET)
    yield manifest(context, f"{naming.BASE_MESH}/service-metrics.yaml", "v1", "Service",
                   mc.metrics_service(spec), target=TARGET)
    yield manifest(context, f"{platform}/scrapeconfig-federate.yaml",
                   "monitoring.coreos.com/v1alpha1", "ScrapeConfig", mc.scrape_config(spec),
                   target=TARGET)
    yield _document(context, "prometheus.yml.j2", naming.global_prometheus_config(),
                    region=None, document=mc.global_config(spec))
    for region in spec.regions:
        yield _document(context, "prometheus.yml.j2", naming.regional_prometheus_config(region),
                        region=region.name, document=mc.regional_config(spec, region))
    dashboard = dump_json(monitoring_dashboard.dashboard(spec))
    yield RenderedFile(naming.dashboard_file(spec), dashboard)
    yield manifest(context, f"{platform}/configmap-dashboard.yaml", "v1", "ConfigMap",
                   mc.dashboard_config_map(spec, dashboard), target=TARGET)
