"""dns-name-served: every Route53 name is served wherever it can land.

A client that resolves a Route53 name connects to whatever cluster the answer leads to,
and after a failover (or with other weights, or from another continent) that can be any
cluster the name's records reach. There, the Istio ingress only completes the TLS
handshake when a Gateway HTTPS server lists the name (Envoy matches the SNI against the
server's hosts; no match: ``filter_chain_not_found``), and only routes the request when a
VirtualService bound to that Gateway lists it too (else 404).

References:
- Istio Gateway ``Server.hosts``: https://istio.io/latest/docs/reference/config/networking/gateway/#Server
  ("A HTTPS Gateway configuring the hosts field will perform an SNI match", istio/istio.io#9276)
- Route53 answers every record of a name's routing policy, and all of them when none is
  healthy: https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-how-route-53-chooses-records.html
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.seams import dns
from generator.seams.mesh import serving
from generator.seams.rule import Finding, SeamRule, listing
from generator.seams.tree import Tree


def _check(tree: Tree) -> Iterator[Finding]:
    addresses = dns.addresses(tree)
    for zone in dns.zones(tree):
        for name in zone.names():
            landing = zone.land(tree, name, addresses)
            record = zone.first(name)
            problems = []
            for cluster in sorted(landing.clusters):
                served = serving(tree, cluster, name)
                if not served.gateways:
                    problems.append(f"no Gateway server in {cluster} lists it")
                elif not served.routes:
                    problems.append(f"no VirtualService bound to the Gateway in {cluster} lists it")
            if problems:
                yield Finding(
                    record.document,
                    record.path,
                    f"{name} can land in {listing(sorted(landing.clusters))}, but "
                    f"{listing(problems)}: clients sent there fail the TLS "
                    "handshake or get 404",
                )
            for address in sorted(landing.unclaimed):
                yield Finding(
                    record.document,
                    record.path,
                    f"{name} leads to {address}, which no cluster of the render "
                    "claims (no Service or gateway chart pins it, and no label of "
                    "its origin record names a region)",
                )


RULE = SeamRule(
    id="dns-name-served",
    description="Every Route53 name is served (Gateway and VirtualService hosts) in every "
    "cluster it can land on, failover included.",
    reference="https://istio.io/latest/docs/reference/config/networking/gateway/#Server",
    run=_check,
)
