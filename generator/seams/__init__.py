"""The seam checker: cross-artifact rules over a rendered tree (``mrgen validate --rendered``).

Each artifact of a render can be valid on its own and the system still broken where two
artifacts meet: a DNS name no Gateway serves, a scrape the mesh refuses, an object the
Argo CD project forbids. The checker reads only the rendered tree (never the spec or the
generator), so it checks any render, hand-edited or produced by another version.

Modules: :mod:`.tree` (documents and objects), :mod:`.kustomize` (overlays from the
committed files), :mod:`.placement` and :mod:`.appset` (what each Argo CD Application
applies where), :mod:`.dns`, :mod:`.mesh`, :mod:`.prom`/:mod:`.promql`, :mod:`.runbook`,
:mod:`.argoproject`, :mod:`.clusters` (domain views), :mod:`.rule` (the Rule protocol and
findings), and :mod:`.rules` (the registry, one module per rule).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from pathlib import Path

from generator.errors import Diagnostic
from generator.seams.placement import Builds, place
from generator.seams.rule import Rule, diagnostics
from generator.seams.rules import RULES
from generator.seams.tree import Tree, load


class UnknownRule(ValueError):
    """A --rule/--skip-rule pattern that names no rule."""


def select(
    only: Iterable[str] = (), skip: Iterable[str] = (), rules: Sequence[Rule] = RULES
) -> list[Rule]:
    """The rules matching any ``only`` pattern (all when none), minus those matching a
    ``skip`` pattern; patterns are rule ids or globs (``dns-*``, ``*``)."""
    only, skip = list(only), list(skip)
    for pattern in [*only, *skip]:
        if not any(fnmatch.fnmatchcase(r.id, pattern) for r in rules):
            known = ", ".join(r.id for r in rules)
            raise UnknownRule(f"{pattern!r} matches no seam rule (rules: {known})")
    return [
        r
        for r in rules
        if (not only or any(fnmatch.fnmatchcase(r.id, p) for p in only))
        and not any(fnmatch.fnmatchcase(r.id, p) for p in skip)
    ]


def read(root: Path, display_root: str | None = None, builds: Builds | None = None) -> Tree:
    """The tree under ``root`` with its placed view (kustomize builds preferred if given)."""
    return place(load(root, display_root), builds)


def check(tree: Tree, rules: Sequence[Rule] = RULES) -> list[Diagnostic]:
    """Every finding of ``rules`` on ``tree``, located, sorted and without repeats."""
    found: set[Diagnostic] = set()
    for rule in rules:
        found.update(diagnostics(rule, rule.check(tree)))
    return sorted(found)


__all__ = ["RULES", "Rule", "Tree", "UnknownRule", "check", "read", "select"]
