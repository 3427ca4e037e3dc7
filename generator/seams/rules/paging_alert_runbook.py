"""paging-alert-runbook: every alert that pages has an entry in the rendered runbook.

An alert that wakes someone up must say what to do. An alert pages when its ``severity``
label is ``critical`` or ``page``. Its entry is a heading or a table row of a rendered
runbook (a Markdown file named ``*runbook*``) that names the alert; a ``runbook_url``
annotation pointing into a rendered Markdown file must name an existing anchor, and one
pointing elsewhere (an external runbook) counts as the entry.

References:
- https://sre.google/sre-book/monitoring-distributed-systems/ ("every page should be actionable")
- https://prometheus.io/docs/practices/alerting/ ("link to relevant consoles", playbooks)
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.seams import prom, runbook
from generator.seams.rule import Finding, SeamRule
from generator.seams.tree import Tree, text

PAGING = {"critical", "page", "paging"}


def _has_entry(rule: prom.PromRule, books: list[runbook.Runbook]) -> bool:
    url = text(rule.annotations.get("runbook_url"))
    if url:
        path, _, anchor = url.partition("#")
        for book in books:
            if (
                path
                and book.file.endswith(path.rsplit("/", 1)[-1])
                and path.endswith(book.file.rsplit("/", 1)[-1])
            ):
                return not anchor or anchor in book.anchors
        if "://" in url:
            return True
    return any(rule.name in book.entries for book in books)


def _check(tree: Tree) -> Iterator[Finding]:
    books = runbook.runbooks(tree)
    seen: set[tuple[str, str]] = set()
    for rule in prom.rules(tree):
        if not rule.alert or text(rule.labels.get("severity")).lower() not in PAGING:
            continue
        key = (rule.document.file, rule.name)
        if key in seen or _has_entry(rule, books):
            continue
        seen.add(key)
        where = (
            f"{', '.join(b.file for b in books)} has no entry for it"
            if books
            else "no runbook is rendered"
        )
        yield Finding(
            rule.document,
            (*rule.path, "alert"),
            f"{rule.name} pages (severity {rule.labels.get('severity')}) but "
            f"{where}: whoever is paged has no procedure",
        )


RULE = SeamRule(
    id="paging-alert-runbook",
    description="Every paging alert (severity critical or page) has an entry in the rendered "
    "runbook.",
    reference="https://sre.google/sre-book/monitoring-distributed-systems/",
    run=_check,
)
