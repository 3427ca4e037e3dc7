"""Mesh (Istio) names. Gateway, VirtualService, DestinationRule and PeerAuthentication keep
one unprefixed name in every cluster (they live in k8s/base/mesh, outside the namePrefix)."""

from __future__ import annotations

from generator.section import DerivedName
from generator.sections.core.model import Core, Region
from generator.sections.core.names import DNS_LABEL_MAX, HasService, namespace
from generator.sections.mesh.model import Mesh

PEER_AUTHENTICATION = "default"  # the namespace-wide policy (no selector)
MESH_GATEWAY = "mesh"  # VirtualService gateways entry meaning "every sidecar"
ISTIO_CHARTS = ("base", "istiod", "gateway")
"""Istio's Helm charts, in install order."""
ISTIO_RELEASES = {"base": "istio-base", "istiod": "istiod", "gateway": "istio-ingressgateway"}
CANARY_ISTIOD_RELEASE = "istiod-canary"
REVISION_LABEL = "istio.io/rev"
STABLE_TAG = "stable"
"""The revision tag every injected namespace and the ingress gateway select; the istiod
revision that holds it serves them (moved to the canary region by region)."""
CANARY_TAG = "canary"
"""Points at the canary revision: label a test namespace with it to try the next release."""
TRUST_DOMAIN = "cluster.local"
"""istiod's default trust domain: SPIFFE identities are cluster.local/ns/<ns>/sa/<sa>."""


def revision(version: str) -> str:
    """An istiod revision name: its Istio version with dashes (1.31.1 -> 1-31-1)."""
    return version.replace(".", "-")


def promoted(mesh: Mesh, region: Region) -> bool:
    """Whether ``region``'s stable tag already points at the canary revision."""
    canary = mesh.istio.canary
    return canary is not None and region.name in canary.promoted


def stable_version(mesh: Mesh, region: Region) -> str:
    """The Istio version serving ``region``'s workloads (the stable tag's revision)."""
    canary = mesh.istio.canary
    return canary.version if canary is not None and promoted(mesh, region) else mesh.istio.version


def newest_version(mesh: Mesh) -> str:
    """The newest release installed anywhere: the base chart (CRDs) comes from it."""
    canary = mesh.istio.canary
    return canary.version if canary is not None else mesh.istio.version


def gateway_principal(mesh: Mesh) -> str:
    """The ingress gateway's SPIFFE identity (the gateway chart names its ServiceAccount
    after the release)."""
    return principal(mesh.gateway.namespace, ISTIO_RELEASES["gateway"])


def principal(namespace: str, service_account: str) -> str:
    return f"{TRUST_DOMAIN}/ns/{namespace}/sa/{service_account}"


def default_mesh_id(service: str) -> str:
    return f"{service}-mesh"


def default_credential_name(service: str) -> str:
    return f"{service}-tls"


def default_hostname(service: str) -> str:
    return f"{service}.example.com"


def gateway_name(spec: HasService) -> str:
    return f"{spec.service.name}-gateway"


def virtual_service_name(spec: HasService) -> str:
    return spec.service.name


def destination_rule_name(spec: HasService) -> str:
    return spec.service.name


def gateway_reference(spec: HasService) -> str:
    return f"{namespace(spec)}/{gateway_name(spec)}"


def regional_hostname(mesh: Mesh, region: Region) -> str:
    """``<region>.<first public hostname>``, e.g. us-east-1.api.example.com."""
    return f"{region.name}.{mesh.hostnames[0]}"


def region_hostnames(mesh: Mesh, region: Region) -> list[str]:
    """The hosts one region's Gateway serves: the global names, then its own."""
    return [*mesh.hostnames, regional_hostname(mesh, region)]


def mesh_network(mesh: Mesh, region: Region) -> str:
    if mesh.istio.network == "shared":
        return f"{mesh.istio.mesh_id}-network"
    return f"{region.cluster}-network"


def derived_names(mesh: Mesh, core: Core) -> list[DerivedName]:
    names = [DerivedName(gateway_name(core), DNS_LABEL_MAX, "Gateway name", ("service", "name"))]
    names.extend(
        DerivedName(
            mesh_network(mesh, region),
            DNS_LABEL_MAX,
            "Istio network (a label value)",
            ("mesh", "istio", "meshID"),
        )
        for region in core.regions
    )
    return names
