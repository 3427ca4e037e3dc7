"""locality-failover-multicluster: cross-cluster failover has endpoints and trust to use.

Locality failover only reorders the endpoints istiod knows. In a multi-primary mesh each
istiod knows another cluster's endpoints only through a *remote secret* for that cluster
(``istioctl create-remote-secret``: a Secret labelled ``istio/multiCluster: "true"``), and
cross-cluster mTLS only works when every cluster's CA chains to one root (``cacerts`` in
``istio-system``, or cert-manager's istio-csr). When a DestinationRule configures
``localityLbSetting.failover`` (or ``failoverPriority``) for a Service that runs in several
clusters, every cluster applying it needs a remote secret for each other such cluster
(rendered as a Secret or as the ExternalSecret that produces one) and a shared root of
trust (a ``cacerts`` Secret, ExternalSecret or cert-manager Certificate, or an istio-csr
chart). Without them, failover has nowhere to go and is a silent no-op.

References:
- https://istio.io/latest/docs/setup/install/multicluster/multi-primary/ ("Enable Endpoint
  Discovery: install a remote secret in cluster2 that provides access to cluster1's API server")
- https://istio.io/latest/docs/setup/install/multicluster/before-you-begin/#configure-trust
- https://istio.io/latest/docs/tasks/traffic-management/locality-load-balancing/failover/
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.seams.mesh import ISTIO_NETWORKING, ROOT_NAMESPACE
from generator.seams.rule import Finding, SeamRule, at, listing
from generator.seams.tree import Obj, Tree, items, mapping, text

MULTICLUSTER_LABEL = "istio/multiCluster"
CLUSTER_ANNOTATION = "networking.istio.io/cluster"
EXTERNAL_SECRETS = "external-secrets.io"
_LB = ("spec", "trafficPolicy", "loadBalancer", "localityLbSetting")


def _fails_over(rule: Obj) -> bool:
    setting = mapping(
        mapping(mapping(rule.spec.get("trafficPolicy")).get("loadBalancer")).get(
            "localityLbSetting"
        )
    )
    return setting.get("enabled") is not False and bool(
        items(setting.get("failover")) or items(setting.get("failoverPriority"))
    )


def _service_clusters(tree: Tree, host: str, namespace: str) -> set[str]:
    name, _, rest = host.partition(".")
    service_namespace = rest.split(".")[0] if rest else namespace
    return {
        s.cluster
        for s in tree.placed_of_kind("", "Service")
        if s.cluster and s.name == name and s.namespace == service_namespace
    }


def _remote_peers(tree: Tree, cluster: str) -> set[str]:
    """Clusters whose API server a cluster's istiod can reach through remote secrets."""
    out: set[str] = set()
    for secret in tree.in_cluster(cluster, "", "Secret"):
        if text(secret.labels.get(MULTICLUSTER_LABEL)) == "true":
            out.add(text(secret.annotations.get(CLUSTER_ANNOTATION)))
            out |= set(mapping(secret.data.get("stringData"))) | set(
                mapping(secret.data.get("data"))
            )
    for external in tree.in_cluster(cluster, EXTERNAL_SECRETS, "ExternalSecret"):
        target = mapping(external.spec.get("target"))
        template = mapping(mapping(target.get("template")).get("metadata"))
        if text(mapping(template.get("labels")).get(MULTICLUSTER_LABEL)) != "true":
            continue
        out.add(text(mapping(template.get("annotations")).get(CLUSTER_ANNOTATION)))
        out |= {text(mapping(d).get("secretKey")) for d in items(external.spec.get("data"))}
    return out - {""}


def _trusted(tree: Tree, cluster: str) -> bool:
    """Whether the cluster's CA gets its certificate from a shared root."""
    for obj in tree.in_cluster(cluster):
        if obj.namespace != ROOT_NAMESPACE:
            continue
        if obj.kind == "Secret" and obj.group == "" and obj.name == "cacerts":
            return True
        if (
            obj.kind == "ExternalSecret"
            and obj.group == EXTERNAL_SECRETS
            and (text(mapping(obj.spec.get("target")).get("name")) or obj.name) == "cacerts"
        ):
            return True
        if (
            obj.kind == "Certificate"
            and obj.group == "cert-manager.io"
            and obj.spec.get("secretName") == "cacerts"
        ):
            return True
    for placement in tree.placements:
        charts = [
            text(mapping(s).get("chart"))
            for s in [placement.app.spec.get("source"), *items(placement.app.spec.get("sources"))]
        ]
        if placement.cluster == cluster and any("istio-csr" in c for c in charts):
            return True
    return False


def _check(tree: Tree) -> Iterator[Finding]:
    by_source: dict[tuple[str, int], list[Obj]] = {}
    for rule in tree.placed_of_kind(ISTIO_NETWORKING, "DestinationRule"):
        if rule.cluster and _fails_over(rule):
            by_source.setdefault((rule.doc.file, rule.doc.index), []).append(rule)
    for rules in by_source.values():
        first = rules[0]
        peers = _service_clusters(tree, text(first.spec.get("host")), first.namespace)
        if len(peers) < 2:
            continue
        clusters = sorted({r.cluster or "" for r in rules})
        lacking = {c: sorted(peers - {c} - _remote_peers(tree, c)) for c in clusters}
        untrusted = [c for c in clusters if not _trusted(tree, c)]
        problems = []
        if all(missing == sorted(peers - {c}) for c, missing in lacking.items()):
            problems.append(
                f"no remote secret for another cluster is rendered in {listing(clusters)}"
            )
        else:
            problems += [
                f"{c} has no remote secret for {listing(missing)}"
                for c, missing in lacking.items()
                if missing
            ]
        if untrusted:
            problems.append(
                f"no shared root of trust (cacerts or istio-csr) is rendered in "
                f"{listing(untrusted)}"
            )
        if problems:
            setting = mapping(
                mapping(mapping(first.spec.get("trafficPolicy")).get("loadBalancer")).get(
                    "localityLbSetting"
                )
            )
            key = "failover" if items(setting.get("failover")) else "failoverPriority"
            yield at(
                first,
                (*_LB, key),
                f"locality failover for {text(first.spec.get('host'))} across "
                f"{listing(sorted(peers))} needs endpoint discovery and shared trust, "
                f"but {listing(problems)}: each istiod only knows its own cluster's "
                "endpoints, so failover has nowhere to go",
            )


RULE = SeamRule(
    id="locality-failover-multicluster",
    description="Locality failover across clusters only with remote secrets (endpoint "
    "discovery) and a shared root of trust rendered in every cluster.",
    reference="https://istio.io/latest/docs/setup/install/multicluster/multi-primary/",
    run=_check,
)
