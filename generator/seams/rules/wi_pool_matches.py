"""wi-pool-matches: Workload Identity members use the workload pool of the cluster they run in.

A Kubernetes service account authenticates to Google as
``serviceAccount:<workload pool>[<namespace>/<ksa>]``, where the pool is the cluster's
``workloadIdentityConfig.workloadPool`` (``<project>.svc.id.goog``). An IAM binding for a
member in another pool (another project, a typo) grants nothing: the pod gets 403. For
every Config Connector IAM member (IAMPolicyMember, IAMPartialPolicy and IAMPolicy
bindings) of that form, each cluster where that namespace/service account is rendered
must declare (as a ContainerCluster) Workload Identity with the same pool. Clusters the
render does not declare have nothing to check.

Reference: https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from generator.seams.clusters import container_clusters
from generator.seams.rule import Finding, SeamRule, at, listing
from generator.seams.tree import Obj, Tree, items, mapping, text

IAM = "iam.cnrm.cloud.google.com"
MEMBER = re.compile(r"serviceAccount:([^\[\]]+)\[([^/\]]+)/([^\]]+)\]$")


def members(tree: Tree) -> Iterator[tuple[Obj, tuple[str | int, ...], str]]:
    """(object, path, member) of every IAM member string in Config Connector IAM objects."""
    for obj in tree.of_kind(IAM, "IAMPolicyMember"):
        yield obj, ("spec", "member"), text(obj.spec.get("member"))
    for kind in ("IAMPartialPolicy", "IAMPolicy"):
        for obj in tree.of_kind(IAM, kind):
            for b, binding in enumerate(items(obj.spec.get("bindings"))):
                for m, member in enumerate(items(mapping(binding).get("members"))):
                    value = (
                        text(mapping(member).get("member"))
                        if isinstance(member, dict)
                        else text(member)
                    )
                    yield obj, ("spec", "bindings", b, "members", m), value


def _check(tree: Tree) -> Iterator[Finding]:
    declared = container_clusters(tree)
    for obj, path, member in members(tree):
        found = MEMBER.match(member)
        if not found:
            continue
        pool, namespace, account = found.groups()
        wrong = []
        for cluster in tree.clusters:
            if cluster not in declared or not any(
                a.name == account and a.namespace == namespace
                for a in tree.in_cluster(cluster, "", "ServiceAccount")
            ):
                continue
            config = mapping(declared[cluster].spec.get("workloadIdentityConfig"))
            actual = text(config.get("workloadPool"))
            if actual != pool:
                wrong.append(f"{cluster} ({actual or 'no workload pool'})")
        if wrong:
            yield at(
                obj,
                path,
                f"{member} uses workload pool {pool}, but {namespace}/{account} runs in "
                f"{listing(wrong)}: the binding grants nothing and the pod gets 403",
            )


RULE = SeamRule(
    id="wi-pool-matches",
    description="Every Workload Identity member's pool is the workload pool of the cluster "
    "where its service account runs.",
    reference="https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity",
    run=_check,
)
