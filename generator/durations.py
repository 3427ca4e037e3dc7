"""Durations: the spec writes ``250ms``, ``5s`` or ``1m``; the model keeps whole
milliseconds; rendered Istio fields get the shortest exact form back."""

from __future__ import annotations

import re

_DURATION = re.compile(r"([1-9][0-9]*)(ms|s|m|h)")
_FACTOR = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000}


def parse_ms(text: str) -> int:
    """``"1500ms"`` -> 1500. The schema has already checked the pattern."""
    match = _DURATION.fullmatch(text)
    if not match:
        raise ValueError(f"not a duration: {text!r}")
    return int(match.group(1)) * _FACTOR[match.group(2)]


def format_ms(ms: int) -> str:
    """1500 -> ``"1500ms"``, 5000 -> ``"5s"``, 60000 -> ``"60s"`` (Istio and CEL read both)."""
    if ms <= 0:
        raise ValueError(f"durations are positive, got {ms} ms")
    return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"


def duration_seconds(text: str) -> int:
    """Whole seconds in a duration: ``"2m"`` -> 120 (milliseconds are truncated)."""
    return parse_ms(text) // 1000


def format_seconds(seconds: int, *, hours: bool = True) -> str:
    """1800 -> ``30m``, 3600 -> ``1h`` (or ``60m`` with ``hours=False``), 90 -> ``90s``:
    Prometheus durations, label values and promtool times."""
    if hours and seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{seconds}s"


def spoken(seconds: int) -> str:
    """300 -> ``5 minutes``, 90 -> ``90 seconds``: a duration in prose (the runbook)."""
    short = format_seconds(seconds, hours=False)
    count, unit = int(short[:-1]), {"m": "minute", "s": "second"}[short[-1]]
    return f"{count} {unit}{'s' if count != 1 else ''}"
