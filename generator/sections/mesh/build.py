"""Mesh defaults: the spec's ``mesh`` part -> :class:`Mesh`. Defaults are written here
once; a spec that leaves the section out gets them all."""

from __future__ import annotations

from typing import Any

from generator.durations import parse_ms
from generator.sections.mesh import names
from generator.sections.mesh.model import (
    Caller,
    Canary,
    ConnectionPool,
    IngressGateway,
    Istio,
    Mesh,
    OutlierDetection,
    Retries,
)

ISTIO_VERSION = "1.31.1"
"""A supported release (1.31: August 2026, Kubernetes 1.32 to 1.36); see release.py."""
ISTIO_API = "networking.istio.io/v1"
# Where Argo CD fetches Istio's Helm charts: set mesh.istio.helmRepo to Istio's official chart
# repository or to your mirror of it; the default is a placeholder that names no real host.
ISTIO_HELM_REPO = "https://charts.example.com/istio"
ISTIO_NAMESPACE = "istio-system"
GATEWAY_SELECTOR = {"istio": "ingressgateway"}  # the gateway chart's label for this release
TIMEOUT, PER_TRY, CONNECT = "5s", "1500ms", "1s"
PEER_CIDRS = ("10.0.0.0/8",)
"""Where the clusters' pods live by default (GKE VPC-native ranges are private 10/8
addresses): set mesh.peerCIDRs to the clusters' pod ranges to narrow it."""


def _canary(raw: dict[str, Any] | None) -> Canary | None:
    if raw is None:
        return None
    return Canary(version=raw["version"], promoted=tuple(raw.get("promotedRegions", [])))


def mesh(raw: dict[str, Any], service: str) -> Mesh:
    istio = raw.get("istio", {})
    gateway = raw.get("gateway", {})
    route = raw.get("route", {})
    retries = route.get("retries", {})
    pool = raw.get("connectionPool", {})
    outlier = raw.get("outlierDetection", {})
    return Mesh(
        istio=Istio(
            version=istio.get("version", ISTIO_VERSION),
            api_version=istio.get("apiVersion", ISTIO_API),
            helm_repo=istio.get("helmRepo", ISTIO_HELM_REPO),
            namespace=istio.get("namespace", ISTIO_NAMESPACE),
            mesh_id=istio.get("meshID", names.default_mesh_id(service)),
            network=istio.get("network", "shared"),
            canary=_canary(istio.get("canary")),
        ),
        hostnames=tuple(raw.get("hostnames", [names.default_hostname(service)])),
        gateway=IngressGateway(
            namespace=gateway.get("namespace", ISTIO_NAMESPACE),
            selector=tuple(sorted(gateway.get("selector", GATEWAY_SELECTOR).items())),
            credential_name=gateway.get("credentialName", names.default_credential_name(service)),
        ),
        timeout_ms=parse_ms(route.get("timeout", TIMEOUT)),
        retries=Retries(
            attempts=retries.get("attempts", 2),
            per_try_timeout_ms=parse_ms(retries.get("perTryTimeout", PER_TRY)),
            retry_on=retries.get("retryOn", "connect-failure,refused-stream,unavailable,reset,503"),
        ),
        connection_pool=ConnectionPool(
            max_connections=pool.get("maxConnections", 1000),
            connect_timeout_ms=parse_ms(pool.get("connectTimeout", CONNECT)),
            http1_max_pending_requests=pool.get("http1MaxPendingRequests", 1000),
            http2_max_requests=pool.get("http2MaxRequests", 1000),
            max_requests_per_connection=pool.get("maxRequestsPerConnection", 0),
            max_retries=pool.get("maxRetries", 3),
        ),
        outlier_detection=OutlierDetection(
            consecutive_5xx_errors=outlier.get("consecutive5xxErrors", 5),
            consecutive_gateway_errors=outlier.get("consecutiveGatewayErrors", 3),
            interval_ms=parse_ms(outlier.get("interval", "10s")),
            base_ejection_time_ms=parse_ms(outlier.get("baseEjectionTime", "30s")),
            max_ejection_percent=outlier.get("maxEjectionPercent", 100),
        ),
        callers=tuple(
            Caller(namespace=c["namespace"], service_account=c.get("serviceAccount"))
            for c in raw.get("callers", [])
        ),
        peer_cidrs=tuple(raw.get("peerCIDRs", PEER_CIDRS)),
    )
