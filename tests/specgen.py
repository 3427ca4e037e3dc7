"""Generated specs: valid spec data and YAML text with any number of regions.

Used by the property tests (``tests.strategies`` draws the region rows with hypothesis)
and by ``benchmarks/bench.py`` (``deterministic_spec`` builds a fixed n-region spec).
Every section of the example spec other than ``regions`` is carried over, so a spec
section another output kind adds to the example spec is covered automatically.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml

from tests.conftest import example_spec_data


@dataclass(frozen=True)
class RegionRow:
    """One generated region, as the spec writes it."""

    name: str
    role: str
    cluster: str
    provider: str
    aws: str
    gcp: str
    min_replicas: int
    max_replicas: int
    weight: int
    latency_ms: int
    failover: tuple[str, ...] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    """Further per-region fields a later section needs (copied into the region as-is)."""

    def as_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "role": self.role,
            "cluster": {"name": self.cluster, "provider": self.provider},
            "location": {"aws": self.aws, "gcp": self.gcp},
            "replicas": {"min": self.min_replicas, "max": self.max_replicas},
            "weight": self.weight,
            "latencyTargetMs": self.latency_ms,
        }
        if self.failover is not None:
            data["failover"] = list(self.failover)
        data.update(copy.deepcopy(self.extra))
        return data


def _example() -> dict[str, Any]:
    return example_spec_data()  # already a fresh copy


def example_data() -> dict[str, Any]:
    """The example spec as plain data (YAML 1.2 rules, as mrgen reads it); a fresh copy."""
    return _example()


RegionAdapter = Callable[[Any, Sequence[RegionRow]], Any]

# LEAD: sections of the example spec that name regions (as mapping keys or in values)
# cannot be copied verbatim into a spec whose regions are generated. Register an adapter
# here that rewrites the example's section for the generated regions (return None to
# leave the section out), e.g.
#     REGION_KEYED["replication"] = lambda section, regions: {... regions[0].name ...}
# Every other top-level section is copied unchanged by carried_sections().
REGION_KEYED: dict[str, RegionAdapter] = {}

_GSA_MAX, _CRONJOB_MAX, _LABEL_MAX = 30, 52, 63


def _primary(regions: Sequence[RegionRow]) -> RegionRow:
    return next(r for r in regions if r.role == "primary")


def _replication(section: Any, regions: Sequence[RegionRow]) -> Any:
    """Replication needs two or more GKE regions and names that fit its derived names
    (Google service accounts `fpsa-<region>`: 6 to 30 characters; `<primary>-model-sync`
    <= 52); otherwise the generated spec leaves the section out."""
    if len(regions) < 2 or any(r.provider != "gke" for r in regions):
        return None
    if any(
        len(f"fpsa-{r.name}") > _GSA_MAX
        or len(f"{r.name}-cache-invalidation") > _LABEL_MAX
        or len(f"m-{r.name}") > _LABEL_MAX
        for r in regions
    ):
        return None
    if len(f"{_primary(regions).name}-model-sync") > _CRONJOB_MAX:
        return None
    return {**section, "bucketPrefix": "m", "serviceAccountPrefix": "fpsa"}


def _monitoring(section: Any, regions: Sequence[RegionRow]) -> Any:
    """Every region's latency target must be a histogram bucket, with one above it."""
    targets = {Decimal(r.latency_ms) / 1000 for r in regions}
    buckets = {Decimal(str(b)) for b in section["buckets"]} | targets
    buckets.add(max(buckets) * 2)
    return {**section, "buckets": [float(b) for b in sorted(buckets)]}


def _mesh(section: Any, regions: Sequence[RegionRow]) -> Any:
    """Timeouts at least twice the slowest region's latency target (with the retries inside
    the timeout), and a per-cluster network when the clusters span clouds."""
    slowest = max(r.latency_ms for r in regions)
    per_try = max(1500, 2 * slowest)
    attempts = section["route"]["retries"]["attempts"]
    route = {
        **section["route"],
        "timeout": f"{max(5000, (attempts + 1) * per_try)}ms",
        "retries": {**section["route"]["retries"], "perTryTimeout": f"{per_try}ms"},
    }
    istio = dict(section["istio"])
    if len({r.provider for r in regions}) > 1:
        istio["network"] = "perCluster"
    return {**section, "route": route, "istio": istio}


