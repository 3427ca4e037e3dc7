"""pod-ranges-disjoint: the clusters' pod and service ranges do not overlap.

A multi-cluster mesh on one network routes pod IPs between clusters: when two clusters'
pod ranges overlap, an endpoint address is ambiguous and cross-cluster traffic reaches the
wrong pod or none. Each ContainerCluster's ranges (``ipAllocationPolicy``
``clusterIpv4CidrBlock``/``servicesIpv4CidrBlock``, or the ComputeSubnetwork secondary
ranges it names with ``clusterSecondaryRangeName``/``servicesSecondaryRangeName``) must not
overlap any range of another cluster, nor each other.

References:
- https://istio.io/latest/docs/ops/deployment/deployment-models/#single-network
- https://cloud.google.com/kubernetes-engine/docs/concepts/alias-ips#cluster_sizing
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from generator.seams.rule import Finding, SeamRule, at
from generator.seams.tree import Obj, Tree, items, mapping, text

CONTAINER = "container.cnrm.cloud.google.com"
COMPUTE = "compute.cnrm.cloud.google.com"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _secondary(tree: Tree, cluster: Obj, range_name: str) -> str:
    subnet = text(mapping(cluster.spec.get("subnetworkRef")).get("name"))
    for obj in tree.of_kind(COMPUTE, "ComputeSubnetwork"):
        if subnet and obj.name != subnet:
            continue
        for entry in map(mapping, items(obj.spec.get("secondaryIpRange"))):
            if text(entry.get("rangeName")) == range_name:
                return text(entry.get("ipCidrRange"))
    return ""


def ranges(tree: Tree) -> Iterator[tuple[Obj, tuple[str, ...], str, Network]]:
    """(cluster, path, what, network) of every pod and service range declared."""
    for cluster in tree.of_kind(CONTAINER, "ContainerCluster"):
        policy = mapping(cluster.spec.get("ipAllocationPolicy"))
        for what, block, secondary in (
            ("pod", "clusterIpv4CidrBlock", "clusterSecondaryRangeName"),
            ("service", "servicesIpv4CidrBlock", "servicesSecondaryRangeName"),
        ):
            value = text(policy.get(block))
            path: tuple[str, ...] = ("spec", "ipAllocationPolicy", block)
            if not value and text(policy.get(secondary)):
                value = _secondary(tree, cluster, text(policy[secondary]))
                path = ("spec", "ipAllocationPolicy", secondary)
            if not value and what == "pod" and text(cluster.spec.get("clusterIpv4Cidr")):
                value, path = text(cluster.spec["clusterIpv4Cidr"]), ("spec", "clusterIpv4Cidr")
            try:
                network = ipaddress.ip_network(value, strict=False) if value else None
            except ValueError:
                network = None
            if network is not None:
                yield cluster, path, what, network


def _check(tree: Tree) -> Iterator[Finding]:
    seen: list[tuple[Obj, str, Network]] = []
    for cluster, path, what, network in ranges(tree):
        for other, other_what, other_network in seen:
            if network.version == other_network.version and network.overlaps(other_network):
                yield at(
                    cluster,
                    path,
                    f"the {what} range {network} of {cluster.name} overlaps the "
                    f"{other_what} range {other_network} of {other.name}: cross-cluster "
                    "traffic to those addresses is ambiguous",
                )
        seen.append((cluster, what, network))


RULE = SeamRule(
    id="pod-ranges-disjoint",
    description="Pod and service ranges of the declared clusters do not overlap.",
    reference="https://istio.io/latest/docs/ops/deployment/deployment-models/#single-network",
    run=_check,
)
