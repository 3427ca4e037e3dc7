"""The core model: the service and its regions, defaults filled in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from generator.spec import CORE as CORE_NAME
from generator.spec import Always

Role = Literal["primary", "secondary", "tertiary"]
Provider = Literal["gke", "eks"]
ROLE_RANK: dict[str, int] = {"primary": 0, "secondary": 1, "tertiary": 2}
FAILOVER_TARGET_SECONDS = 300
"""The guide's region-failover target (< 5 minutes): detection, DNS caching and the mesh's
ejection must all fit in it."""


@dataclass(frozen=True)
class Resources:
    cpu_request: str
    memory_request: str
    cpu_limit: str | None
    memory_limit: str | None


@dataclass(frozen=True)
class Health:
    liveness: str
    readiness: str
    startup: str
    startup_budget_seconds: int


@dataclass(frozen=True)
class Service:
    name: str
    namespace: str
    image: str
    port: int
    health: Health
    resources: Resources
    target_cpu_utilization: int
    max_unavailable: int
    env: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Region:
    index: int
    """Position in the spec's ``regions`` list (for located problems)."""
    name: str
    role: Role
    cluster: str
    provider: Provider
    aws_location: str
    gcp_location: str
    min_replicas: int
    max_replicas: int
    weight: int
    latency_target_ms: int
    failover: tuple[str, ...]
    """Every other region, best first: the spec's order, then the rest by role."""
    failover_listed: tuple[str, ...]
    """``failover`` as the spec writes it (checked for unknown names and repeats)."""

    @property
    def locality(self) -> str:
        """The node label topology.kubernetes.io/region in this region's cluster."""
        return self.gcp_location if self.provider == "gke" else self.aws_location


@dataclass(frozen=True)
class Core:
    service: Service
    regions: tuple[Region, ...]

    @property
    def primary(self) -> Region:
        """The primary region (the first by role while the spec still lacks one: the checks
        report that, and every build stays total)."""
        return min(self.regions, key=lambda r: (ROLE_RANK[r.role], r.index))


CORE: Always[Core] = Always(CORE_NAME)


def shares(regions: Sequence[Region]) -> dict[str, Fraction]:
    """Each region's share of the traffic the given regions receive, by their weights
    (exact fractions; the weights need not sum to 100; all-zero weights share equally)."""
    total = sum(r.weight for r in regions)
    if total == 0:
        return {r.name: Fraction(1, len(regions)) for r in regions}
    return {r.name: Fraction(r.weight, total) for r in regions}
