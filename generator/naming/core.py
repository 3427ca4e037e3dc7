"""Names and paths every section shares: the service, its workloads, labels, output folders,
the platform layers, and the :class:`DerivedName` record the build checks limits with."""

from __future__ import annotations

from dataclasses import dataclass

from generator.errors import Path
from generator.model import Region, Spec

DNS_LABEL_MAX = 63
CRONJOB_MAX = 52  # the CronJob controller appends 11 characters to Job names

CONTAINER = "api"
PORT_NAME = "http"


# Shared (unprefixed) names: identical in every cluster so Istio merges the endpoints.
def service_name(spec: Spec) -> str:
    return spec.service.name


def namespace(spec: Spec) -> str:
    return spec.service.namespace


# Region-local workload names: kustomize's namePrefix produces them in each overlay.
def workload_prefix(region: Region) -> str:
    return f"{region.name}-"


def workload_name(spec: Spec, region: Region) -> str:
    return f"{workload_prefix(region)}{spec.service.name}"


# Labels.
def selector_labels(spec: Spec) -> dict[str, str]:
    """Immutable selector labels: never region-specific."""
    return {"app.kubernetes.io/name": spec.service.name}


def common_labels(spec: Spec) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": spec.service.name,
        "app.kubernetes.io/part-of": spec.service.name,
        "app.kubernetes.io/managed-by": "mrgen",
    }


REGION_LABEL = "region"


# Output paths (relative to the output folder).
K8S = "k8s"
KUSTOMIZE_ROOTS = (K8S,)
"""Folders whose every sub-folder of YAML gets a generated kustomization.yaml."""
BASE_WORKLOAD = f"{K8S}/base/workload"
BASE_MESH = f"{K8S}/base/mesh"


def overlay_dir(region: Region) -> str:
    return f"{K8S}/overlays/{region.name}"


def overlay_workload_dir(region: Region) -> str:
    return f"{overlay_dir(region)}/workload"


@dataclass(frozen=True)
class DerivedName:
    name: str
    limit: int
    what: str
    path: Path
    """Spec path blamed when the name does not fit."""




# Platform layers: cluster objects applied once (not per region), each in its own folder
# k8s/platform/<layer> that Argo CD syncs to the platform cluster as one Application.
PLATFORM = f"{K8S}/platform"


def platform_dir(layer: str) -> str:
    return f"{PLATFORM}/{layer}"


# The platform layer each section renders into (when the spec enables the section).
CONFIG_CONNECTOR = "config-connector"
MONITORING_LAYER = "monitoring"
ROUTE53_LAYER = "route53"
GCLB_LAYER = "gclb"


def global_layers(spec: Spec) -> list[str]:
    routing = spec.global_routing
    if routing is None:
        return []
    layers = {"route53": ROUTE53_LAYER, "gclb": GCLB_LAYER}
    return sorted(layers[p] for p in routing.providers)


def platform_layers(spec: Spec) -> list[str]:
    """The platform layers this spec renders, sorted. Each output section that emits
    platform objects adds its layer here when the spec enables it."""
    layers: list[str] = []
    if spec.replication:
        layers.append(CONFIG_CONNECTOR)
    if spec.monitoring is not None:
        layers.append(MONITORING_LAYER)
    layers.extend(global_layers(spec))
    return sorted(layers)


# Pull-request workflow: the safety valve watches each region's overlay folder; the runbook.
OVERLAYS = f"{K8S}/overlays"
RUNBOOK = "docs/runbook.md"


def spec_file_name(service: str) -> str:
    """Where `mrgen init` writes a starter spec, relative to the project."""
    return f"spec/{service}.yaml"
