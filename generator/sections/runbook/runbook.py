"""The operator runbook (``docs/runbook.md``), rendered from the spec so it never drifts.

Python decides every value (shares after a failover, commands, names); the template
``templates/runbook/runbook.md.j2`` only lays them out. ``render --check`` covers the file
like any other output.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

from generator.durations import spoken
from generator.section import Context, RenderedFile
from generator.sections.core import names as naming
from generator.sections.core.model import FAILOVER_TARGET_SECONDS, Region, shares
from generator.sections.delivery.model import DELIVERY
from generator.sections.monitoring.model import MONITORING
from generator.spec import Spec

TEMPLATE = "runbook/runbook.md.j2"


@dataclass(frozen=True)
class RunbookAlert:
    alert: str
    severity: str
    meaning: str


_PLACEHOLDERS = (("{{ $labels.region }}", "<region>"), ("{{ $value }}", "<value>"))
_MAX_MEANINGS = 3


def _meaning(rule: dict[str, object]) -> str:
    annotations = rule.get("annotations")
    text = ""
    if isinstance(annotations, dict):
        text = str(annotations.get("description") or annotations.get("summary") or "")
    for template, word in _PLACEHOLDERS:
        text = text.replace(template, word)
    return text


def alerts(spec: Spec) -> list[RunbookAlert]:
    """The alert catalogue the runbook lists, sorted by name: one entry per alert name the
    monitoring section renders (rules that share a name, one per region, are merged).
    Empty without monitoring: the runbook then says that no alert rules are configured."""
    mon = spec.get(MONITORING)
    if mon is None:
        return []
    from generator.sections.monitoring import rules as monitoring_rules

    rules = [
        rule
        for groups in (
            monitoring_rules.global_alert_groups(mon, spec),
            monitoring_rules.slo_groups(mon, spec),
        )
        for group in groups
        for rule in group["rules"]
        if "alert" in rule
    ]
    by_name: dict[str, list[dict[str, object]]] = {}
    for rule in rules:
        by_name.setdefault(str(rule["alert"]), []).append(rule)
    found = []
    for name, same in by_name.items():
        labels = [r.get("labels") for r in same]
        severities = sorted(
            {
                str(lb.get("severity"))
                for lb in labels
                if isinstance(lb, dict) and lb.get("severity")
            }
        )
        meanings = list(dict.fromkeys(_meaning(r) for r in same))
        meaning = "; ".join(meanings[:_MAX_MEANINGS])
        if len(meanings) > _MAX_MEANINGS:
            meaning += f" (and {len(meanings) - _MAX_MEANINGS} more rules like these)"
        found.append(RunbookAlert(name, "/".join(severities) or "none", meaning))
    return sorted(found, key=lambda a: a.alert)


def percent(share: Fraction) -> str:
    """A share of traffic for people: ``50%``, ``62.5%``, ``33.3%``."""
    value = share * 100
    if value.denominator == 1:
        return f"{value.numerator}%"
    return f"{float(value):.1f}".rstrip("0").rstrip(".") + "%"


def edge_shares(regions: Sequence[Region], lost: Region) -> dict[str, Fraction]:
    """Shares at the global edge once ``lost`` fails its health check: weighted routing
    spreads its weight over the healthy regions in proportion to their weights."""
    return shares([r for r in regions if r.name != lost.name])


@dataclass(frozen=True)
class Drill:
    region: Region
    workload: str
    first_failover: Region | None
    shares_after: tuple[tuple[str, str, str], ...]
    """(region, share before, share after) for every other region."""


def drills(spec: Spec) -> list[Drill]:
    out = []
    for region in spec.regions:
        after = edge_shares(spec.regions, region) if len(spec.regions) > 1 else {}
        rows = tuple(
            (r.name, percent(Fraction(r.weight, 100)), percent(after[r.name]))
            for r in spec.regions
            if r.name in after
        )
        out.append(
            Drill(
                region,
                naming.workload_name(spec, region),
                spec.region(region.failover[0]) if region.failover else None,
                rows,
            )
        )
    return out


def mermaid_id(region: Region) -> str:
    return f"r{region.index}"


def failover_edges(spec: Spec) -> list[tuple[str, str, str, bool]]:
    """(from id, to id, label, first choice?) for every region's failover chain."""
    ids = {r.name: mermaid_id(r) for r in spec.regions}
    edges = []
    for region in spec.regions:
        for rank, target in enumerate(region.failover, start=1):
            edges.append((ids[region.name], ids[target], f"failover {rank}", rank == 1))
    return edges


class Runbook:
    """The runbook section: it reads every other section's model and has no spec part."""


def render(spec: Spec, context: Context) -> Iterator[RenderedFile]:
    content = context.templates.render(
        TEMPLATE,
        "runbook",
        spec=spec,
        namespace=naming.namespace(spec),
        regions=spec.regions,
        overlay={r.name: naming.overlay_dir(r) for r in spec.regions},
        workload={r.name: naming.workload_name(spec, r) for r in spec.regions},
        selector=",".join(f"{k}={v}" for k, v in sorted(naming.selector_labels(spec).items())),
        drills=drills(spec),
        alerts=alerts(spec),
        ids={r.name: mermaid_id(r) for r in spec.regions},
        edges=failover_edges(spec),
        weight={r.name: percent(Fraction(r.weight, 100)) for r in spec.regions},
        failover_slo=spoken(FAILOVER_TARGET_SECONDS),
        rollout=spec[DELIVERY].rollout,
    )
    yield RenderedFile(naming.RUNBOOK, content)
