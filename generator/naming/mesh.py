"""Mesh (Istio) and delivery (Argo CD) names."""

from __future__ import annotations

from generator.errors import Path
from generator.model import Region, Spec
from generator.naming.core import (
    DNS_LABEL_MAX,
    K8S,
    DerivedName,
    namespace,
    platform_layers,
    service_name,
)

# Mesh (Istio). Gateway, VirtualService, DestinationRule and PeerAuthentication keep one
# unprefixed name in every cluster (they live in k8s/base/mesh, outside the namePrefix).
CLUSTER_DOMAIN = "svc.cluster.local"
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


def gateway_name(spec: Spec) -> str:
    return f"{spec.service.name}-gateway"


def virtual_service_name(spec: Spec) -> str:
    return spec.service.name


def destination_rule_name(spec: Spec) -> str:
    return spec.service.name


def service_fqdn(spec: Spec) -> str:
    """The Service's cluster-wide name: Istio hosts are always written in full, since a
    short host is read in the namespace of the rule, not of the Service."""
    return f"{service_name(spec)}.{namespace(spec)}.{CLUSTER_DOMAIN}"


def gateway_reference(spec: Spec) -> str:
    return f"{namespace(spec)}/{gateway_name(spec)}"


def regional_hostname(spec: Spec, region: Region) -> str:
    """``<region>.<first public hostname>``, e.g. us-east-1.api.example.com."""
    assert spec.mesh is not None
    return f"{region.name}.{spec.mesh.hostnames[0]}"


def region_hostnames(spec: Spec, region: Region) -> list[str]:
    """The hosts one region's Gateway serves: the global names, then its own."""
    assert spec.mesh is not None
    return [*spec.mesh.hostnames, regional_hostname(spec, region)]


def mesh_network(spec: Spec, region: Region) -> str:
    assert spec.mesh is not None
    if spec.mesh.istio.network == "shared":
        return f"{spec.mesh.istio.mesh_id}-network"
    return f"{region.cluster}-network"


def mesh_names(spec: Spec) -> list[DerivedName]:
    if spec.mesh is None:
        return []
    blame: Path = ("service", "name")
    names = [DerivedName(gateway_name(spec), DNS_LABEL_MAX, "Gateway name", blame)]
    for region in spec.regions:
        names.append(DerivedName(mesh_network(spec, region), DNS_LABEL_MAX,
                                 "Istio network (a label value)", ("mesh", "istio", "meshID")))
    return names


# Delivery (Argo CD): objects under argocd/, all in Argo CD's namespace (names unique there).
ARGOCD = "argocd"
SYNC_WAVE = "argocd.argoproj.io/sync-wave"


def workload_application_name(spec: Spec, region: Region) -> str:
    return f"{spec.service.name}-{region.name}"


def workload_applicationset_name(spec: Spec) -> str:
    return spec.service.name


def istio_application_name(region: Region, chart: str) -> str:
    return f"{region.name}-{ISTIO_RELEASES[chart]}"


def platform_application_name(spec: Spec, layer: str) -> str:
    return f"{spec.service.name}-platform-{layer}"


def root_application_name(spec: Spec) -> str:
    return f"{spec.service.name}-argocd"


def project_names(spec: Spec) -> dict[str, str]:
    """AppProjects by purpose: workloads, Istio install, platform (Argo CD's own objects and
    the platform layers)."""
    assert spec.delivery is not None
    base = spec.delivery.project
    return {"workloads": base, "istio": f"{base}-istio", "platform": f"{base}-platform"}


def rendered_source(spec: Spec, folder: str) -> str:
    """Repository path Argo CD reads for an output folder."""
    assert spec.delivery is not None
    return f"{spec.delivery.rendered_path}/{folder}"


def overlay_source_template(spec: Spec) -> str:
    """The ApplicationSet's source path: a Go template over the element's ``region``."""
    return rendered_source(spec, f"{K8S}/overlays/{{{{.region}}}}")


def delivery_names(spec: Spec) -> list[DerivedName]:
    if spec.delivery is None:
        return []
    names = [DerivedName(root_application_name(spec), DNS_LABEL_MAX, "Argo CD Application name",
                         ("service", "name"))]
    names.extend(DerivedName(name, DNS_LABEL_MAX, "Argo CD AppProject name",
                             ("delivery", "project")) for name in project_names(spec).values())
    for region in spec.regions:
        blame: Path = ("regions", region.index, "name")
        names.append(DerivedName(workload_application_name(spec, region), DNS_LABEL_MAX,
                                 "Argo CD Application name", blame))
        names.extend(DerivedName(istio_application_name(region, chart), DNS_LABEL_MAX,
                                 "Argo CD Application name (Istio)", blame)
                     for chart in ISTIO_CHARTS)
    names.extend(DerivedName(platform_application_name(spec, layer), DNS_LABEL_MAX,
                             "Argo CD Application name (platform layer)", ("service", "name"))
                 for layer in platform_layers(spec))
    return names


def workload_application_name_template(spec: Spec) -> str:
    """The ApplicationSet's Application name: ``workload_application_name`` as a Go template."""
    return f"{spec.service.name}-{{{{.region}}}}"


def argocd_file(kind: str, name: str) -> str:
    return f"{ARGOCD}/{kind.lower()}-{name}.yaml"
