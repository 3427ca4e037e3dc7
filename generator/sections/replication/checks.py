"""Replication checks on the defaulted model: the schedule must meet the freshness SLO,
images are pinned, every cluster offers Workload Identity, and GCP naming rules hold."""

from __future__ import annotations

from collections.abc import Iterator

from generator.errors import Path
from generator.section import Problem
from generator.sections.core.checks import image_problem
from generator.sections.core.model import Core
from generator.sections.replication import names
from generator.sections.replication.cron import CronError, cadence, freshness_bound
from generator.sections.replication.model import Replication

MODEL_ENV = frozenset({"MODEL_BUCKET", "MODEL_PATH"})
"""Set on the API container by mrgen when replication is enabled."""
GSA_ID_MIN = 6


def _at(*path: str | int) -> Path:
    return ("replication", *path)


def check(rep: Replication, core: Core) -> Iterator[Problem]:
    regions = core.regions
    if len(regions) < 2:
        yield Problem(
            _at(),
            "replication copies models from the primary region to the "
            "others; the spec has only one region",
        )
    for region in regions:
        if region.provider != "gke":
            yield Problem(
                ("regions", region.index, "cluster", "provider"),
                (
                    f"replication uses GKE Workload Identity, which {region.name}'s "
                    f"{region.provider} cluster does not provide; run it on GKE"
                ),
            )
    for key, _ in core.service.env:
        if key in MODEL_ENV:
            yield Problem(
                ("service", "env", key),
                (f"{key} is set by mrgen when replication is enabled; choose another name"),
            )
    for part, image in (("sync", rep.sync.image), ("watcher", rep.watcher.image)):
        problem = image_problem(image)
        if problem:
            yield Problem(_at(part, "image"), problem)
    for region in regions:
        gsa = names.regional_gsa(rep, region)
        if len(gsa) < GSA_ID_MIN:
            yield Problem(
                _at("serviceAccountPrefix"),
                (
                    f"derived Google service account id {gsa!r} is {len(gsa)} characters; ids "
                    f"need at least {GSA_ID_MIN}"
                ),
            )
    prefix = rep.bucket_prefix
    if prefix.startswith("goog") or "google" in prefix or "g00gle" in prefix:
        yield Problem(
            _at("bucketPrefix"),
            "bucket names cannot start with 'goog' or contain 'google' (or close misspellings)",
        )
    yield from _schedule(rep)


def _schedule(rep: Replication) -> Iterator[Problem]:
    sync = rep.sync
    path = _at("sync", "schedule")
    try:
        period = cadence(sync.schedule)
    except CronError as exc:
        yield Problem(path, str(exc))
        return
    slo = rep.freshness_slo_seconds
    start, active = sync.starting_deadline_seconds, sync.active_deadline_seconds
    worst = freshness_bound(period, start, active)
    if worst < slo:
        return
    terms = (
        f"period {period.longest_gap_seconds} s + startingDeadlineSeconds {start} + "
        f"activeDeadlineSeconds {active}"
    )
    if worst > period.longest_gap_seconds + start + active:
        terms = (
            f"{terms} + another {start + active} s, because a run may outlast the "
            f"shortest gap between runs ({period.shortest_gap_seconds} s) and "
            "concurrencyPolicy Forbid then skips the next run"
        )
    yield Problem(
        path,
        (
            f"{sync.schedule!r} cannot meet the freshness SLO of {slo // 60} min ({slo} s): a "
            f"model can take {worst} s to reach every region ({terms}); run more often or "
            "shorten the deadlines"
        ),
    )
