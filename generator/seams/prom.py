"""Prometheus as the rendered tree declares it: scrape jobs, the pods they reach, and rules.

Two paths describe the same monitoring: plain Prometheus configuration files (with
``scrape_configs``) and Prometheus Operator objects (ServiceMonitor, PodMonitor, Probe,
ScrapeConfig). Every scrape is read with the job label its series carry, its scheme, and
how it finds its targets; :func:`pod_targets` follows it to the pod templates it reaches in
a cluster (through Services by label, or pods directly).

References:
- scrape configuration: https://prometheus.io/docs/prometheus/latest/configuration/configuration/#scrape_config
- ServiceMonitor/PodMonitor/Probe (job label defaults, one target per endpoint per matched
  Service): https://prometheus-operator.dev/docs/api-reference/api/
- rule files: https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.errors import Path
from generator.outcheck.documents import Document
from generator.seams.mesh import pod_templates, template_labels
from generator.seams.selectors import matches, matches_map
from generator.seams.tree import Obj, Tree, items, mapping, text

MONITORING = "monitoring.coreos.com"
ISTIO_AGENT_PORTS = {15020, 15090}  # served by the sidecar itself, outside inbound mTLS
_SRV = re.compile(r"_([^.]+)\._(?:tcp|udp)\.([^.]+)\.([^.]+)\.svc(?:\.|$)")
_SVC = re.compile(r"([^.:]+)\.([^.:]+)(?:\.svc(?:\.[^:]*)?)?(?::(\d+))?$")


@dataclass(frozen=True)
class Scrape:
    """One scrape job (or one endpoint of a monitor)."""

    job: str
    origin: str
    """``scrape job <name>`` (plain configuration) or ``Kind namespace/name``."""
    scheme: str
    tls: bool
    probe: bool
    document: Document
    path: Path
    obj: Obj | None = None
    endpoint: int = 0
    config: Any = None
    regions: tuple[str, ...] = ()
    """A plain configuration's ``external_labels`` values (``region: us-east-1``): a server
    labelled with a region scrapes that region's cluster only."""


def clusters(tree: Tree, scrape: Scrape) -> list[str]:
    """The clusters a scrape runs in: those its server's external labels name, else all."""
    named = sorted({tree.region_clusters[r] for r in scrape.regions if r in tree.region_clusters})
    return named or tree.clusters


@dataclass(frozen=True)
class PodTarget:
    workload: Obj
    template: dict[str, Any]
    port: int | None
    via: str
    """The Service it is reached through ('' for pods selected directly)."""


def _relabelled_job(relabelings: object, default: str) -> str:
    job = default
    for relabel in items(relabelings):
        relabel = mapping(relabel)
        action = text(relabel.get("action")) or "replace"
        if (
            (relabel.get("targetLabel") or relabel.get("target_label")) == "job"
            and action == "replace"
            and "replacement" in relabel
            and "$" not in str(relabel["replacement"])
        ):
            job = str(relabel["replacement"])
    return job


def _config_scrapes(document: Document) -> Iterator[Scrape]:
    labels = mapping(mapping(mapping(document.data).get("global")).get("external_labels"))
    regions = tuple(str(v) for v in labels.values())
    for i, job in enumerate(items(mapping(document.data).get("scrape_configs"))):
        job = mapping(job)
        name = text(job.get("job_name"))
        yield Scrape(
            _relabelled_job(job.get("relabel_configs"), name),
            f"scrape job {name}",
            text(job.get("scheme")) or "http",
            bool(job.get("tls_config")),
            text(job.get("metrics_path")) == "/probe",
            document,
            ("scrape_configs", i, "job_name"),
            config=job,
            regions=regions,
        )


def _operator_scrapes(tree: Tree) -> Iterator[Scrape]:
    for obj in tree.of_kind(MONITORING, "ServiceMonitor"):
        for i, endpoint in enumerate(items(obj.spec.get("endpoints"))):
            endpoint = mapping(endpoint)
            job = _relabelled_job(endpoint.get("relabelings"), "")
            document, path = obj.where(("spec", "endpoints", i))
            yield Scrape(
                job,
                obj.ref,
                text(endpoint.get("scheme")) or "http",
                bool(endpoint.get("tlsConfig")),
                False,
                document,
                path,
                obj,
                i,
            )
    for obj in tree.of_kind(MONITORING, "PodMonitor"):
        for i, endpoint in enumerate(items(obj.spec.get("podMetricsEndpoints"))):
            endpoint = mapping(endpoint)
            job = _relabelled_job(endpoint.get("relabelings"), f"{obj.namespace}/{obj.name}")
            document, path = obj.where(("spec", "podMetricsEndpoints", i))
            yield Scrape(
                job,
                obj.ref,
                text(endpoint.get("scheme")) or "http",
                bool(endpoint.get("tlsConfig")),
                False,
                document,
                path,
                obj,
                i,
            )
    for obj in tree.of_kind(MONITORING, "Probe"):
        job = text(obj.spec.get("jobName")) or f"probe/{obj.namespace}/{obj.name}"
        document, path = obj.where(("spec",))
        yield Scrape(job, obj.ref, "http", False, True, document, path, obj)
    for obj in tree.of_kind(MONITORING, "ScrapeConfig"):
        job = _relabelled_job(
            obj.spec.get("relabelings"),
            text(obj.spec.get("jobName")) or f"scrapeConfig/{obj.namespace}/{obj.name}",
        )
        document, path = obj.where(("spec",))
        yield Scrape(
            job,
            obj.ref,
            (text(obj.spec.get("scheme")) or "http").lower(),
            bool(obj.spec.get("tlsConfig")),
            text(obj.spec.get("metricsPath")) == "/probe",
            document,
            path,
            obj,
        )