def _global_routing(section: Any, regions: Sequence[RegionRow]) -> Any:
    """Geography to the primary, one origin and health-check id per region, and GCLB only
    when every cluster is on GKE (zonal NEGs)."""
    primary = _primary(regions).name
    out = {**section, "geography": {"NA": primary, "*": primary}}
    out["route53"] = {
        **section["route53"],
        "origins": {r.name: f"203.0.113.{i + 1}" for i, r in enumerate(regions)},
        "healthCheckIds": {
            r.name: f"{i + 1:08d}-0000-4000-8000-000000000000" for i, r in enumerate(regions)
        },
    }
    if all(r.provider == "gke" for r in regions):
        out["gclb"] = {**section["gclb"], "negZones": {r.name: [f"{r.gcp}-a"] for r in regions}}
    else:
        out.pop("gclb", None)
        out["providers"] = [p for p in section["providers"] if p != "gclb"]
    return out


REGION_KEYED.update(
    replication=_replication, monitoring=_monitoring, mesh=_mesh, globalRouting=_global_routing
)


def carried_sections(regions: Sequence[RegionRow]) -> dict[str, Any]:
    """Every top-level section of the example spec except ``regions``, in file order:
    region-independent ones copied, region-keyed ones adapted (see REGION_KEYED)."""
    out: dict[str, Any] = {}
    for key, value in example_data().items():
        if key == "regions":
            continue
        if key in REGION_KEYED:
            adapted = REGION_KEYED[key](value, regions)
            if adapted is not None:
                out[key] = adapted
        else:
            out[key] = value
    return out


def spec_data(regions: Sequence[RegionRow], env: dict[str, str] | None = None) -> dict[str, Any]:
    """A full spec: the carried sections plus ``regions`` (and optional service env)."""
    data = carried_sections(regions)
    if env is not None:
        data["service"] = {**data["service"], "env": dict(env)}
    data["regions"] = [r.as_data() for r in regions]
    return data


class _SpecDumper(yaml.SafeDumper):
    """Escapes the line breaks PyYAML otherwise writes raw (and then reads as spaces)."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if any(c in value for c in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_SpecDumper.add_representer(str, _str)


def to_yaml(data: Any) -> str:
    """YAML text mrgen reads back as ``data`` (strings YAML 1.1 would misread are quoted)."""
    return yaml.dump(
        data,
        Dumper=_SpecDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


_WORDS = ("north", "south", "east", "west", "central", "northeast", "southeast", "mid")
_COUNTRIES = ("us", "eu", "ap", "ca", "sa", "me", "af", "il")


def deterministic_regions(count: int) -> list[RegionRow]:
    """``count`` plausible regions: the first primary, weights summing to 100, each failing
    over to the next two (a fixed layout for benchmarks and smoke tests)."""
    names = [f"{_COUNTRIES[i % 8]}-{_WORDS[(i // 8) % 8]}-{i + 1}" for i in range(count)]
    base, rest = divmod(100, count)
    rows = []
    for i, name in enumerate(names):
        others = [names[(i + k) % count] for k in (1, 2) if (i + k) % count != i]
        rows.append(
            RegionRow(
                name=name,
                role="primary" if i == 0 else ("secondary" if i % 2 else "tertiary"),
                cluster=f"{name}-gke",
                provider="gke" if i % 3 else "eks",
                aws=f"{_COUNTRIES[i % 8]}-{_WORDS[(i // 8) % 8]}-{i + 1}",
                gcp=f"{_WORDS[i % 8]}-{_WORDS[(i // 8) % 8]}{i + 1}",
                min_replicas=2 + i % 3,
                max_replicas=10 + i,
                weight=base + (1 if i < rest else 0),
                latency_ms=(100, 150, 200, 250)[i % 4],  # a realistic, bounded set of targets
                failover=tuple(dict.fromkeys(others)),
            )
        )
    return rows


def deterministic_spec(count: int) -> str:
    """The YAML text of a valid ``count``-region spec."""
    return to_yaml(spec_data(deterministic_regions(count)))
