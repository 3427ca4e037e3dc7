"""The ``mesh`` section: defaults, the model, and the checks JSON Schema cannot express.

Every check names the spec field to change. Defaults are written here once; a spec that
leaves the section out gets them all.
"""

from __future__ import annotations

from typing import Any

from generator import naming
from generator.durations import format_ms, parse_ms
from generator.errors import Diagnostic
from generator.loader import LoadedSpec
from generator.model import (
    ConnectionPool,
    IngressGateway,
    Istio,
    Mesh,
    OutlierDetection,
    Retries,
)

ISTIO_VERSION = "1.24.3"
ISTIO_API = "networking.istio.io/v1"
# Where Argo CD fetches Istio's Helm charts: set mesh.istio.helmRepo to Istio's official chart
# repository or to your mirror of it; the default is a placeholder that names no real host.
ISTIO_HELM_REPO = "https://charts.example.com/istio"
ISTIO_NAMESPACE = "istio-system"
GATEWAY_SELECTOR = {"istio": "ingressgateway"}  # the gateway chart's label for this release
TIMEOUT, PER_TRY, CONNECT = "5s", "1500ms", "1s"
LATENCY_MARGIN = 2
"""Timeouts must be at least this many times the slowest region's latency target."""
MIN_EJECTION_PERCENT = 50
HOSTNAME_MAX = 253


def build_mesh(raw: dict[str, Any], service: str) -> Mesh:
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
            mesh_id=istio.get("meshID", naming.default_mesh_id(service)),
            network=istio.get("network", "shared"),
        ),
        hostnames=tuple(raw.get("hostnames", [naming.default_hostname(service)])),
        gateway=IngressGateway(
            namespace=gateway.get("namespace", ISTIO_NAMESPACE),
            selector=tuple(sorted(gateway.get("selector", GATEWAY_SELECTOR).items())),
            credential_name=gateway.get("credentialName",
                                        naming.default_credential_name(service)),
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
    )


def check_mesh(loaded: LoadedSpec, data: dict[str, Any]) -> list[Diagnostic]:
    """Semantic checks of the (schema-valid) mesh section, defaults included."""
    found: list[Diagnostic] = []

    def error(path: tuple[str | int, ...], message: str) -> None:
        found.append(loaded.diagnostic(("mesh", *path), message))

    mesh = build_mesh(data.get("mesh", {}), data["service"]["name"])
    regions: list[dict[str, Any]] = data["regions"]
    slowest = max(regions, key=lambda r: r["latencyTargetMs"])
    target_ms = slowest["latencyTargetMs"]
    retries, timeout = mesh.retries, mesh.timeout_ms
    worst = (retries.attempts + 1) * retries.per_try_timeout_ms
    if worst > timeout:
        error(("route", "retries", "perTryTimeout"), (
            f"the first call plus {retries.attempts} retries of "
            f"{format_ms(retries.per_try_timeout_ms)} each need {format_ms(worst)}, more than "
            f"the route timeout {format_ms(timeout)}: the last retry could never finish; lower "
            "attempts or perTryTimeout, or raise route.timeout"))
    if timeout < LATENCY_MARGIN * target_ms:
        error(("route", "timeout"), (
            f"{format_ms(timeout)} is not comfortably above {slowest['name']}'s latency target "
            f"of {target_ms} ms: use at least {format_ms(LATENCY_MARGIN * target_ms)} so slow "
            "but healthy requests are not cut off as 504s"))
    if retries.attempts and retries.per_try_timeout_ms < LATENCY_MARGIN * target_ms:
        error(("route", "retries", "perTryTimeout"), (
            f"{format_ms(retries.per_try_timeout_ms)} is not comfortably above "
            f"{slowest['name']}'s latency target of {target_ms} ms: every slow try would be "
            f"retried; use at least {format_ms(LATENCY_MARGIN * target_ms)}"))
    connect = mesh.connection_pool.connect_timeout_ms
    per_try = retries.per_try_timeout_ms if retries.attempts else timeout
    if connect >= per_try:
        error(("connectionPool", "connectTimeout"), (
            f"{format_ms(connect)} is not below the time one try may take "
            f"({format_ms(per_try)}): a slow connect would use up the whole try"))
    if mesh.outlier_detection.max_ejection_percent < MIN_EJECTION_PERCENT:
        error(("outlierDetection", "maxEjectionPercent"), (
            f"{mesh.outlier_detection.max_ejection_percent}% can never eject a whole region's "
            "endpoints, so locality failover would never happen; use 100 "
            f"(at least {MIN_EJECTION_PERCENT})"))
    providers = sorted({r["cluster"]["provider"] for r in regions})
    if mesh.istio.network == "shared" and len(providers) > 1:
        error(("istio", "network"), (
            f"clusters on {' and '.join(providers)} cannot share one flat network; "
            "use perCluster"))
    listed = set(mesh.hostnames)
    primary_host = mesh.hostnames[0]
    for region in regions:
        derived = f"{region['name']}.{primary_host}"
        if derived in listed:
            error(("hostnames", mesh.hostnames.index(derived)),
                  f"{derived!r} is {region['name']}'s own hostname (derived); do not list it")
        if len(derived) > HOSTNAME_MAX:
            error(("hostnames", 0), f"the derived hostname {derived!r} is longer than "
                  f"{HOSTNAME_MAX} characters")
    return found
