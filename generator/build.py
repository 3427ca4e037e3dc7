"""Raw spec data -> :class:`generator.model.Spec`: defaults plus the semantic checks
that JSON Schema cannot express. All problems are reported together."""

from __future__ import annotations

import re
from typing import Any

from generator import build_replication, naming
from generator.build_delivery import build_delivery
from generator.build_global import build_global, check_global
from generator.build_mesh import build_mesh, check_mesh
from generator.build_monitoring import build_monitoring, check_monitoring
from generator.errors import Diagnostic, MrgenError
from generator.loader import LoadedSpec
from generator.model import ROLE_RANK, Health, Region, Resources, Service, Spec
from generator.schema import validate_schema

_DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
RESERVED_ENV = frozenset({"REGION", "SERVICE_NAME", "POD_NAME", "POD_NAMESPACE"})


def _service(raw: dict[str, Any]) -> Service:
    health = raw["health"]
    resources = raw["resources"]
    limits = resources.get("limits", {})
    return Service(
        name=raw["name"],
        namespace=raw["namespace"],
        image=raw["image"],
        port=raw["port"],
        health=Health(
            liveness=health["liveness"],
            readiness=health["readiness"],
            startup=health.get("startup", health["liveness"]),
            startup_budget_seconds=health.get("startupBudgetSeconds", 300),
        ),
        resources=Resources(
            cpu_request=resources["requests"]["cpu"],
            memory_request=resources["requests"]["memory"],
            cpu_limit=limits.get("cpu"),
            memory_limit=limits.get("memory"),
        ),
        target_cpu_utilization=raw.get("autoscaling", {}).get("targetCPUUtilization", 70),
        max_unavailable=raw.get("maxUnavailable", 1),
        env=tuple(sorted(raw.get("env", {}).items())),
    )


def _default_order(raw_regions: list[dict[str, Any]]) -> list[str]:
    ranked = sorted(enumerate(raw_regions), key=lambda ir: (ROLE_RANK[ir[1]["role"]], ir[0]))
    return [r["name"] for _, r in ranked]


def _regions(raw_regions: list[dict[str, Any]]) -> tuple[Region, ...]:
    order = _default_order(raw_regions)
    regions = []
    for index, raw in enumerate(raw_regions):
        listed = list(dict.fromkeys(raw.get("failover", [])))
        rest = [n for n in order if n != raw["name"] and n not in listed]
        regions.append(Region(
            index=index,
            name=raw["name"],
            role=raw["role"],
            cluster=raw["cluster"]["name"],
            provider=raw["cluster"]["provider"],
            aws_location=raw["location"]["aws"],
            gcp_location=raw["location"]["gcp"],
            min_replicas=raw["replicas"]["min"],
            max_replicas=raw["replicas"]["max"],
            weight=raw["weight"],
            latency_target_ms=raw["latencyTargetMs"],
            failover=tuple(listed + rest),
        ))
    return tuple(regions)


