"""alert-input-produced: every raw metric an alert reads has a producer.

An alert whose input series never exist never fires, and the ``absent()`` guards on that
input fire forever. For every alerting rule (rule files and PrometheusRule objects), the
metrics it reads are followed through the recording rules that produce them down to raw
metrics, and each raw metric must have a producer:

- a scrape job whose ``job`` label satisfies the selector's ``job`` matchers (plain
  configuration ``job_name`` or its relabelling, a ServiceMonitor's job relabelling or
  matched Service names, a PodMonitor, a ScrapeConfig); ``up`` and ``scrape_*`` come from
  any scrape;
- for ``probe_*`` metrics, a prober: a Probe object or a scrape job on ``/probe``;
- or a documented prerequisite: the metric named in a runbook section whose heading
  contains "prerequisite".

A raw metric read without a ``job`` matcher cannot be tied to any scrape, so it needs a
documented prerequisite.

References:
- https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/
- https://prometheus.io/docs/concepts/jobs_instances/#automatically-generated-labels-and-time-series
- https://github.com/prometheus/blackbox_exporter#prometheus-configuration (``/probe``)
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.seams import prom, runbook
from generator.seams.promql import Selector, selectors
from generator.seams.rule import Finding, SeamRule, listing
from generator.seams.selectors import matches
from generator.seams.tree import Tree, mapping, text

SCRAPE_SERIES = ("up", "scrape_")
RULE_SERIES = {"ALERTS", "ALERTS_FOR_STATE"}


def jobs(tree: Tree) -> tuple[set[str], set[str]]:
    """(every job label a scrape produces, the job labels of probes)."""
    every, probes = set(), set()
    for scrape in prom.scrapes(tree):
        names = {scrape.job} if scrape.job else set()
        if not scrape.job and scrape.obj is not None:  # ServiceMonitor: the Service's name
            label = text(scrape.obj.spec.get("jobLabel"))
            for cluster in tree.clusters:
                for service in tree.in_cluster(cluster, "", "Service"):
                    if service.namespace and matches(
                        mapping(scrape.obj.spec.get("selector")), service.labels
                    ):
                        names.add(text(service.labels.get(label)) if label else service.source_name)
        every |= names
        if scrape.probe:
            probes |= names
    return every - {""}, probes - {""}


def raw(
    selector: Selector, recorded: dict[str, list[prom.PromRule]], seen: frozenset[str] = frozenset()
) -> list[tuple[Selector, str]]:
    """(raw selector, the recording rule it was reached through, '' if read directly)."""
    if selector.metric not in recorded or selector.metric in seen:
        return [(selector, "")]
    out = []
    for rule in recorded[selector.metric]:
        for inner in selectors(rule.expr):
            out += [
                (found, via or rule.name)
                for found, via in raw(inner, recorded, seen | {selector.metric})
            ]
    return out


def _missing(selector: Selector, every: set[str], probes: set[str], prerequisites: set[str]) -> str:
    """Why nothing produces a raw selector ('' when something does)."""
    metric = selector.metric
    if not metric or metric in RULE_SERIES or metric in prerequisites:
        return ""
    matchers = selector.on("job")
    probe = metric.startswith("probe_")
    candidates = probes if probe else every
    shown = ", ".join(f'job{m.op}"{m.value}"' for m in matchers)
    if matchers:
        if any(all(m.accepts(job) for m in matchers) for job in candidates):
            return ""
        what = "no probe (Probe object or /probe scrape job)" if probe else "no scrape job"
        return f"{what} has {shown}"
    if (metric.startswith(SCRAPE_SERIES) and every) or (probe and probes):
        return ""
    return "its selector names no job, and no runbook prerequisite documents who exports it"


def _check(tree: Tree) -> Iterator[Finding]:
    all_rules = prom.rules(tree)
    recorded: dict[str, list[prom.PromRule]] = {}
    for rule in all_rules:
        if not rule.alert:
            recorded.setdefault(rule.name, []).append(rule)
    every, probes = jobs(tree)
    prerequisites = {p for book in runbook.runbooks(tree) for p in book.prerequisites}
    problems: dict[tuple[str, str], tuple[prom.PromRule, list[str], str, str]] = {}
    for rule in (r for r in all_rules if r.alert):
        for selector in selectors(rule.expr):
            for found, via in raw(selector, recorded):
                reason = _missing(found, every, probes, prerequisites)
                if not reason:
                    continue
                key = (rule.document.file, found.metric)
                first, alerts, _, _ = problems.setdefault(key, (rule, [], via, reason))
                if rule.name not in alerts:
                    alerts.append(rule.name)
    for (_, metric), (first, alerts, via, reason) in problems.items():
        through = f" (through recording rule {via})" if via else ""
        subject = (
            f"alerts {listing(alerts)} read" if len(alerts) > 1 else f"alert {alerts[0]} reads"
        )
        yield Finding(
            first.document,
            (*first.path, "expr"),
            f"{subject} {metric}{through}, which nothing produces: {reason}; an "
            "alert on it never fires, and absent() on it fires forever",
        )


RULE = SeamRule(
    id="alert-input-produced",
    description="Every raw metric an alert reads has a producer: a scrape of its job, a "
    "recording rule, a probe, or a documented prerequisite.",
    reference="https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/",
    run=_check,
)
