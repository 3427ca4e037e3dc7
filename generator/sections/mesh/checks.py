"""Mesh checks on the defaulted model: timeouts against latency targets, retries within the
route timeout, ejection able to empty a region, and hostnames."""

from __future__ import annotations

from collections.abc import Iterator

from generator.durations import format_ms
from generator.errors import Path
from generator.section import Problem
from generator.sections.core.model import Core
from generator.sections.core.names import DNS_SUBDOMAIN_MAX
from generator.sections.mesh import names
from generator.sections.mesh.model import Mesh

LATENCY_MARGIN = 2
"""Timeouts must be at least this many times the slowest region's latency target."""
MIN_EJECTION_PERCENT = 50


def _at(*path: str | int) -> Path:
    return ("mesh", *path)


def _timeouts(mesh: Mesh, core: Core) -> Iterator[Problem]:
    slowest = max(core.regions, key=lambda r: r.latency_target_ms)
    target_ms = slowest.latency_target_ms
    retries, timeout = mesh.retries, mesh.timeout_ms
    worst = (retries.attempts + 1) * retries.per_try_timeout_ms
    if worst > timeout:
        yield Problem(
            _at("route", "retries", "perTryTimeout"),
            (
                f"the first call plus {retries.attempts} retries of "
                f"{format_ms(retries.per_try_timeout_ms)} each need {format_ms(worst)}, more than "
                f"the route timeout {format_ms(timeout)}: the last retry could never finish; lower "
                "attempts or perTryTimeout, or raise route.timeout"
            ),
        )
    if timeout < LATENCY_MARGIN * target_ms:
        yield Problem(
            _at("route", "timeout"),
            (
                f"{format_ms(timeout)} is not comfortably above {slowest.name}'s latency target "
                f"of {target_ms} ms: use at least {format_ms(LATENCY_MARGIN * target_ms)} so slow "
                "but healthy requests are not cut off as 504s"
            ),
        )
    if retries.attempts and retries.per_try_timeout_ms < LATENCY_MARGIN * target_ms:
        yield Problem(
            _at("route", "retries", "perTryTimeout"),
            (
                f"{format_ms(retries.per_try_timeout_ms)} is not comfortably above "
                f"{slowest.name}'s latency target of {target_ms} ms: every slow try would be "
                f"retried; use at least {format_ms(LATENCY_MARGIN * target_ms)}"
            ),
        )
    connect = mesh.connection_pool.connect_timeout_ms
    per_try = retries.per_try_timeout_ms if retries.attempts else timeout
    if connect >= per_try:
        yield Problem(
            _at("connectionPool", "connectTimeout"),
            (
                f"{format_ms(connect)} is not below the time one try may take "
                f"({format_ms(per_try)}): a slow connect would use up the whole try"
            ),
        )


def check(mesh: Mesh, core: Core) -> Iterator[Problem]:
    yield from _timeouts(mesh, core)
    if mesh.outlier_detection.max_ejection_percent < MIN_EJECTION_PERCENT:
        yield Problem(
            _at("outlierDetection", "maxEjectionPercent"),
            (
                f"{mesh.outlier_detection.max_ejection_percent}% can never eject a whole region's "
                "endpoints, so locality failover would never happen; use 100 "
                f"(at least {MIN_EJECTION_PERCENT})"
            ),
        )
    providers = sorted({r.provider for r in core.regions})
    if mesh.istio.network == "shared" and len(providers) > 1:
        yield Problem(
            _at("istio", "network"),
            (
                f"clusters on {' and '.join(providers)} cannot share one flat network; "
                "use perCluster"
            ),
        )
    listed = set(mesh.hostnames)
    for region in core.regions:
        derived = names.regional_hostname(mesh, region)
        if derived in listed:
            yield Problem(
                _at("hostnames", mesh.hostnames.index(derived)),
                f"{derived!r} is {region.name}'s own hostname (derived); do not list it",
            )
        if len(derived) > DNS_SUBDOMAIN_MAX:
            yield Problem(
                _at("hostnames", 0),
                f"the derived hostname {derived!r} is longer than {DNS_SUBDOMAIN_MAX} characters",
            )
