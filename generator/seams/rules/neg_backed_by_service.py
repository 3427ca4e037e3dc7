"""neg-backed-by-service: every NEG a backend service names is created by a GKE Service.

A standalone zonal NEG exists only when a Service in the GKE cluster of that zone carries
``cloud.google.com/neg: '{"exposed_ports": {"<port>": {"name": "<neg>"}}}'``: the NEG
controller then creates ``<neg>`` in each zone where the Service has endpoints. A backend
service that names a NEG by ``external`` reference without such a Service has no backends,
so the load balancer answers 502. The Service may be rendered as a Service object or, for
the Istio ingress gateway, through the gateway chart's ``service.annotations`` value.
When the render declares ContainerClusters, the Service must be in the cluster whose
location holds the NEG's zone.

References:
- https://cloud.google.com/kubernetes-engine/docs/how-to/standalone-neg
- Istio gateway chart values (``service.annotations``, empty by default):
  https://github.com/istio/istio/blob/master/manifests/charts/gateway/values.yaml
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from generator.seams.dns import chart_values
from generator.seams.rule import Finding, SeamRule, at, listing
from generator.seams.tree import Tree, items, mapping, text

COMPUTE = "compute.cnrm.cloud.google.com"
NEG_ANNOTATION = "cloud.google.com/neg"
_EXTERNAL = re.compile(r"(?:.*/)?zones/([^/]+)/networkEndpointGroups/([^/]+)$")


def _named(annotation: object) -> set[str]:
    try:
        data = json.loads(annotation) if isinstance(annotation, str) else annotation
    except ValueError:
        return set()
    ports = mapping(mapping(data).get("exposed_ports"))
    return {text(mapping(p).get("name")) for p in ports.values()} - {""}


def annotated(tree: Tree) -> dict[str, set[str]]:
    """NEG name -> the clusters where a Service (object or chart value) asks for it."""
    out: dict[str, set[str]] = {}
    for service in tree.placed_of_kind("", "Service"):
        for name in _named(service.annotations.get(NEG_ANNOTATION)):
            out.setdefault(name, set()).add(service.cluster or "")
    for placement in tree.placements:
        for values in chart_values(placement.app):
            annotations = mapping(mapping(values.get("service")).get("annotations"))
            for name in _named(annotations.get(NEG_ANNOTATION)):
                out.setdefault(name, set()).add(placement.cluster)
    return out


def zone_clusters(tree: Tree) -> dict[str, str]:
    """GCP location (zone or region) -> cluster name, from rendered ContainerClusters."""
    out = {}
    for cluster in tree.of_kind("container.cnrm.cloud.google.com", "ContainerCluster"):
        location = text(cluster.spec.get("location"))
        if location:
            out[location] = text(cluster.spec.get("resourceID")) or cluster.name
    return out


def _check(tree: Tree) -> Iterator[Finding]:
    asked = annotated(tree)
    locations = zone_clusters(tree)
    negs = {o.name for o in tree.of_kind(COMPUTE, "ComputeNetworkEndpointGroup")}
    for backend_service in tree.of_kind(COMPUTE, "ComputeBackendService"):
        wanted: dict[str, list[tuple[int, str]]] = {}
        for i, backend in enumerate(items(backend_service.spec.get("backend"))):
            ref = mapping(mapping(mapping(backend).get("group")).get("networkEndpointGroupRef"))
            found = _EXTERNAL.match(text(ref.get("external")))
            if found:
                wanted.setdefault(found.group(2), []).append((i, found.group(1)))
            elif text(ref.get("name")) and text(ref.get("name")) not in negs:
                yield at(
                    backend_service,
                    ("spec", "backend", i, "group"),
                    f"no ComputeNetworkEndpointGroup {ref['name']} is rendered",
                )
        for name, uses in wanted.items():
            zones = [zone for _, zone in uses]
            clusters = asked.get(name, set())
            needed = {locations.get(z) or locations.get(z.rsplit("-", 1)[0], "") for z in zones}
            needed.discard("")
            missing = (
                sorted(c for c in needed if c not in clusters)
                if needed
                else ([] if clusters else ["any cluster"])
            )
            if missing:
                yield at(
                    backend_service,
                    ("spec", "backend", uses[0][0], "group", "networkEndpointGroupRef", "external"),
                    f"NEG {name} (zones {listing(zones)}) is never created: no Service in "
                    f"{listing([str(m) for m in missing])} carries a {NEG_ANNOTATION} "
                    "annotation naming it, so this backend service has no endpoints",
                )


RULE = SeamRule(
    id="neg-backed-by-service",
    description="Every NEG a GCP backend service names is created by a Service with the "
    "cloud.google.com/neg annotation naming it.",
    reference="https://cloud.google.com/kubernetes-engine/docs/how-to/standalone-neg",
    run=_check,
)
