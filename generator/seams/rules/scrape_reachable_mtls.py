"""scrape-reachable-mtls: Prometheus can reach what it scrapes under the mesh's mTLS mode.

A pod with an Istio sidecar accepts only mutual TLS on its application ports when the
PeerAuthentication that applies to it (workload selector, then namespace, then the mesh-wide
policy in ``istio-system``) is STRICT for that port. A Prometheus outside the mesh that
scrapes such a port over plain HTTP is rejected by the sidecar: ``up`` is 0 and every
series of the job is missing. The scrape works when it targets the sidecar's own ports
(metrics merging on 15020, or Envoy's 15090), uses TLS with Istio certificates
(``scheme: https`` with a ``tlsConfig``), or the port has a PERMISSIVE/DISABLE port-level
exception. Both paths are checked: operator monitors and plain configuration jobs.

References:
- https://istio.io/latest/docs/ops/integrations/prometheus/#tls-settings ("application
  metrics ... follow whatever Istio authentication policy has been configured")
- https://istio.io/latest/docs/reference/config/security/peer_authentication/
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.seams import prom
from generator.seams.mesh import injected, mtls_mode, template_labels
from generator.seams.rule import Finding, SeamRule, listing
from generator.seams.tree import Tree


def _check(tree: Tree) -> Iterator[Finding]:
    for scrape in prom.scrapes(tree):
        if scrape.probe or (scrape.scheme == "https" and scrape.tls):
            continue
        blocked: dict[tuple[str, int, str], set[str]] = {}
        for cluster in prom.clusters(tree, scrape):
            for target in prom.pod_targets(tree, scrape, cluster):
                namespace = target.workload.namespace
                if target.port in prom.ISTIO_AGENT_PORTS or not injected(
                    tree, cluster, namespace, target.template
                ):
                    continue
                mode, source = mtls_mode(
                    tree, cluster, namespace, template_labels(target.template), target.port
                )
                if mode == "STRICT" and source is not None:
                    key = (target.workload.ref, target.port or 0, source.ref)
                    blocked.setdefault(key, set()).add(cluster)
        for (workload, port, policy), clusters in sorted(blocked.items()):
            where = f"port {port}" if port else "its port"
            yield Finding(
                scrape.document,
                scrape.path,
                f"{scrape.origin} scrapes {where} of {workload} over plain "
                f"{scrape.scheme.upper()}, but {policy} makes it STRICT mTLS in "
                f"{listing(sorted(clusters))}: the sidecar rejects the scrape and up "
                "is 0; scrape through metrics merging (:15020), with Istio "
                "certificates, or give the port a PERMISSIVE exception",
            )


RULE = SeamRule(
    id="scrape-reachable-mtls",
    description="Every scrape of a sidecar-injected pod works under the mTLS mode its "
    "PeerAuthentication sets.",
    reference="https://istio.io/latest/docs/ops/integrations/prometheus/#tls-settings",
    run=_check,
)
