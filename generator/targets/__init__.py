"""The registry of output kinds. Adding one: a schema section, model fields, a
template folder, a module here, and one line in TARGETS."""

from __future__ import annotations

from generator.output import Target
from generator.targets import argocd, config_connector, istio, kustomize, monitoring, replication
from generator.targets.kustomization import finish

TARGETS: dict[str, Target] = {
    "kustomize": kustomize.render,
    "replication": replication.render,
    "config-connector": config_connector.render,
    "istio": istio.render,
    "argocd": argocd.render,
    "monitoring": monitoring.render,
}

__all__ = ["TARGETS", "finish"]
