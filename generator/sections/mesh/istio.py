"""Istio traffic objects for every region's cluster.

- ``k8s/base/mesh``: Gateway, VirtualService, DestinationRule and PeerAuthentication, one
  unprefixed name in every cluster (outside the workload ``namePrefix``: kustomize would not
  rewrite the hosts inside them).
- ``k8s/overlays/<region>/*.patch.yaml``: the region's own hostname added to the Gateway
  servers and the VirtualService hosts (patches replace these lists whole).

The 50/30/20 split is not here: weights live at the global edge (DNS / global load
balancer). Inside the mesh the single destination carries weight 100 and locality failover
moves traffic when a region's endpoints are ejected.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator import emit
from generator.durations import format_ms
from generator.section import RenderedFile
from generator.sections.core import names as core_names
from generator.sections.core.model import Region
from generator.sections.mesh import names, policy
from generator.sections.mesh.model import Mesh
from generator.spec import Spec

SECURITY_API = "security.istio.io/v1"
HTTPS_PORT, HTTP_PORT = 443, 80


def _metadata(spec: Spec, name: str) -> dict[str, Any]:
    return emit.metadata(
        name, namespace=core_names.namespace(spec), labels=core_names.common_labels(spec)
    )


def _servers(mesh: Mesh, hosts: list[str]) -> list[dict[str, Any]]:
    gateway = mesh.gateway
    return [
        {
            "port": {"number": HTTPS_PORT, "name": "https", "protocol": "HTTPS"},
            "hosts": hosts,
            # credentialName is looked up in the gateway WORKLOAD's namespace (gateway.namespace,
            # e.g. istio-system), not in this Gateway's namespace. mrgen never renders the Secret.
            "tls": {"mode": "SIMPLE", "credentialName": gateway.credential_name},
        },
        {
            "port": {"number": HTTP_PORT, "name": "http", "protocol": "HTTP"},
            "hosts": hosts,
            "tls": {"httpsRedirect": True},
        },
    ]


def gateway(mesh: Mesh, spec: Spec, hosts: list[str]) -> dict[str, Any]:
    return {
        "metadata": _metadata(spec, names.gateway_name(spec)),
        "spec": {"selector": dict(mesh.gateway.selector), "servers": _servers(mesh, hosts)},
    }


def virtual_service(mesh: Mesh, spec: Spec, hosts: list[str]) -> dict[str, Any]:
    return {
        "metadata": _metadata(spec, names.virtual_service_name(spec)),
        "spec": {
            "hosts": hosts,
            "gateways": [names.gateway_reference(spec), names.MESH_GATEWAY],
            "http": [
                {
                    "name": "default",
                    "timeout": format_ms(mesh.timeout_ms),
                    "retries": {
                        "attempts": mesh.retries.attempts,
                        "perTryTimeout": format_ms(mesh.retries.per_try_timeout_ms),
                        "retryOn": mesh.retries.retry_on,
                    },
                    # One destination, weight 100: the regional split happens at the edge.
                    "route": [
                        {
                            "destination": {
                                "host": core_names.service_fqdn(spec),
                                "port": {"number": spec.service.port},
                            },
                            "weight": 100,
                        }
                    ],
                }
            ],
        },
    }


def failover(spec: Spec) -> list[dict[str, str]]:
    """One entry per source region: ``to`` is that region's first failover region.

    Istio reads locality from the NODE label topology.kubernetes.io/region, which the cloud
    sets to its own region name (us-east1 on GKE, us-east-1 on EKS). So ``from``/``to`` are
    ``Region.locality`` values, never the spec's region keys: on GKE a rule naming
    ``us-east-1`` would match no endpoint and failover would silently not happen.
    Regions not named in ``to`` still follow, as the lowest priority.
    """
    entries = [
        {"from": region.locality, "to": spec.region(region.failover[0]).locality}
        for region in spec.regions
        if region.failover
    ]
    return sorted(entries, key=lambda e: e["from"])


def destination_rule(mesh: Mesh, spec: Spec) -> dict[str, Any]:
    pool, outlier = mesh.connection_pool, mesh.outlier_detection
    locality: dict[str, Any] = {"enabled": True}
    entries = failover(spec)
    if entries:
        locality["failover"] = entries  # never with `distribute`: Istio rejects the pair
    return {
        "metadata": _metadata(spec, names.destination_rule_name(spec)),
        "spec": {
            "host": core_names.service_fqdn(spec),
            "trafficPolicy": {
                "connectionPool": {
                    "tcp": {
                        "maxConnections": pool.max_connections,
                        "connectTimeout": format_ms(pool.connect_timeout_ms),
                    },
                    "http": {
                        "http1MaxPendingRequests": pool.http1_max_pending_requests,
                        "http2MaxRequests": pool.http2_max_requests,
                        "maxRequestsPerConnection": pool.max_requests_per_connection,
                        "maxRetries": pool.max_retries,
                    },
                },
                "loadBalancer": {"simple": "LEAST_REQUEST", "localityLbSetting": locality},
                # Without outlierDetection Istio ignores the failover priorities entirely.
                "outlierDetection": {
                    "consecutive5xxErrors": outlier.consecutive_5xx_errors,
                    "consecutiveGatewayErrors": outlier.consecutive_gateway_errors,
                    "interval": format_ms(outlier.interval_ms),
                    "baseEjectionTime": format_ms(outlier.base_ejection_time_ms),
                    "maxEjectionPercent": outlier.max_ejection_percent,
                },
            },
        },
    }


def peer_authentication(spec: Spec) -> dict[str, Any]:
    return {
        "metadata": _metadata(spec, names.PEER_AUTHENTICATION),
        "spec": {"mtls": {"mode": "STRICT"}},
    }


def _patch(spec: Spec, name: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"metadata": emit.metadata(name, namespace=core_names.namespace(spec)), "spec": body}


def _region_patches(mesh: Mesh, spec: Spec, region: Region) -> Iterator[RenderedFile]:
    api, top = mesh.istio.api_version, core_names.overlay_dir(region)
    hosts = names.region_hostnames(mesh, region)
    patches = (
        ("Gateway", names.gateway_name(spec), {"servers": _servers(mesh, hosts)}),
        ("VirtualService", names.virtual_service_name(spec), {"hosts": hosts}),
    )
    for kind, name, body in patches:
        yield emit.yaml_file(
            core_names.patch_file(top, kind), emit.k8s(api, kind, **_patch(spec, name, body))
        )


def render(mesh: Mesh, spec: Spec) -> Iterator[RenderedFile]:
    api, base, hosts = mesh.istio.api_version, core_names.BASE_MESH, list(mesh.hostnames)
    objects = (
        (api, "Gateway", gateway(mesh, spec, hosts)),
        (api, "VirtualService", virtual_service(mesh, spec, hosts)),
        (api, "DestinationRule", destination_rule(mesh, spec)),
        (SECURITY_API, "PeerAuthentication", peer_authentication(spec)),
    )
    for api_version, kind, obj in objects:
        yield emit.yaml_file(core_names.object_file(base, kind), emit.k8s(api_version, kind, **obj))
    for region in spec.regions:
        yield from _region_patches(mesh, spec, region)
    yield from policy.render(mesh, spec)  # least privilege: who may call, what may connect
