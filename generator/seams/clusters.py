"""Clusters the render declares: Argo CD cluster Secrets and Config Connector ContainerClusters.

A ContainerCluster declares a GKE cluster (its workload pool, its pod and service ranges);
an Argo CD cluster Secret registers a cluster as a destination. Both are matched to the
cluster names Applications use by name (``metadata.name``, ``spec.resourceID``, or the
Secret's ``name`` value).

References:
- https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#clusters
- https://cloud.google.com/config-connector/docs/reference/resource-docs/container/containercluster
"""

from __future__ import annotations

from generator.seams import appset
from generator.seams.placement import IN_CLUSTER_SERVER
from generator.seams.tree import Obj, Tree, text

CONTAINER = "container.cnrm.cloud.google.com"


def container_clusters(tree: Tree) -> dict[str, Obj]:
    """Cluster name -> its ContainerCluster (by metadata.name and by resourceID)."""
    out = {}
    for cluster in tree.of_kind(CONTAINER, "ContainerCluster"):
        out[cluster.name] = cluster
        if text(cluster.spec.get("resourceID")):
            out[text(cluster.spec["resourceID"])] = cluster
    return out


def declared(tree: Tree) -> tuple[set[str], set[str]]:
    """(names, servers) of the clusters the render declares, without the implicit
    in-cluster destination."""
    names, servers = set(container_clusters(tree)), set()
    for secret in appset.cluster_secrets(tree):
        names.add(appset.secret_value(secret, "name") or secret.name)
        servers.add(appset.secret_value(secret, "server"))
    return names - {""}, servers - {""}


IMPLICIT = ({"in-cluster"}, {IN_CLUSTER_SERVER})
