"""The deletion safety valve: a pure check on a sync :class:`generator.sync.Plan`.

A render that deletes many owned files, or every file of a region's overlay, is far more
often a spec typo (a region dropped or renamed) than an intent: once committed, Argo CD
prunes the region's objects and takes the region down. ``render`` refuses such a plan
unless ``--force`` is given; ``render --check`` reports the same condition.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from generator.sections.core import names as naming
from generator.sync import RECORD, Plan

DEFAULT_MAX_DELETE_SHARE = Fraction(1, 4)


@dataclass(frozen=True)
class Refusal:
    reason: str
    paths: tuple[str, ...]
    """The owned files the plan would delete."""


def _owned_before(plan: Plan) -> list[str]:
    """The files the folder held from the previous render (without the record)."""
    kept = [*plan.unchanged, *(c.path for c in plan.changes if c.action != "create")]
    return sorted(p for p in kept if p != RECORD)


def region_outputs_removed(plan: Plan) -> dict[str, tuple[str, ...]]:
    """Regions whose whole overlay folder the plan deletes: region -> deleted files."""
    prefix = f"{naming.OVERLAYS}/"
    before: dict[str, list[str]] = {}
    for path in _owned_before(plan):
        if path.startswith(prefix):
            before.setdefault(path[len(prefix) :].split("/", 1)[0], []).append(path)
    kept = {p[len(prefix) :].split("/", 1)[0] for p in plan.new_files if p.startswith(prefix)}
    return {region: tuple(paths) for region, paths in sorted(before.items()) if region not in kept}


def check(plan: Plan, max_share: Fraction | float = DEFAULT_MAX_DELETE_SHARE) -> list[Refusal]:
    """Why ``plan`` must not be applied without --force (empty: it is safe)."""
    refusals = []
    for region, paths in region_outputs_removed(plan).items():
        refusals.append(
            Refusal(
                f"it deletes all output of region {region!r} ({naming.OVERLAYS}/{region}/): "
                "Argo CD would prune the region's workload",
                paths,
            )
        )
    owned = _owned_before(plan)
    deleted = tuple(c.path for c in plan.changes if c.action == "delete" and c.path != RECORD)
    if owned and deleted and Fraction(len(deleted), len(owned)) > Fraction(max_share):
        refusals.append(
            Refusal(
                f"it deletes {len(deleted)} of {len(owned)} rendered files "
                f"({len(deleted) / len(owned):.0%}, more than the allowed "
                f"{float(max_share):.0%})",
                deleted,
            )
        )
    return refusals
