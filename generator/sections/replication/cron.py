"""Cron schedules: the gaps between runs of a schedule, and the worst-case model freshness
the model-sync CronJob can promise with them."""

from __future__ import annotations

import itertools
import re

from generator.sections.replication.model import Cadence

DAY_MINUTES = 24 * 60
_FIELDS = (("minute", 0, 59), ("hour", 0, 23))
_EVERY_DAY = ("day-of-month", "month", "day-of-week")
_ITEM = re.compile(r"(\*|(\d+)(?:-(\d+))?)(?:/(\d+))?")


class CronError(ValueError):
    """A schedule mrgen cannot accept; the message says why."""


def _field_values(text: str, name: str, low: int, high: int) -> set[int]:
    values: set[int] = set()
    for item in text.split(","):
        match = _ITEM.fullmatch(item)
        if not match:
            raise CronError(
                f"{name} field {text!r}: {item!r} is not a number, a range a-b, "
                "'*', or one of those with /step"
            )
        star, first, last, step = (
            match.group(1) == "*",
            match.group(2),
            match.group(3),
            match.group(4),
        )
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
        raise CronError(
            f"{schedule!r} has {len(fields)} fields; write exactly 5 "
            "(minute hour day-of-month month day-of-week)"
        )
    for name, text in zip(_EVERY_DAY, fields[2:], strict=True):
        if text not in ("*", "?"):
            raise CronError(
                f"{name} is {text!r}: mrgen checks the freshness SLO only for schedules that "
                "run every day, so day-of-month, month and day-of-week must be '*' (the "
                "minute and hour fields accept numbers, lists, ranges and /steps)"
            )
    minutes, hours = (
        _field_values(text, name, low, high)
        for text, (name, low, high) in zip(fields[:2], _FIELDS, strict=True)
    )
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
