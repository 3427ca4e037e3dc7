"""The watcher's share of the namespace's least privilege (``k8s/base/workload``, prefixed
per region like the watcher): the namespace denies everything
(:mod:`generator.sections.mesh.policy`), so the monitoring namespace's scrapes of the
watcher's metrics port are admitted here, by Istio identity and by address. The model-sync
pods serve nothing: they need no ingress at all."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator import emit
from generator.section import RenderedFile
from generator.sections.core import names as core_names
from generator.sections.mesh import policy
from generator.sections.replication import names
from generator.sections.replication.model import Replication
from generator.spec import Spec

SELECTOR = {"app.kubernetes.io/name": names.WATCHER}


def authorization(rep: Replication, spec: Spec, monitoring: str) -> dict[str, Any]:
    rule = {
        "from": [{"source": {"namespaces": [monitoring]}}],
        "to": [{"operation": {"ports": [str(rep.watcher.metrics_port)]}}],
    }
    return policy.authorization_policy(spec, names.WATCHER, SELECTOR, [rule])


def network(rep: Replication, spec: Spec) -> dict[str, Any]:
    ingress = policy.scrape_ingress(spec, rep.watcher.metrics_port)
    return policy.network_policy(spec, names.WATCHER, SELECTOR, ingress, None)


def render(rep: Replication, spec: Spec) -> Iterator[RenderedFile]:
    monitoring = policy.monitoring_namespace(spec)
    if monitoring is None:
        return  # nothing scrapes the watcher: the namespace's deny-all stands
    base = core_names.BASE_WORKLOAD
    for api, kind, obj in (
        (policy.SECURITY_API, "AuthorizationPolicy", authorization(rep, spec, monitoring)),
        (policy.NETWORK_API, "NetworkPolicy", network(rep, spec)),
    ):
        path = core_names.component_file(base, names.WATCHER, kind)
        yield emit.yaml_file(path, emit.k8s(api, kind, **obj))
