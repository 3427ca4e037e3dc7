"""Delivery checks on the defaulted model: the rollout steps name every region exactly once,
no step updates every region at once, and the primary goes last (a warning)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from generator.errors import WARNING, Path
from generator.section import Problem
from generator.sections.core.checks import unknown_region
from generator.sections.delivery.model import Delivery
from generator.spec import Spec

_PERCENT = re.compile(r"([1-9][0-9]?|100)%")


def _at(*path: str | int) -> Path:
    return ("delivery", "rollout", *path)


def check(delivery: Delivery, spec: Spec) -> Iterator[Problem]:
    rollout = delivery.rollout
    if isinstance(rollout.max_update, str) and not _PERCENT.fullmatch(rollout.max_update):
        yield Problem(
            _at("maxUpdate"),
            f"{rollout.max_update!r} is not a share from 1% to 100% (or give a number of regions)",
        )
    if not rollout.written:
        return
    seen: dict[str, int] = {}
    for step_index, step in enumerate(rollout.steps):
        for index, region in enumerate(step):
            where = _at("steps", step_index, index)
            problem = unknown_region(where, region, spec.regions)
            if problem:
                yield problem
            elif region in seen:
                yield Problem(
                    where,
                    f"{region!r} is already in step {seen[region] + 1}: Argo "
                    "CD keeps an Application in the first step that selects it",
                )
            seen.setdefault(region, step_index)
    missing = [r.name for r in spec.regions if r.name not in seen]
    if missing:
        yield Problem(
            _at("steps"),
            f"no step holds {', '.join(missing)}: RollingSync never "
            "syncs an Application that no step selects",
        )
    everyone = {r.name for r in spec.regions}
    for step_index, step in enumerate(rollout.steps):
        if len(everyone) > 1 and set(step) >= everyone:
            yield Problem(
                _at("steps", step_index),
                "this step holds every region: a bad change would reach them all at once; split it",
            )
    primary = spec.primary.name
    last = rollout.steps[-1] if rollout.steps else ()
    if len(everyone) > 1 and primary in seen and primary not in last:
        yield Problem(
            _at("steps"),
            f"the primary region {primary} updates before the last "
            "step: put it last, after the lower-traffic regions proved the change",
            severity=WARNING,
        )