def scrapes(tree: Tree) -> list[Scrape]:
    """Every scrape of the tree: plain configuration files first, then operator objects."""
    found = [s for d in tree.data_documents("scrape_configs") for s in _config_scrapes(d)]
    return found + list(_operator_scrapes(tree))


def _services(
    tree: Tree, cluster: str, namespaces: set[str] | None, selector: dict[str, Any]
) -> list[Obj]:
    return [
        s
        for s in tree.in_cluster(cluster, "", "Service")
        if (namespaces is None or s.namespace in namespaces) and matches(selector, s.labels)
    ]


def _container_port(template: dict[str, Any], port: object) -> int | None:
    if isinstance(port, int):
        return port
    for container in items(mapping(template.get("spec")).get("containers")):
        for declared in items(mapping(container).get("ports")):
            if mapping(declared).get("name") == port:
                number = mapping(declared).get("containerPort")
                return number if isinstance(number, int) else None
    return None


def _through_service(
    tree: Tree, cluster: str, service: Obj, port_name: str | None, port_number: int | None
) -> list[PodTarget]:
    out = []
    for spec_port in items(service.spec.get("ports")):
        spec_port = mapping(spec_port)
        if port_name is not None and spec_port.get("name") != port_name:
            continue
        if port_number is not None and spec_port.get("port") != port_number:
            continue
        target = spec_port.get("targetPort", spec_port.get("port"))
        for workload, _, template in pod_templates(tree, cluster, service.namespace):
            if matches_map(mapping(service.spec.get("selector")), template_labels(template)):
                out.append(
                    PodTarget(
                        workload, template, _container_port(template, target), service.source_name
                    )
                )
    return out


def _namespaces(obj: Obj) -> set[str] | None:
    selector = mapping(obj.spec.get("namespaceSelector"))
    if selector.get("any") is True:
        return None
    names = {n for n in items(selector.get("matchNames")) if isinstance(n, str)}
    return names or {obj.namespace}


def _config_targets(tree: Tree, cluster: str, job: dict[str, Any]) -> list[PodTarget]:
    out: list[PodTarget] = []
    for sd in items(job.get("dns_sd_configs")):
        sd = mapping(sd)
        for name in items(sd.get("names")):
            srv = _SRV.match(text(name))
            if srv and text(sd.get("type")) in ("", "SRV"):
                for service in tree.in_cluster(cluster, "", "Service"):
                    if service.source_name == srv.group(2) and service.namespace == srv.group(3):
                        out += _through_service(tree, cluster, service, srv.group(1), None)
    for static in items(job.get("static_configs")):
        for target in items(mapping(static).get("targets")):
            found = _SVC.match(text(target))
            if found and found.group(3):
                for service in tree.in_cluster(cluster, "", "Service"):
                    if service.source_name == found.group(1) and service.namespace == found.group(
                        2
                    ):
                        out += _through_service(tree, cluster, service, None, int(found.group(3)))
    return out


def pod_targets(tree: Tree, scrape: Scrape, cluster: str) -> list[PodTarget]:
    """The pod templates (and container ports) a scrape reaches in one cluster."""
    obj = scrape.obj
    if obj is None:
        return _config_targets(tree, cluster, mapping(scrape.config))
    if obj.kind == "ServiceMonitor":
        endpoint = mapping(items(obj.spec.get("endpoints"))[scrape.endpoint])
        out = []
        for service in _services(
            tree, cluster, _namespaces(obj), mapping(obj.spec.get("selector"))
        ):
            if "port" in endpoint:
                out += _through_service(tree, cluster, service, text(endpoint["port"]), None)
            else:
                out += [
                    PodTarget(
                        t.workload,
                        t.template,
                        _container_port(t.template, endpoint.get("targetPort")),
                        t.via,
                    )
                    for t in _through_service(tree, cluster, service, None, None)
                ]
        return out
    if obj.kind == "PodMonitor":
        endpoint = mapping(items(obj.spec.get("podMetricsEndpoints"))[scrape.endpoint])
        namespaces = _namespaces(obj)
        return [
            PodTarget(
                w, t, _container_port(t, endpoint.get("port") or endpoint.get("targetPort")), ""
            )
            for w, _, t in pod_templates(tree, cluster)
            if (namespaces is None or w.namespace in namespaces)
            and matches(mapping(obj.spec.get("selector")), template_labels(t))
        ]
    return []


@dataclass(frozen=True)
class PromRule:
    name: str
    alert: bool
    expr: str
    labels: dict[str, Any]
    annotations: dict[str, Any]
    document: Document
    path: Path


def _group_rules(groups: object, document: Document, base: Path) -> Iterator[PromRule]:
    for g, group in enumerate(items(groups)):
        for r, rule in enumerate(items(mapping(group).get("rules"))):
            rule = mapping(rule)
            alert = text(rule.get("alert"))
            name = alert or text(rule.get("record"))
            if name:
                yield PromRule(
                    name,
                    bool(alert),
                    str(rule.get("expr", "")),
                    mapping(rule.get("labels")),
                    mapping(rule.get("annotations")),
                    document,
                    (*base, g, "rules", r),
                )


def rules(tree: Tree) -> list[PromRule]:
    """Every rule of the rule files and PrometheusRule objects, in file order."""
    out = [
        r
        for d in tree.data_documents("groups")
        for r in _group_rules(mapping(d.data).get("groups"), d, ("groups",))
    ]
    for obj in tree.of_kind(MONITORING, "PrometheusRule"):
        document, base = obj.where(("spec", "groups"))
        out += _group_rules(obj.spec.get("groups"), document, base)
    return out
