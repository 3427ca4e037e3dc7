"""managed-cert-dns: a Google-managed certificate's names resolve to its load balancer.

Google provisions a managed SSL certificate only after every domain on it resolves (A/AAAA)
to the IP address of a load balancer that serves the certificate; until then it stays
``PROVISIONING`` (then ``FAILED_NOT_VISIBLE``) and the HTTPS proxy has no certificate. So a
managed-certificate domain must not be a name that Route53 answers with something else
(the Istio origins, other regions): its Route53 records, if any, must be plain A/AAAA
records whose values are the load balancer's own address (a ComputeAddress of the
forwarding rule that serves the certificate, with its ``address`` pinned in the render).

References:
- https://cloud.google.com/load-balancing/docs/ssl-certificates/google-managed-certs#update-dns
- https://cloud.google.com/load-balancing/docs/ssl-certificates/troubleshooting#domain-status
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.seams import dns
from generator.seams.rule import Finding, SeamRule, at
from generator.seams.tree import Obj, Tree, items, mapping, text

COMPUTE = "compute.cnrm.cloud.google.com"


def _serves(proxy: Obj, cert: Obj) -> bool:
    for ref in map(mapping, items(proxy.spec.get("sslCertificates"))):
        if text(ref.get("name")) == cert.name or text(ref.get("external")).rsplit("/", 1)[-1] == (
            text(cert.spec.get("resourceID")) or cert.name
        ):
            return True
    return False


def lb_addresses(tree: Tree, cert: Obj) -> set[str]:
    """Pinned addresses of the forwarding rules whose proxy serves ``cert``."""
    proxies = {
        (p.namespace, p.name)
        for p in tree.of_kind(COMPUTE, "ComputeTargetHTTPSProxy")
        if _serves(p, cert)
    }
    out = set()
    for rule in tree.of_kind(COMPUTE, "ComputeForwardingRule"):
        target = mapping(mapping(rule.spec.get("target")).get("targetHTTPSProxyRef"))
        namespace = text(target.get("namespace")) or rule.namespace
        if (namespace, text(target.get("name"))) not in proxies:
            continue
        ip = mapping(rule.spec.get("ipAddress"))
        ref = mapping(ip.get("addressRef"))
        if ref:
            found = tree.get(
                COMPUTE,
                "ComputeAddress",
                text(ref.get("namespace")) or rule.namespace,
                text(ref.get("name")),
            )
            out |= {text(a.spec.get("address")) for a in found}
        else:
            out.add(text(ip.get("ip")))
    return out - {""}


def _check(tree: Tree) -> Iterator[Finding]:
    zones = dns.zones(tree)
    for cert in tree.of_kind(COMPUTE, "ComputeManagedSSLCertificate"):
        own = lb_addresses(tree, cert)
        domains = items(mapping(cert.spec.get("managed")).get("domains"))
        for i, domain in enumerate(domains):
            name = dns.fqdn(text(domain))
            other = sorted(
                {
                    f"an alias to {r.alias}" if r.alias else f"{r.type} {', '.join(r.values)}"
                    for zone in zones
                    for r in zone.records
                    if r.name == name and (r.alias or r.type == "CNAME" or not set(r.values) <= own)
                }
            )
            if other:
                shown = other[0] if len(other) == 1 else f"{other[0]} (and {len(other) - 1} more)"
                yield at(
                    cert,
                    ("spec", "managed", "domains", i),
                    f"{name} is on a Google-managed certificate, but Route53 answers it "
                    f"with {shown}, not with the load balancer's address: the "
                    "certificate never provisions and the HTTPS proxy cannot serve",
                )


RULE = SeamRule(
    id="managed-cert-dns",
    description="Managed-certificate domains are not names Route53 answers with anything but "
    "the load balancer that presents the certificate.",
    reference="https://cloud.google.com/load-balancing/docs/ssl-certificates/"
    "google-managed-certs#update-dns",
    run=_check,
)
