"""The runbook behind the :class:`Section` protocol: always present, with no spec part of
its own (it reads the other sections' models)."""

from __future__ import annotations

from collections.abc import Iterable

from generator.section import Context, DerivedName, Problem, Raw, RenderedFile, Section
from generator.sections.runbook import runbook
from generator.sections.runbook.runbook import Runbook
from generator.spec import Always, Spec

RUNBOOK: Always[Runbook] = Always("runbook")


class RunbookSection:
    key: Always[Runbook] = RUNBOOK
    spec_keys: tuple[str, ...] = ()

    def build(self, raw: Raw, built: Spec) -> Runbook:
        return Runbook()

    def check(self, model: Runbook, spec: Spec) -> Iterable[Problem]:
        return ()

    def names(self, model: Runbook, spec: Spec) -> Iterable[DerivedName]:
        return ()

    def layers(self, model: Runbook, spec: Spec) -> Iterable[str]:
        return ()

    def render(self, model: Runbook, spec: Spec, context: Context) -> Iterable[RenderedFile]:
        return runbook.render(spec, context)


SECTION: Section[Runbook] = RunbookSection()
