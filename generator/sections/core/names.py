"""Names and paths every section shares: the service, its workloads, labels, and the output
folders (overlays, bases, platform layers)."""

from __future__ import annotations

from typing import Protocol

from generator.section import DerivedName
from generator.sections.core.model import Core, Region, Service


class HasService(Protocol):
    """A :class:`Core` or a whole :class:`generator.spec.Spec`: names need only the service."""

    @property
    def service(self) -> Service: ...


DNS_LABEL_MAX = 63
DNS_SUBDOMAIN_MAX = 253
CRONJOB_MAX = 52  # the CronJob controller appends 11 characters to Job names

CONTAINER = "api"
PORT_NAME = "http"
COMPONENT = "api"
REGION_LABEL = "region"
CLUSTER_DOMAIN = "svc.cluster.local"


# Shared (unprefixed) names: identical in every cluster so Istio merges the endpoints.
def service_name(core: HasService) -> str:
    return core.service.name


def namespace(core: HasService) -> str:
    return core.service.namespace


def service_fqdn(core: HasService) -> str:
    """The Service's cluster-wide name."""
    return f"{service_name(core)}.{namespace(core)}.{CLUSTER_DOMAIN}"


# Region-local workload names: kustomize's namePrefix produces them in each overlay.
def workload_prefix(region: Region) -> str:
    return f"{region.name}-"


def workload_name(core: HasService, region: Region) -> str:
    return f"{workload_prefix(region)}{core.service.name}"


# Labels.
def selector_labels(core: HasService) -> dict[str, str]:
    """Immutable selector labels: never region-specific."""
    return {"app.kubernetes.io/name": core.service.name}


def common_labels(core: HasService, component: str | None = None) -> dict[str, str]:
    labels = {
        "app.kubernetes.io/name": core.service.name,
        "app.kubernetes.io/part-of": core.service.name,
        "app.kubernetes.io/managed-by": "mrgen",
    }
    if component:
        labels["app.kubernetes.io/component"] = component
    return labels


# Output paths (relative to the output folder).
K8S = "k8s"
KUSTOMIZE_ROOTS = (K8S,)
"""Folders whose every sub-folder of YAML gets a generated kustomization.yaml."""
BASE_WORKLOAD = f"{K8S}/base/workload"
BASE_MESH = f"{K8S}/base/mesh"
OVERLAYS = f"{K8S}/overlays"
PLATFORM = f"{K8S}/platform"
"""Cluster objects applied once to the platform cluster, one folder per layer; each layer is
synced by its own Argo CD Application."""


def overlay_dir(region: Region) -> str:
    return f"{OVERLAYS}/{region.name}"


def overlay_workload_dir(region: Region) -> str:
    return f"{overlay_dir(region)}/workload"


def object_file(folder: str, kind: str, name: str | None = None) -> str:
    """One object per file: ``<folder>/<kind>[-<name>].yaml``."""
    stem = kind.lower() if name is None else f"{kind.lower()}-{name}"
    return f"{folder}/{stem}.yaml"


def patch_file(folder: str, kind: str) -> str:
    """A strategic-merge patch of the folder's ``kind`` object: ``<folder>/<kind>.patch.yaml``."""
    return f"{folder}/{kind.lower()}.patch.yaml"


def component_file(folder: str, component: str, kind: str, *, patch: bool = False) -> str:
    """A component's object (or patch): ``<folder>/<component>-<kind>[.patch].yaml``."""
    return f"{folder}/{component}-{kind.lower()}{'.patch' if patch else ''}.yaml"


def platform_dir(layer: str) -> str:
    return f"{PLATFORM}/{layer}"


def platform_object_path(layer: str, kind: str, name: str) -> str:
    """One platform object per file: k8s/platform/<layer>/<kind>-<name>.yaml."""
    return object_file(platform_dir(layer), kind, name)


RUNBOOK = "docs/runbook.md"


def spec_file_name(service: str) -> str:
    """Where `mrgen init` writes a starter spec, relative to the project."""
    return f"spec/{service}.yaml"


def derived_names(core: Core) -> list[DerivedName]:
    names = [
        DerivedName(service_name(core), DNS_LABEL_MAX, "Service name", ("service", "name")),
        DerivedName(namespace(core), DNS_LABEL_MAX, "namespace", ("service", "namespace")),
    ]
    names.extend(
        DerivedName(
            workload_name(core, region),
            DNS_LABEL_MAX,
            "workload name (Deployment, HPA, PDB, ServiceAccount)",
            ("regions", region.index, "name"),
        )
        for region in core.regions
    )
    return names
