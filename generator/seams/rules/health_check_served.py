"""health-check-served: Route53 health checks reach a server that answers them.

A Route53 HTTPS health check connects to the checked name's address, sends the
FullyQualifiedDomainName as the TLS SNI when ``EnableSNI`` is set (no SNI otherwise), and
sends it as the HTTP ``Host`` (``name:port`` on a port other than 80/443). The Istio
ingress must therefore have a Gateway server on that port and protocol whose hosts match
the SNI (``*`` when there is none) and the Host, and a VirtualService bound to it that lists
the Host and routes the ResourcePath somewhere other than an error ``directResponse``.
A check that can never pass makes Route53 treat the record as unhealthy, and when every
record is unhealthy, Route53 answers all of them: DNS failover silently never happens.

References:
- https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html
  (FullyQualifiedDomainName is the Host header; EnableSNI sends it in the client_hello)
- https://istio.io/latest/docs/reference/config/networking/gateway/#Server
- https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from generator.seams import dns
from generator.seams.mesh import ISTIO_NETWORKING, binds, server_lists, serves_traffic, vs_lists
from generator.seams.rule import Finding, SeamRule, listing
from generator.seams.tree import Obj, Tree, items, mapping, text

_TLS = {"HTTPS", "TLS"}


def _path_matches(match: dict[str, Any], path: str) -> bool:
    uri = mapping(match.get("uri"))
    if not uri:
        return True
    if "exact" in uri:
        return path == str(uri["exact"])
    if "prefix" in uri:
        return path.startswith(str(uri["prefix"]))
    if "regex" in uri:
        return re.fullmatch(str(uri["regex"]), path) is not None
    return True  # no uri matcher: any path


def _routes_path(vs: Obj, path: str) -> bool:
    """Whether the first HTTP route matching ``path`` does not answer with an error."""
    for route in items(vs.spec.get("http")):
        route = mapping(route)
        matchers = [mapping(m) for m in items(route.get("match"))]
        if matchers and not any(_path_matches(m, path) for m in matchers):
            continue
        status = mapping(route.get("directResponse")).get("status")
        return not (isinstance(status, int) and status >= 400)
    return False


def _reason(tree: Tree, cluster: str, check: dns.HealthCheck) -> str:
    https = "HTTPS" in check.type
    sni = check.fqdn if https and check.sni and check.fqdn else ""
    host = check.fqdn or check.ip
    if check.port not in (80, 443) and check.fqdn:
        host = f"{check.fqdn}:{check.port}"
    gateways = tree.in_cluster(cluster, ISTIO_NETWORKING, "Gateway")
    servers = [
        (g, mapping(s))
        for g in gateways
        for s in items(g.spec.get("servers"))
        if mapping(mapping(s).get("port")).get("number") == check.port
    ]
    if https:
        servers = [
            (g, s)
            for g, s in servers
            if text(mapping(s.get("port")).get("protocol")).upper() in _TLS
            and server_lists(s, g, sni or "*", None)
        ]  # no SNI: only a "*" host
        if not servers:
            shown = f"SNI {sni}" if sni else "connections without SNI"
            return f"no Gateway HTTPS server on port {check.port} in {cluster} accepts {shown}"
    else:
        servers = [
            (g, s)
            for g, s in servers
            if serves_traffic(s) and server_lists(s, g, check.fqdn or "*", None)
        ]
        if not servers:
            return f"no Gateway HTTP server on port {check.port} in {cluster} lists {host}"
    bound = [
        vs
        for vs in tree.in_cluster(cluster, ISTIO_NETWORKING, "VirtualService")
        if vs_lists(vs, host.split(":")[0]) and any(binds(vs, g) for g, _ in servers)
    ]
    if not bound:
        return f"no VirtualService bound to that Gateway in {cluster} lists Host {host}"
    if not any(_routes_path(vs, check.resource_path) for vs in bound):
        return f"no VirtualService in {cluster} routes {check.resource_path} for {host}"
    return ""


def _check(tree: Tree) -> Iterator[Finding]:
    zone = dns.union(dns.zones(tree))
    addresses = dns.addresses(tree)
    for check in dns.health_checks(tree):
        if "HTTP" not in check.type:
            continue  # TCP and calculated checks have no host to serve
        if check.ip:
            cluster = addresses.get(check.ip)
            landing = dns.Landing({cluster} if cluster else set(), set() if cluster else {check.ip})
        else:
            landing = zone.land(tree, check.fqdn, addresses)
        target = check.fqdn or check.ip
        reasons = [r for c in sorted(landing.clusters) if (r := _reason(tree, c, check))]
        if reasons:
            yield Finding(
                check.document,
                check.path,
                f"the {check.type} health check of {target}{check.resource_path} "
                f"can never pass: {listing(reasons)}; Route53 then treats the "
                "record as unhealthy and DNS failover does not work",
            )
        if not landing.clusters:
            yield Finding(
                check.document,
                check.path,
                f"the health check target {target} does not lead to any cluster "
                "of the render, so nothing shows what answers it",
            )


RULE = SeamRule(
    id="health-check-served",
    description="Route53 health checks connect with an SNI and Host the Gateway serves and a "
    "VirtualService routes to the health path.",
    reference="https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html",
    run=_check,
)
