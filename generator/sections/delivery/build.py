"""Delivery defaults: the spec's ``delivery`` part -> :class:`Delivery`."""

from __future__ import annotations

from typing import Any

from generator.sections.core.model import Region
from generator.sections.delivery.model import Delivery, Rollout

REPO_URL = "https://git.example.com/platform/deploy.git"
ARGOCD_NAMESPACE = "argocd"


MAX_UPDATE = 1


def default_steps(regions: tuple[Region, ...], primary: Region) -> tuple[tuple[str, ...], ...]:
    """One region per step: the lowest-traffic region first (by weight, then name), the
    primary last, so a bad change meets the fewest users first."""
    others = sorted(
        (r for r in regions if r.name != primary.name), key=lambda r: (r.weight, r.name)
    )
    return (*((r.name,) for r in others), (primary.name,))


def rollout(raw: dict[str, Any], regions: tuple[Region, ...], primary: Region) -> Rollout:
    steps = raw.get("steps")
    return Rollout(
        steps=tuple(tuple(step) for step in steps) if steps else default_steps(regions, primary),
        max_update=raw.get("maxUpdate", MAX_UPDATE),
        written=bool(steps),
    )


def delivery(
    raw: dict[str, Any], service: str, regions: tuple[Region, ...], primary: Region
) -> Delivery:
    return Delivery(
        repo_url=raw.get("repoURL", REPO_URL),
        target_revision=raw.get("targetRevision", "main"),
        rendered_path=raw.get("renderedPath", "rendered"),
        namespace=raw.get("namespace", ARGOCD_NAMESPACE),
        project=raw.get("project", service),
        platform_cluster=raw.get("platformCluster", primary.cluster),
        rollout=rollout(raw.get("rollout", {}), regions, primary),
    )
