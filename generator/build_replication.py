"""The ``replication`` section: defaults, the model, and its semantic checks.

The schema checks shapes; this module checks what JSON Schema cannot: the cron schedule
(fields, ranges, and the period it implies), the freshness SLO the schedule and deadlines
must meet, pinned images, and the clusters Workload Identity needs.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

from generator.errors import Diagnostic, Path
from generator.loader import LoadedSpec
from generator.model import ModelSync, Replication, Resources, Watcher

DAY_MINUTES = 24 * 60
SYNC_DEFAULTS = {"startingDeadlineSeconds": 60, "activeDeadlineSeconds": 480,
                 "backoffLimit": 2, "ttlSecondsAfterFinished": 3600}
SYNC_RESOURCES = {"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"memory": "512Mi"}}
WATCHER_RESOURCES = {"requests": {"cpu": "50m", "memory": "128Mi"}, "limits": {"memory": "128Mi"}}
MODEL_ENV = frozenset({"MODEL_BUCKET", "MODEL_PATH"})
"""Set on the API container by mrgen when replication is enabled."""
_FIELDS = (("minute", 0, 59), ("hour", 0, 23))
_EVERY_DAY = ("day-of-month", "month", "day-of-week")
_ITEM = re.compile(r"(\*|(\d+)(?:-(\d+))?)(?:/(\d+))?")


class CronError(ValueError):
    """A schedule mrgen cannot accept; the message says why."""


@dataclass(frozen=True)
class Cadence:
    longest_gap_seconds: int
    shortest_gap_seconds: int


def _field_values(text: str, name: str, low: int, high: int) -> set[int]:
    values: set[int] = set()
    for item in text.split(","):
        match = _ITEM.fullmatch(item)
        if not match:
            raise CronError(f"{name} field {text!r}: {item!r} is not a number, a range a-b, "
                            "'*', or one of those with /step")
        star, first, last, step = match.group(1) == "*", match.group(2), match.group(3), \
            match.group(4)
        start = low if star else int(first)
        # "a/step" means a, a+step, ... up to the field's maximum (as in cron).
        end = high if star or (last is None and step) else int(last or first)
        stride = int(step) if step else 1
        if not (low <= start <= high and low <= end <= high):
            raise CronError(f"{name} field {text!r}: {item!r} is outside {low}-{high}")
        if start > end:
            raise CronError(f"{name} field {text!r}: range {item!r} runs backwards")
        if stride < 1:
            raise CronError(f"{name} field {text!r}: step 0 in {item!r}")
        values.update(range(start, end + 1, stride))
    return values


def cadence(schedule: str) -> Cadence:
    """The longest and shortest gap between runs of a 5-field cron ``schedule``.

    Computed exactly for schedules that run every day (day-of-month, month and
    day-of-week all ``*``): any minute and hour lists, ranges and steps. Other forms
    raise :class:`CronError` naming the restriction.
    """
    fields = schedule.split()
    if len(fields) != 5:
        raise CronError(f"{schedule!r} has {len(fields)} fields; write exactly 5 "
                        "(minute hour day-of-month month day-of-week)")
    for name, text in zip(_EVERY_DAY, fields[2:], strict=True):
        if text not in ("*", "?"):
            raise CronError(
                f"{name} is {text!r}: mrgen checks the freshness SLO only for schedules that "
                "run every day, so day-of-month, month and day-of-week must be '*' (the "
                "minute and hour fields accept numbers, lists, ranges and /steps)")
    minutes, hours = (_field_values(text, name, low, high)
                      for text, (name, low, high) in zip(fields[:2], _FIELDS, strict=True))
    runs = sorted(h * 60 + m for h in hours for m in minutes)
    gaps = [b - a for a, b in itertools.pairwise(runs)]
    gaps.append(runs[0] + DAY_MINUTES - runs[-1])
    return Cadence(max(gaps) * 60, min(gaps) * 60)


def freshness_bound(period: Cadence, starting_deadline: int, active_deadline: int) -> int:
    """Worst-case seconds from a model write on the primary to its copy everywhere.

    The next run starts at most one period after the write, up to ``starting_deadline``
    late, and finishes within ``active_deadline``. If a run can last past the next
    scheduled time, Forbid skips that time and a run that started just before the write
    (and missed it) can delay the next one by its own full length.
    """
    run = starting_deadline + active_deadline
    overlap = run if run >= period.shortest_gap_seconds else 0
    return overlap + period.longest_gap_seconds + run


def image_problem(image: str) -> str | None:
    name, _, digest = image.partition("@")
    tag = name.rsplit("/", 1)[-1].partition(":")[2]
    if digest:
        return None if re.fullmatch(r"sha256:[0-9a-f]{64}", digest) else \
            f"digest {digest!r} is not sha256:<64 hex>"
    if not tag:
        return "pin the image by digest (@sha256:...) or tag; an untagged image means :latest"
    if tag == "latest":
        return "':latest' is not reproducible; pin a version tag or a digest"
    return None


def check(loaded: LoadedSpec, data: dict[str, Any]) -> list[Diagnostic]:
    """Semantic problems of the (schema-valid) replication section; [] when absent."""
    raw = data.get("replication")
    if raw is None:
        return []
    found: list[Diagnostic] = []

    def error(path: Path, message: str) -> None:
        found.append(loaded.diagnostic(("replication", *path), message))

    regions: list[dict[str, Any]] = data["regions"]
    if len(regions) < 2:
        error((), "replication copies models from the primary region to the others; the "
                  "spec has only one region")
    for i, region in enumerate(regions):
        if region["cluster"]["provider"] != "gke":
            found.append(loaded.diagnostic(("regions", i, "cluster", "provider"), (
                f"replication uses GKE Workload Identity, which {region['name']}'s "
                f"{region['cluster']['provider']} cluster does not provide; run it on GKE")))
    for key in sorted(MODEL_ENV & set(data["service"].get("env", {}))):
        found.append(loaded.diagnostic(("service", "env", key), (
            f"{key} is set by mrgen when replication is enabled; choose another name")))
    for part in ("sync", "watcher"):
        problem = image_problem(raw[part]["image"])
        if problem:
            error((part, "image"), problem)
    prefix = raw.get("serviceAccountPrefix", data["service"]["name"])
    for region in regions:
        gsa = f"{prefix}-{region['name']}"
        if len(gsa) < 6:
            error(("serviceAccountPrefix",), f"derived Google service account id {gsa!r} is "
                  f"{len(gsa)} characters; ids need at least 6")
    bucket_prefix = raw["bucketPrefix"]
    if bucket_prefix.startswith("goog") or "google" in bucket_prefix or "g00gle" in bucket_prefix:
        error(("bucketPrefix",), "bucket names cannot start with 'goog' or contain 'google' "
              "(or close misspellings)")
    found.extend(_schedule_checks(loaded, raw))
    return found


def _schedule_checks(loaded: LoadedSpec, raw: dict[str, Any]) -> list[Diagnostic]:
    sync = {**SYNC_DEFAULTS, **raw["sync"]}
    path: Path = ("replication", "sync", "schedule")
    try:
        period = cadence(sync["schedule"])
    except CronError as exc:
        return [loaded.diagnostic(path, str(exc))]
    slo = raw.get("freshnessSLOMinutes", 30) * 60
    start, active = sync["startingDeadlineSeconds"], sync["activeDeadlineSeconds"]
    worst = freshness_bound(period, start, active)
    if worst < slo:
        return []
    terms = f"period {period.longest_gap_seconds} s + startingDeadlineSeconds {start} + " \
            f"activeDeadlineSeconds {active}"
    if worst > period.longest_gap_seconds + start + active:
        terms = (f"{terms} + another {start + active} s, because a run may outlast the "
                 f"shortest gap between runs ({period.shortest_gap_seconds} s) and "
                 "concurrencyPolicy Forbid then skips the next run")
    return [loaded.diagnostic(path, (
        f"{sync['schedule']!r} cannot meet the freshness SLO of {slo // 60} min ({slo} s): a "
        f"model can take {worst} s to reach every region ({terms}); run more often or "
        "shorten the deadlines"))]


def _resources(raw: dict[str, Any]) -> Resources:
    limits = raw.get("limits", {})
    return Resources(cpu_request=raw["requests"]["cpu"], memory_request=raw["requests"]["memory"],
                     cpu_limit=limits.get("cpu"), memory_limit=limits.get("memory"))


def replication(data: dict[str, Any]) -> Replication | None:
    """The model of a checked replication section, or None when the spec has none."""
    raw = data.get("replication")
    if raw is None:
        return None
    sync = {**SYNC_DEFAULTS, **raw["sync"]}
    watcher = raw["watcher"]
    health = watcher.get("health", {})
    return Replication(
        project=raw["project"],
        bucket_prefix=raw["bucketPrefix"],
        path=raw.get("path", "models").strip("/"),
        service_account_prefix=raw.get("serviceAccountPrefix", data["service"]["name"]),
        config_connector_namespace=raw.get("configConnectorNamespace", raw["project"]),
        freshness_slo_seconds=raw.get("freshnessSLOMinutes", 30) * 60,
        bucket_versioning=raw.get("bucketVersioning", True),
        sync=ModelSync(
            schedule=sync["schedule"],
            period_seconds=cadence(sync["schedule"]).longest_gap_seconds,
            starting_deadline_seconds=sync["startingDeadlineSeconds"],
            active_deadline_seconds=sync["activeDeadlineSeconds"],
            backoff_limit=sync["backoffLimit"],
            ttl_seconds_after_finished=sync["ttlSecondsAfterFinished"],
            image=sync["image"],
            resources=_resources(sync.get("resources", SYNC_RESOURCES)),
        ),
        watcher=Watcher(
            image=watcher["image"],
            replicas=watcher.get("replicas", 2),
            metrics_port=watcher.get("metricsPort", 9090),
            liveness=health.get("liveness", "/healthz"),
            readiness=health.get("readiness", "/readyz"),
            resources=_resources(watcher.get("resources", WATCHER_RESOURCES)),
        ),
    )
