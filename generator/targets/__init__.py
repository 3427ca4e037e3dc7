"""The registry of output kinds. Adding one: a schema section, model fields, a
template folder, a module here, and one line in TARGETS."""

from __future__ import annotations

from generator.output import Target
from generator.targets import (
    argocd,
    config_connector,
    gclb,
    istio,
    kustomize,
    monitoring,
    replication,
    route53,
    runbook,
)
from generator.targets.kustomization import finish

TARGETS: dict[str, Target] = {
    "kustomize": kustomize.render,
    "replication": replication.render,
    "config-connector": config_connector.render,
    "istio": istio.render,
    "argocd": argocd.render,
    "monitoring": monitoring.render,
    "route53": route53.render,
    "gclb": gclb.render,
    "runbook": runbook.render,
}

__all__ = ["TARGETS", "finish"]
