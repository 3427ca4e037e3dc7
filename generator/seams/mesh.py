"""Istio semantics the seam rules share: host matching, Gateway/VirtualService binding,
PeerAuthentication resolution, sidecar injection, and pod templates.

References:
- Gateway ``hosts`` (``namespace/dnsName``, SNI match on HTTPS servers):
  https://istio.io/latest/docs/reference/config/networking/gateway/#Server
- VirtualService ``hosts`` and ``gateways``:
  https://istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService
- PeerAuthentication precedence (workload, then namespace, then mesh; port-level modes):
  https://istio.io/latest/docs/reference/config/security/peer_authentication/
- Injection labels: https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.seams.selectors import matches
from generator.seams.tree import Obj, Tree, items, mapping, text

ISTIO_NETWORKING = "networking.istio.io"
ISTIO_SECURITY = "security.istio.io"
ROOT_NAMESPACE = "istio-system"
POD_KINDS = {
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}


def host_matches(pattern: str, name: str) -> bool:
    """An Istio host pattern (``*``, ``*.example.com`` or exact) against a DNS name."""
    pattern, name = pattern.lower().rstrip("."), name.lower().rstrip(".")
    if pattern == "*":
        return True
    if pattern.startswith("*."):
        return name.endswith(pattern[1:])
    return pattern == name


def server_hosts(server: dict[str, Any]) -> list[tuple[str, str]]:
    """(namespace part, dnsName) of a Gateway server's hosts (no namespace part: ``*``)."""
    out = []
    for host in items(server.get("hosts")):
        if isinstance(host, str):
            namespace, _, name = host.rpartition("/")
            out.append((namespace or "*", name))
    return out


def server_lists(
    server: dict[str, Any],
    gateway: Obj,
    name: str,
    vs_namespace: str | None,
) -> bool:
    """Whether a Gateway server's hosts admit ``name`` (for a VirtualService namespace)."""
    for namespace, host in server_hosts(server):
        if (
            vs_namespace is not None
            and namespace not in ("*", vs_namespace)
            and not (namespace == "." and vs_namespace == gateway.namespace)
        ):
            continue
        if host_matches(host, name):
            return True
    return False


def binds(vs: Obj, gateway: Obj) -> bool:
    """Whether a VirtualService names a Gateway in ``gateways`` (``ns/name`` or ``name``)."""
    for entry in items(vs.spec.get("gateways")):
        if not isinstance(entry, str) or entry == "mesh":
            continue
        namespace, _, name = entry.rpartition("/")
        if name == gateway.name and (namespace or vs.namespace) == gateway.namespace:
            return True
    return False


def vs_lists(vs: Obj, name: str) -> bool:
    return any(isinstance(h, str) and host_matches(h, name) for h in items(vs.spec.get("hosts")))


@dataclass(frozen=True)
class Serving:
    """How a cluster's ingress treats one host name."""

    gateways: list[tuple[Obj, int]]
    """(Gateway, server index) of every server that lists the name."""
    routes: list[tuple[Obj, Obj]]
    """(VirtualService, Gateway) of every bound VirtualService that lists the name."""


def serving(tree: Tree, cluster: str, name: str) -> Serving:
    gateways = tree.in_cluster(cluster, ISTIO_NETWORKING, "Gateway")
    services = tree.in_cluster(cluster, ISTIO_NETWORKING, "VirtualService")
    servers = [
        (g, i)
        for g in gateways
        for i, s in enumerate(items(g.spec.get("servers")))
        if serves_traffic(mapping(s)) and server_lists(mapping(s), g, name, None)
    ]
    routes = [
        (vs, g)
        for vs in services
        for g in gateways
        if vs_lists(vs, name)
        and binds(vs, g)
        and any(
            serves_traffic(mapping(s)) and server_lists(mapping(s), g, name, vs.namespace)
            for s in items(g.spec.get("servers"))
        )
    ]
    return Serving(servers, routes)


def serves_traffic(server: dict[str, Any]) -> bool:
    """A server that terminates or passes traffic (not only an HTTP-to-HTTPS redirect)."""
    return mapping(server.get("tls")).get("httpsRedirect") is not True


def pod_templates(
    tree: Tree,
    cluster: str,
    namespace: str | None = None,
) -> Iterator[tuple[Obj, tuple[str, ...], dict[str, Any]]]:
    """(workload, template path, template) of every pod template placed in a cluster."""
    for obj in tree.placed:
        path = POD_KINDS.get(obj.kind)
        if obj.cluster != cluster or path is None or obj.group not in ("apps", "batch"):
            continue
        if namespace is not None and obj.namespace != namespace:
            continue
        node: Any = obj.data
        for part in path:
            node = mapping(node).get(part)
        if isinstance(node, dict):
            yield obj, path, node


def template_labels(template: dict[str, Any]) -> dict[str, Any]:
    return mapping(mapping(template.get("metadata")).get("labels"))


def injected(tree: Tree, cluster: str, namespace: str, template: dict[str, Any]) -> bool:
    """Whether pods of ``template`` get an Istio sidecar in ``namespace`` of ``cluster``."""
    meta = mapping(template.get("metadata"))
    choice = text(mapping(meta.get("labels")).get("sidecar.istio.io/inject")) or text(
        mapping(meta.get("annotations")).get("sidecar.istio.io/inject")
    )
    if choice == "false":
        return False
    labels: dict[str, Any] = {}
    for ns in tree.in_cluster(cluster, "", "Namespace"):
        if ns.name == namespace:
            labels = ns.labels
    if labels.get("istio-injection") == "disabled":
        return False
    return (
        choice == "true" or labels.get("istio-injection") == "enabled" or "istio.io/rev" in labels
    )


def mtls_mode(
    tree: Tree, cluster: str, namespace: str, labels: dict[str, Any], port: int | None
) -> tuple[str, Obj | None]:
    """The effective mTLS mode for a workload port, and the PeerAuthentication that set it."""
    policies = tree.in_cluster(cluster, ISTIO_SECURITY, "PeerAuthentication")
    workload = [
        p
        for p in policies
        if p.namespace == namespace
        and mapping(p.spec.get("selector"))
        and matches(mapping(p.spec["selector"]), labels)
    ]
    local = [p for p in policies if p.namespace == namespace and not p.spec.get("selector")]
    mesh = [p for p in policies if p.namespace == ROOT_NAMESPACE and not p.spec.get("selector")]
    if workload and port is not None:
        levels = mapping(workload[0].spec.get("portLevelMtls"))
        level = next((v for k, v in levels.items() if str(k) == str(port)), None)
        port_mode = text(mapping(level).get("mode"))
        if port_mode and port_mode != "UNSET":
            return port_mode, workload[0]
    for candidates in (workload, local, mesh):
        if candidates:
            mode = text(mapping(candidates[0].spec.get("mtls")).get("mode"))
            if mode and mode != "UNSET":
                return mode, candidates[0]
    return "PERMISSIVE", None
