"""Least privilege in the service's namespace (``k8s/base/mesh``, one name in every cluster).

Istio (L7, by mTLS identity):
- ``allow-nothing``: an ALLOW policy without rules, so every request to a sidecar of the
  namespace is denied unless another ALLOW policy admits it;
- ``<service>``: the API admits the ingress gateway's identity (on the service port), the
  monitoring namespace (GET on the metrics path: scrapes that present an Istio identity)
  and the callers the spec names (``mesh.callers``).

Kubernetes (L4, by address):
- ``default-deny``: no ingress and no egress for any pod of the namespace;
- ``allow-platform-egress``: what every pod needs: DNS, istiod (xDS and certificates,
  15012), the metadata server (Workload Identity) and HTTPS (Google APIs, the Kubernetes
  API for the watcher's Lease);
- ``<service>``: the API's port from the ingress gateway pods, the callers' namespaces and
  the mesh's pod ranges (``mesh.peerCIDRs``: another region's gateway after a failover), and
  the monitoring namespace on the metrics ports (the app's, 15020 merged, 15090 Envoy).
Kubelet probes come from the node, which NetworkPolicies always admit.

References:
- https://istio.io/latest/docs/reference/config/security/authorization-policy/
- https://istio.io/latest/docs/ops/best-practices/security/#use-default-deny-patterns
- https://kubernetes.io/docs/concepts/services-networking/network-policies/
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator
from typing import Any

from generator import emit
from generator.section import Problem, RenderedFile
from generator.sections.core import names as core_names
from generator.sections.mesh import names
from generator.sections.mesh.model import Mesh
from generator.sections.monitoring.model import MONITORING
from generator.spec import Spec

SECURITY_API = "security.istio.io/v1"
NETWORK_API = "networking.k8s.io/v1"
ALLOW_NOTHING = "allow-nothing"
DEFAULT_DENY = "default-deny"
PLATFORM_EGRESS = "allow-platform-egress"
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
ISTIOD_XDS_PORT = 15012
MERGED_METRICS_PORT, ENVOY_METRICS_PORT = 15020, 15090
METADATA_SERVERS = ("169.254.169.254/32", "169.254.169.252/32")
"""The metadata address, and the GKE metadata server (Workload Identity) behind it."""
METADATA_PORTS = (80, 988)
DNS_PORT, HTTPS_PORT = 53, 443


def _metadata(spec: Spec, name: str) -> dict[str, Any]:
    return emit.metadata(
        name, namespace=core_names.namespace(spec), labels=core_names.common_labels(spec)
    )


def _ports(*numbers: int, protocol: str = "TCP") -> list[dict[str, Any]]:
    return [{"protocol": protocol, "port": n} for n in numbers]


def in_namespace(namespace: str, pods: dict[str, str] | None = None) -> dict[str, Any]:
    """A NetworkPolicy peer: the pods (all, or those with ``pods`` labels) of a namespace."""
    peer: dict[str, Any] = {"namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: namespace}}}
    if pods:
        peer["podSelector"] = {"matchLabels": dict(pods)}
    return peer


def monitoring_namespace(spec: Spec) -> str | None:
    monitoring = spec.get(MONITORING)
    return monitoring.namespace if monitoring is not None else None


def scrape_ingress(spec: Spec, port: int) -> list[dict[str, Any]]:
    """NetworkPolicy ingress of the monitoring namespace to a pod's metrics ports."""
    namespace = monitoring_namespace(spec)
    if namespace is None:
        return []
    return [
        {
            "from": [in_namespace(namespace)],
            "ports": _ports(port, MERGED_METRICS_PORT, ENVOY_METRICS_PORT),
        }
    ]


def authorization_policy(
    spec: Spec, name: str, selector: dict[str, str] | None, rules: Iterable[dict[str, Any]] | None
) -> dict[str, Any]:
    """An ALLOW policy (``rules`` None: the allow-nothing policy, which has no spec)."""
    body: dict[str, Any] = {}
    if selector:
        body["selector"] = {"matchLabels": dict(selector)}
    if rules is not None:
        body["action"] = "ALLOW"
        body["rules"] = list(rules)
    return {"metadata": _metadata(spec, name), "spec": body}


