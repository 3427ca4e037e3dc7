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
