"""Placeholder values: the example's hosts and ids that must be replaced before deploying.

The example spec, ``mrgen init`` and some defaults name hosts that cannot be anyone's real
ones: RFC 2606 documentation domains (``git.example.com``, ``charts.example.com``,
``api.example.com``, ``registry.example.com``), RFC 5737/3849 documentation addresses
(``203.0.113.10``), and ids made of one repeated digit or a run of the alphabet (the
example's Route53 health-check ids ``1111...``, hosted zone ``Z0123456789ABCDEFGHIJ``).
A spec that still carries one renders fine and is wrong in production, so each one is a
located *warning*: ``mrgen validate`` prints it, ``mrgen validate --strict`` (CI) fails.

Two sources, one message per spec path (the build drops the repeats):
- :func:`scan`: every string written in the spec;
- sections' checks call :func:`problem` on the defaulted values that may be placeholders
  (a default is located at the nearest part of the spec that exists, and its path names
  the key to add).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from typing import Any

from generator.errors import WARNING, Path
from generator.section import Problem

_EXAMPLE_DOMAIN = re.compile(
    r"(?<![A-Za-z0-9-])((?:[A-Za-z0-9-]+\.)*example\.(?:com|net|org)"
    r"|(?:[A-Za-z0-9-]+\.)+(?:example|invalid))(?![A-Za-z0-9-])",
    re.IGNORECASE,
)
_DOC_ADDRESS = re.compile(
    r"(?<![0-9.])((?:192\.0\.2|198\.51\.100|203\.0\.113)\.[0-9]{1,3})(?![0-9])"
    r"|(?<![0-9A-Fa-f:])(2001:0?db8:[0-9A-Fa-f:]*)",
    re.IGNORECASE,
)
_REPEATED_UUID = re.compile(r"([0-9a-f])\1{7}-\1{4}-\1{4}-\1{4}-\1{12}", re.IGNORECASE)
_ID = re.compile(r"[A-Z0-9]{10,64}")
_RUN = 8  # "01234567" or "ABCDEFGH": no generated id looks like that
_AWS_EXAMPLE_ACCOUNT = "123456789012"


def _sequential_run(text: str) -> bool:
    run = 1
    for before, after in itertools.pairwise(text):
        run = run + 1 if ord(after) == ord(before) + 1 else 1
        if run >= _RUN:
            return True
    return False


def find(value: str) -> str | None:
    """What in ``value`` is a placeholder (a phrase for the message), or None."""
    domain = _EXAMPLE_DOMAIN.search(value)
    if domain:
        return f"the documentation host {domain.group(1)}"
    address = _DOC_ADDRESS.search(value)
    if address:
        return f"the documentation address {address.group(1) or address.group(2)}"
    if _REPEATED_UUID.fullmatch(value):
        return f"the example id {value}"
    if _ID.fullmatch(value) and _sequential_run(value):
        return f"the example id {value}"
    if _AWS_EXAMPLE_ACCOUNT in value:
        return f"the documentation AWS account {_AWS_EXAMPLE_ACCOUNT}"
    return None


def problem(path: Path, value: str) -> Problem | None:
    """A warning when ``value`` (found at ``path``, written or defaulted) is a placeholder."""
    what = find(value)
    if what is None:
        return None
    return Problem(
        path, f"placeholder: {value!r} holds {what}; replace it before deploying", severity=WARNING
    )


def _strings(data: Any, path: Path) -> Iterator[tuple[Path, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*path, str(key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, (*path, index))


def scan(data: Any) -> list[Problem]:
    """A warning for every placeholder string written anywhere in the spec."""
    found = (problem(path, value) for path, value in _strings(data, ()))
    return [p for p in found if p is not None]


def check(values: Iterable[tuple[Path, str]]) -> list[Problem]:
    """Warnings for the model values (spec path, value) that are placeholders: the defaults a
    section fills in (written values are found by :func:`scan` too; the repeats collapse)."""
    found = (problem(path, value) for path, value in values)
    return [p for p in found if p is not None]