def network_policy(
    spec: Spec,
    name: str,
    selector: dict[str, str] | None,
    ingress: list[dict[str, Any]] | None,
    egress: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"podSelector": {"matchLabels": dict(selector)} if selector else {}}
    types = [t for t, rules in (("Ingress", ingress), ("Egress", egress)) if rules is not None]
    body["policyTypes"] = types
    if ingress:
        body["ingress"] = ingress
    if egress:
        body["egress"] = egress
    return {"metadata": _metadata(spec, name), "spec": body}


def _caller_rules(mesh: Mesh) -> Iterator[dict[str, Any]]:
    principals = sorted(
        names.principal(c.namespace, c.service_account) for c in mesh.callers if c.service_account
    )
    whole = sorted({c.namespace for c in mesh.callers if not c.service_account})
    if principals:
        yield {"from": [{"source": {"principals": principals}}]}
    if whole:
        yield {"from": [{"source": {"namespaces": whole}}]}


def api_authorization(mesh: Mesh, spec: Spec) -> dict[str, Any]:
    port = str(spec.service.port)
    rules: list[dict[str, Any]] = [
        {
            "from": [{"source": {"principals": [names.gateway_principal(mesh)]}}],
            "to": [{"operation": {"ports": [port]}}],
        },
    ]
    monitoring = spec.get(MONITORING)
    if monitoring is not None:
        rules.append(
            {
                "from": [{"source": {"namespaces": [monitoring.namespace]}}],
                "to": [{"operation": {"methods": ["GET"], "paths": [monitoring.metrics_path]}}],
            }
        )
    rules.extend(_caller_rules(mesh))
    return authorization_policy(
        spec, core_names.service_name(spec), core_names.selector_labels(spec), rules
    )


def api_network(mesh: Mesh, spec: Spec) -> dict[str, Any]:
    peers = [in_namespace(mesh.gateway.namespace, dict(mesh.gateway.selector))]
    peers += [in_namespace(ns) for ns in sorted({c.namespace for c in mesh.callers})]
    peers += [{"ipBlock": {"cidr": cidr}} for cidr in mesh.peer_cidrs]
    ingress = [
        {"from": peers, "ports": _ports(spec.service.port)},
        *scrape_ingress(spec, spec.service.port),
    ]
    return network_policy(
        spec, core_names.service_name(spec), core_names.selector_labels(spec), ingress, None
    )


def platform_egress(mesh: Mesh, spec: Spec) -> dict[str, Any]:
    egress = [
        {"ports": [*_ports(DNS_PORT, protocol="UDP"), *_ports(DNS_PORT)]},
        {
            "to": [in_namespace(mesh.istio.namespace, {"app": "istiod"})],
            "ports": _ports(ISTIOD_XDS_PORT),
        },
        {
            "to": [{"ipBlock": {"cidr": cidr}} for cidr in METADATA_SERVERS],
            "ports": _ports(*METADATA_PORTS),
        },
        {"ports": _ports(HTTPS_PORT)},
    ]
    return network_policy(spec, PLATFORM_EGRESS, None, None, egress)


def render(mesh: Mesh, spec: Spec) -> Iterator[RenderedFile]:
    base = core_names.BASE_MESH
    objects = (
        (
            SECURITY_API,
            "AuthorizationPolicy",
            authorization_policy(spec, ALLOW_NOTHING, None, None),
        ),
        (SECURITY_API, "AuthorizationPolicy", api_authorization(mesh, spec)),
        (NETWORK_API, "NetworkPolicy", network_policy(spec, DEFAULT_DENY, None, [], [])),
        (NETWORK_API, "NetworkPolicy", platform_egress(mesh, spec)),
        (NETWORK_API, "NetworkPolicy", api_network(mesh, spec)),
    )
    for api, kind, obj in objects:
        path = core_names.object_file(base, kind, obj["metadata"]["name"])
        yield emit.yaml_file(path, emit.k8s(api, kind, **obj))


def check(mesh: Mesh) -> Iterator[Problem]:
    """The pod ranges are networks, and each caller is named once."""
    for index, cidr in enumerate(mesh.peer_cidrs):
        try:
            ipaddress.ip_network(cidr)
        except ValueError as exc:
            yield Problem(("mesh", "peerCIDRs", index), f"{cidr!r} is not a network: {exc}")
    seen: set[tuple[str, str | None]] = set()
    for index, caller in enumerate(mesh.callers):
        key = (caller.namespace, caller.service_account)
        if key in seen:
            yield Problem(("mesh", "callers", index), "this caller is listed twice")
        seen.add(key)
