"""Istio releases: which ones run on the Kubernetes version mrgen validates, which are past
their end of life, and how the control plane is upgraded (canary revisions).

The table is istio.io's "Supported Releases" page
(https://istio.io/latest/docs/releases/supported-releases/, data file
``istio/istio.io:data/compatibility/supportStatus.yml``) and the 1.31.0 announcement
("officially supported on Kubernetes versions 1.32 to 1.36"), as of December 2026. A
minor release is supported until six weeks after the N+2 release. Update the table (and
``build.ISTIO_VERSION``) when Istio publishes a release.

Upgrades are canaried by revision: every istiod is installed as a revision named after its
version (``1-31-1``), namespaces select the ``stable`` revision *tag*, and the next release
(``mesh.istio.canary``) runs beside the stable one until the tag is moved, region by region
(``canary.promotedRegions``). Istio supports this across at most two minor releases.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from generator import placeholders
from generator.errors import WARNING, Path
from generator.section import Problem
from generator.sections.core.checks import unknown_region
from generator.sections.core.model import Core
from generator.sections.mesh.model import Mesh

KUBERNETES_VERSION = "1.32"
"""The Kubernetes minor mrgen validates rendered objects against (``validate --rendered``
defaults to 1.32.0): every Istio release it installs must support it."""
MAX_MINOR_SKIP = 2
"""Istio's canary upgrades support moving up to two minor releases at once."""


@dataclass(frozen=True)
class IstioRelease:
    kubernetes: tuple[str, str]
    """Oldest and newest supported Kubernetes minor."""
    end_of_life: str
    supported: bool
    """Still patched on the date of the table."""


RELEASES: dict[str, IstioRelease] = {
    "1.31": IstioRelease(("1.32", "1.36"), "~Feb 2027 (expected)", True),
    "1.30": IstioRelease(("1.32", "1.36"), "~Nov 2026 (expected)", True),
    "1.29": IstioRelease(("1.31", "1.35"), "Oct 12, 2026", False),
    "1.28": IstioRelease(("1.30", "1.34"), "Jul 1, 2026", False),
    "1.27": IstioRelease(("1.29", "1.33"), "Apr 7, 2026", False),
    "1.26": IstioRelease(("1.29", "1.33"), "Dec 22, 2025", False),
    "1.25": IstioRelease(("1.29", "1.32"), "Sep 30, 2025", False),
    "1.24": IstioRelease(("1.28", "1.31"), "Jun 24, 2025", False),
    "1.23": IstioRelease(("1.27", "1.30"), "Mar 25, 2025", False),
    "1.22": IstioRelease(("1.27", "1.30"), "Jan 24, 2025", False),
}


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _key(minor: str) -> tuple[int, ...]:
    return tuple(int(p) for p in minor.split("."))


def release_problems(path: Path, version: str) -> Iterator[Problem]:
    """Is Istio ``version`` (at spec ``path``) supported on the validated Kubernetes?"""
    minor = _minor(version)
    release = RELEASES.get(minor)
    newest = max(RELEASES, key=_key)
    if release is None:
        if _key(minor) > _key(newest):
            yield Problem(
                path,
                (
                    f"Istio {minor} is newer than mrgen's compatibility table (newest {newest}): "
                    f"check that it supports Kubernetes {KUBERNETES_VERSION} before deploying"
                ),
                severity=WARNING,
            )
        else:
            yield Problem(
                path,
                (
                    f"Istio {minor} is past its end of life and does not support Kubernetes "
                    f"{KUBERNETES_VERSION}; use a supported release such as {newest}"
                ),
            )
        return
    low, high = release.kubernetes
    if not _key(low) <= _key(KUBERNETES_VERSION) <= _key(high):
        yield Problem(
            path,
            (
                f"Istio {minor} supports Kubernetes {low} to {high}, not {KUBERNETES_VERSION} "
                f"(the version mrgen validates); use a supported release such as {newest}"
            ),
        )
    elif not release.supported:
        yield Problem(
            path,
            (
                f"Istio {minor} reached its end of life on {release.end_of_life} and gets no "
                f"more security fixes; upgrade (through mesh.istio.canary) to {newest}"
            ),
            severity=WARNING,
        )


def check(mesh: Mesh, core: Core) -> Iterator[Problem]:
    istio = mesh.istio
    yield from release_problems(("mesh", "istio", "version"), istio.version)
    yield from placeholders.check(
        [
            (("mesh", "istio", "helmRepo"), istio.helm_repo),
            *((("mesh", "hostnames", i), host) for i, host in enumerate(mesh.hostnames)),
        ]
    )
    canary = istio.canary
    if canary is None:
        return
    at: Path = ("mesh", "istio", "canary", "version")
    yield from release_problems(at, canary.version)
    if canary.version == istio.version:
        yield Problem(
            at,
            f"the canary is the stable release {istio.version}: give the next "
            "release, or remove canary once every region is promoted",
        )
    elif _key(_minor(canary.version)) < _key(_minor(istio.version)):
        yield Problem(
            at,
            f"the canary {canary.version} is older than the stable release "
            f"{istio.version}: a revision canary upgrades, it never downgrades",
        )
    elif _key(_minor(canary.version))[1] - _key(_minor(istio.version))[1] > MAX_MINOR_SKIP:
        yield Problem(
            at,
            f"Istio upgrades by revision across at most {MAX_MINOR_SKIP} minor "
            f"releases; {istio.version} to {canary.version} skips more: upgrade "
            "in steps",
        )
    seen: set[str] = set()
    for index, region in enumerate(canary.promoted):
        where: Path = ("mesh", "istio", "canary", "promotedRegions", index)
        problem = unknown_region(where, region, core.regions)
        if problem:
            yield problem
        elif region in seen:
            yield Problem(where, f"region {region!r} is listed twice")
        seen.add(region)