class _Checks:
    """Semantic checks over the raw (schema-valid) data, located in the spec."""

    def __init__(self, loaded: LoadedSpec) -> None:
        self.loaded = loaded
        self.found: list[Diagnostic] = []

    def error(self, path: tuple[str | int, ...], message: str) -> None:
        self.found.append(self.loaded.diagnostic(path, message))

    def run(self, data: dict[str, Any]) -> None:
        regions: list[dict[str, Any]] = data["regions"]
        self.roles(regions)
        self.unique(regions, ("name",), "region name")
        self.unique(regions, ("cluster", "name"), "cluster")
        self.unique(regions, ("location", "aws"), "AWS location")
        self.unique(regions, ("location", "gcp"), "GCP location")
        self.replicas(regions, data["service"])
        self.weights(regions)
        self.failover(regions)
        self.image(data["service"]["image"])
        for key in sorted(RESERVED_ENV & set(data["service"].get("env", {}))):
            self.error(("service", "env", key), f"{key} is set by mrgen; choose another name")

    def roles(self, regions: list[dict[str, Any]]) -> None:
        primaries = [i for i, r in enumerate(regions) if r["role"] == "primary"]
        if not primaries:
            self.error(("regions",), "no region has role primary; exactly one must")
        for i in primaries[1:]:
            self.error(("regions", i, "role"), f"a second primary region (regions[{primaries[0]}] "
                       "is already primary); exactly one region is primary")

    def unique(self, regions: list[dict[str, Any]], keys: tuple[str, ...], what: str) -> None:
        seen: dict[str, int] = {}
        for i, region in enumerate(regions):
            value: Any = region
            for key in keys:
                value = value[key]
            if value in seen:
                self.error(("regions", i, *keys), f"{what} {value!r} is already used by "
                           f"regions[{seen[value]}]; each region needs its own")
            else:
                seen[value] = i

    def replicas(self, regions: list[dict[str, Any]], service: dict[str, Any]) -> None:
        max_unavailable = service.get("maxUnavailable", 1)
        for i, region in enumerate(regions):
            low, high = region["replicas"]["min"], region["replicas"]["max"]
            if low > high:
                self.error(("regions", i, "replicas", "min"),
                           f"min {low} is greater than max {high}")
            if low > 1 and max_unavailable >= low:
                self.error(("service", "maxUnavailable"),
                           f"{max_unavailable} would let a drain evict every pod of "
                           f"{region['name']} (min {low} replicas); keep it below {low}")

    def weights(self, regions: list[dict[str, Any]]) -> None:
        total = sum(r["weight"] for r in regions)
        if total != 100:
            shares = " + ".join(str(r["weight"]) for r in regions)
            self.error(("regions",), f"traffic weights must sum to 100, got {shares} = {total}")

    def failover(self, regions: list[dict[str, Any]]) -> None:
        names = [r["name"] for r in regions]
        for i, region in enumerate(regions):
            seen: set[str] = set()
            for j, target in enumerate(region.get("failover", [])):
                path = ("regions", i, "failover", j)
                if target == region["name"]:
                    self.error(path, f"{target!r} cannot fail over to itself")
                elif target not in names:
                    import difflib  # only for the hint of an error

                    close = difflib.get_close_matches(target, names, n=1, cutoff=0.6)
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    self.error(path, f"{target!r} is not a region in this spec{hint}")
                elif target in seen:
                    self.error(path, f"{target!r} is listed twice")
                seen.add(target)

    def image(self, image: str) -> None:
        name, _, digest = image.partition("@")
        last = name.rsplit("/", 1)[-1]
        tag = last.partition(":")[2]
        if digest:
            if not re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
                self.error(("service", "image"), f"digest {digest!r} is not sha256:<64 hex>")
        elif not tag:
            self.error(("service", "image"), "pin the image by digest (@sha256:...) or tag; "
                       "an untagged image means :latest")
        elif tag == "latest":
            self.error(("service", "image"), "':latest' is not reproducible; pin a version "
                       "tag or a digest")


def _name_checks(spec: Spec, loaded: LoadedSpec) -> list[Diagnostic]:
    found = []
    for derived in naming.derived_names(spec):
        if len(derived.name) > derived.limit:
            found.append(loaded.diagnostic(derived.path, (
                f"derived {derived.what} {derived.name!r} is {len(derived.name)} characters; "
                f"the limit is {derived.limit}: shorten it by "
                f"{len(derived.name) - derived.limit}")))
        elif not _DNS_LABEL.match(derived.name):
            found.append(loaded.diagnostic(derived.path, (
                f"derived {derived.what} {derived.name!r} is not a DNS-1123 label")))
    return found


def build(loaded: LoadedSpec, source: str) -> Spec:
    """Validate ``loaded`` (schema, then semantics) and return the model.

    ``source`` is the spec path to name in generated headers.
    """
    problems = validate_schema(loaded)
    if problems:
        raise MrgenError(problems)
    if not isinstance(loaded.data, dict):  # the schema guarantees this; keeps mypy honest
        raise MrgenError([loaded.diagnostic((), "the spec must be a mapping")])
    checks = _Checks(loaded)
    checks.run(loaded.data)
    checks.found.extend(build_replication.check(loaded, loaded.data))
    checks.found.extend(check_mesh(loaded, loaded.data))
    checks.found.extend(check_monitoring(loaded, loaded.data))
    checks.found.extend(check_global(loaded, loaded.data))
    if checks.found:
        raise MrgenError(checks.found)
    data = loaded.data
    regions = _regions(data["regions"])
    spec = Spec(source=source, service=_service(data["service"]), regions=regions,
                replication=build_replication.replication(data),
                monitoring=build_monitoring(data),
                global_routing=build_global(data),
                mesh=build_mesh(data.get("mesh", {}), data["service"]["name"]),
                delivery=build_delivery(data.get("delivery", {}), data["service"]["name"],
                                        next(r.cluster for r in regions if r.role == "primary")))
    names = _name_checks(spec, loaded)
    if names:
        raise MrgenError(names)
    return spec
