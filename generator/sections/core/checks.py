"""Core checks on the defaulted model, plus the reference rules every section shares
(an image must be pinned; a region name must be one of the spec's)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from generator.errors import Path, did_you_mean
from generator.section import Problem
from generator.sections.core.model import Core, Region, Service

RESERVED_ENV = frozenset({"REGION", "SERVICE_NAME", "POD_NAME", "POD_NAMESPACE"})
"""Environment variables mrgen sets on the API container itself."""
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


def image_problem(image: str) -> str | None:
    """Why ``image`` is not reproducibly pinned, or None when it is."""
    name, _, digest = image.partition("@")
    tag = name.rsplit("/", 1)[-1].partition(":")[2]
    if digest:
        return None if _DIGEST.fullmatch(digest) else f"digest {digest!r} is not sha256:<64 hex>"
    if not tag:
        return "pin the image by digest (@sha256:...) or tag; an untagged image means :latest"
    if tag == "latest":
        return "':latest' is not reproducible; pin a version tag or a digest"
    return None


def unknown_region(
    path: Path, name: str, regions: Sequence[Region], *, key: bool = False
) -> Problem | None:
    """The problem of a reference to a region that the spec does not define."""
    names = [r.name for r in regions]
    if name in names:
        return None
    return Problem(
        path, f"{name!r} is not a region in this spec{did_you_mean(name, names)}", key=key
    )


def _roles(regions: Sequence[Region]) -> Iterator[Problem]:
    primaries = [r for r in regions if r.role == "primary"]
    if not primaries:
        yield Problem(("regions",), "no region has role primary; exactly one must")
    for region in primaries[1:]:
        yield Problem(
            ("regions", region.index, "role"),
            (
                f"a second primary region (regions[{primaries[0].index}] is already primary); "
                "exactly one region is primary"
            ),
        )


_UNIQUE: tuple[tuple[tuple[str, ...], str, Callable[[Region], str]], ...] = (
    (("name",), "region name", lambda r: r.name),
    (("cluster", "name"), "cluster", lambda r: r.cluster),
    (("location", "aws"), "AWS location", lambda r: r.aws_location),
    (("location", "gcp"), "GCP location", lambda r: r.gcp_location),
)


def _unique(regions: Sequence[Region]) -> Iterator[Problem]:
    for keys, what, value_of in _UNIQUE:
        seen: dict[str, int] = {}
        for region in regions:
            value = value_of(region)
            if value in seen:
                yield Problem(
                    ("regions", region.index, *keys),
                    (
                        f"{what} {value!r} is already used by regions[{seen[value]}]; each region "
                        "needs its own"
                    ),
                )
            else:
                seen[value] = region.index


def _replicas(regions: Sequence[Region], service: Service) -> Iterator[Problem]:
    for region in regions:
        low, high = region.min_replicas, region.max_replicas
        if low > high:
            yield Problem(
                ("regions", region.index, "replicas", "min"),
                f"min {low} is greater than max {high}",
            )
        if low > 1 and service.max_unavailable >= low:
            yield Problem(
                ("service", "maxUnavailable"),
                (
                    f"{service.max_unavailable} would let a drain evict every pod of "
                    f"{region.name} (min {low} replicas); keep it below {low}"
                ),
            )


def _weights(regions: Sequence[Region]) -> Iterator[Problem]:
    total = sum(r.weight for r in regions)
    if total != 100:
        shares = " + ".join(str(r.weight) for r in regions)
        yield Problem(("regions",), f"traffic weights must sum to 100, got {shares} = {total}")


def _failover(regions: Sequence[Region]) -> Iterator[Problem]:
    for region in regions:
        seen: set[str] = set()
        for j, target in enumerate(region.failover_listed):
            path: Path = ("regions", region.index, "failover", j)
            if target == region.name:
                yield Problem(path, f"{target!r} cannot fail over to itself")
            elif (unknown := unknown_region(path, target, regions)) is not None:
                yield unknown
            elif target in seen:
                yield Problem(path, f"{target!r} is listed twice")
            seen.add(target)


def check(core: Core) -> Iterator[Problem]:
    regions, service = core.regions, core.service
    yield from _roles(regions)
    yield from _unique(regions)
    yield from _replicas(regions, service)
    yield from _weights(regions)
    yield from _failover(regions)
    problem = image_problem(service.image)
    if problem:
        yield Problem(("service", "image"), problem)
    for name, _ in service.env:
        if name in RESERVED_ENV:
            yield Problem(("service", "env", name), f"{name} is set by mrgen; choose another name")
