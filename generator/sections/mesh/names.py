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
