"""Problems of user extensions, found region by region but reported once.

An ``all/`` file is read for every region, so one mistake would otherwise be reported once
per region. Problems that differ only in the region are merged, and the message says which
regions (or none, when a plain file fails the same way everywhere).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

from generator.errors import Diagnostic

How = Literal["plain", "template", "output"]
"""plain: a file's own text; template: rendering a template; output: a template's output."""


class Problems:
    def __init__(self, regions: Sequence[str]) -> None:
        self.regions = tuple(regions)
        self.once: list[Diagnostic] = []
        self.by_region: dict[tuple[Diagnostic, How], set[str]] = {}

    def __bool__(self) -> bool:
        return bool(self.once or self.by_region)

    def add(self, diagnostic: Diagnostic, region: str | None = None, how: How = "plain") -> None:
        if region is None:
            self.once.append(diagnostic)
        else:
            self.by_region.setdefault((diagnostic, how), set()).add(region)

    def _context(self, regions: set[str], how: How) -> str:
        every = len(regions) == len(self.regions)
        named = ", ".join(r for r in self.regions if r in regions)
        which = "every region" if every else f"region{'s' if len(regions) > 1 else ''} {named}"
        if how == "template":
            return f"rendering for {which}"
        if how == "output":
            return f"in the output for {which}"
        return "" if every else f"in {which}"

    def diagnostics(self) -> list[Diagnostic]:
        out = list(self.once)
        for (diagnostic, how), regions in self.by_region.items():
            context = self._context(regions, how)
            message = f"({context}) {diagnostic.message}" if context else diagnostic.message
            out.append(replace(diagnostic, message=message))
        return out
