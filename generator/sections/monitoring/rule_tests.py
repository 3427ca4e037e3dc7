"""promtool unit tests for every rule file, generated from the same values as the rules.

For every alert there is input that fires it and input that does not; expected labels and
annotations are computed here from the spec (annotations are compared exactly by promtool,
and ``time()`` starts at 0). Rates are chosen so every expected float is exact.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from generator.durations import format_seconds
from generator.sections.core.model import Region
from generator.sections.monitoring import names
from generator.sections.monitoring import rules as mr
from generator.sections.monitoring.model import Monitoring
from generator.spec import Spec

INTERVAL = 60  # seconds between input samples and between evaluations
Doc = dict[str, Any]


def series(metric: str, labels: Mapping[str, str], values: str) -> Doc:
    return {"series": mr.selector(metric, labels), "values": values}


def flat(value: Decimal | int, samples: int) -> str:
    return f"{mr.num(value)}x{samples}"


def alert(labels: Mapping[str, str], summary: dict[str, str]) -> Doc:
    return {"exp_labels": dict(labels), "exp_annotations": summary}


def case(name: str, inputs: list[Doc], checks: list[Doc]) -> Doc:
    return {
        "name": name,
        "interval": f"{INTERVAL}s",
        "input_series": inputs,
        "alert_rule_test": checks,
    }


def check(seconds: int, name: str, alerts: Iterable[Doc]) -> Doc:
    return {
        "eval_time": format_seconds(seconds, hours=False),
        "alertname": name,
        "exp_alerts": list(alerts),
    }


def samples_for(seconds: int) -> int:
    return math.ceil(seconds / INTERVAL) + 5


def _rule(mon: Monitoring, spec: Spec, name: str, region: Region | None = None) -> dict[str, Any]:
    for rule in mr.global_alert_groups(mon, spec)[0]["rules"]:
        if rule.get("alert") == name and (region is None or f'"{region.name}"' in rule["expr"]):
            found: dict[str, Any] = rule
            return found
    raise KeyError(name)


def expanded(rule: Mapping[str, Any], region: str = "", value: str = "") -> dict[str, str]:
    """The rule's annotations as Prometheus will expand them for one alert."""
    return {
        k: v.replace(mr.REGION_T, region).replace(mr.VALUE_T, value)
        for k, v in rule["annotations"].items()
    }


# --- regional recording rules --------------------------------------------------------------


def regional_tests(mon: Monitoring, spec: Spec) -> list[Doc]:
    mon, rec = mon, names.recorded(mon)
    m, j = mon.metrics, mr.job(mon, spec)
    per_minute, good_per_minute = 600, 540  # counter increase per minute -> rates 10 and 9
    n = 12
    below = [b for b in mon.buckets if b < mon.latency_threshold]
    inputs = [
        series(m.requests, {**j, "code": "200", "instance": "a"}, f"0+{per_minute}x{n}"),
        series(m.requests, {**j, "code": "500", "instance": "a"}, f"0+{per_minute // 2}x{n}"),
        series(
            m.duration + "_bucket",
            {**j, "instance": "a", "le": mr.num(mon.latency_threshold)},
            f"0+{good_per_minute}x{n}",
        ),
        series(m.duration + "_bucket", {**j, "instance": "a", "le": "+Inf"}, f"0+{per_minute}x{n}"),
        series(m.duration + "_count", {**j, "instance": "a"}, f"0+{per_minute}x{n}"),
        series("up", {**j, "instance": "a"}, f"1x{n}"),
        series("up", {**j, "instance": "b"}, f"1x{n}"),
        series("up", {**j, "instance": "c"}, f"0x{n}"),
        series(m.model_sync_timestamp, {"instance": "a"}, f"100x{n}"),
        series(m.model_sync_timestamp, {"instance": "b"}, f"200x{n}"),
        series(m.cache_replication_lag, {"instance": "a"}, f"7x{n}"),
    ]
    if below:  # a bucket under the threshold must not be counted as "good" on its own
        low = {**j, "instance": "a", "le": mr.num(below[-1])}
        inputs.append(series(m.duration + "_bucket", low, f"0+{good_per_minute // 2}x{n}"))
    at = "10m"
    rate, good_rate = per_minute // INTERVAL, good_per_minute // INTERVAL
    exprs: list[tuple[str, list[tuple[dict[str, str], int]]]] = [
        (rec["requests"], [({**j, "code": "200"}, rate), ({**j, "code": "500"}, rate // 2)]),
        (rec["count"], [(j, rate)]),
        (rec["up"], [(j, 2)]),
        (rec["model_sync"], [({}, 200)]),
        (rec["cache_lag"], [({}, 7)]),
        *((rec[f"slo_good_{w}"], [(j, good_rate)]) for w in ("5m",)),
        *((rec[f"slo_total_{w}"], [(j, rate)]) for w in ("5m",)),
    ]
    promql = [
        {
            "expr": name,
            "eval_time": at,
            "exp_samples": [
                {"labels": mr.selector(name, labels), "value": value} for labels, value in samples
            ],
        }
        for name, samples in exprs
    ]
    no_targets = {
        "name": "a region without targets reports 0 healthy targets, not nothing",
        "interval": f"{INTERVAL}s",
        "input_series": [series("unrelated", {}, f"1x{n}")],
        "promql_expr_test": [
            {
                "expr": rec["up"],
                "eval_time": at,
                "exp_samples": [{"labels": mr.selector(rec["up"], j), "value": 0}],
            }
        ],
    }
    recordings = {
        "name": "regional aggregates",
        "interval": f"{INTERVAL}s",
        "input_series": inputs,
        "promql_expr_test": promql,
    }
    return [recordings, no_targets]


# --- global alerts -----------------------------------------------------------------------


def _fed_up(mon: Monitoring, spec: Spec, region: Region, value: int, n: int) -> Doc:
    labels = {
        "job": names.FEDERATE_JOB,
        "instance": names.federation_target(mon, region),
        "region": region.name,
    }
    return series("up", labels, f"{value}x{n}")


def region_down_tests(mon: Monitoring, spec: Spec) -> list[Doc]:
    rule = _rule(mon, spec, "RegionDown")
    late = mr.for_seconds(rule) + 3 * INTERVAL
    n = samples_for(late)
    rec_up = names.recorded(mon)["up"]
    first, last = spec.regions[0], spec.regions[-1]

    def healthy(region: Region, targets: int = 5) -> list[Doc]:
        return [
            _fed_up(mon, spec, region, 1, n),
            series(rec_up, {**mr.job(mon, spec), "region": region.name}, f"{targets}x{n}"),
        ]

    def fired(region: Region) -> Doc:
        return alert({"region": region.name, "severity": "critical"}, expanded(rule, region.name))

    unreachable = [_fed_up(mon, spec, first, 0, n)]  # its aggregates vanish with the scrape
    unreachable += [d for r in spec.regions[1:] for d in healthy(r)]
    empty = [d for r in spec.regions for d in healthy(r, 0 if r == last else 5)]
    return [
        case(
            f"RegionDown: the federation scrape of {first.name} fails",
            unreachable,
            [check(0, "RegionDown", []), check(late, "RegionDown", [fired(first)])],
        ),
        case(
            f"RegionDown: {last.name} has no healthy targets",
            empty,
            [check(late, "RegionDown", [fired(last)])],
        ),
        case(
            "RegionDown: every region healthy",
            [d for r in spec.regions for d in healthy(r)],
            [check(late, "RegionDown", [])],
        ),
    ]


def _p99_inputs(
    mon: Monitoring, spec: Spec, region: Region, above: Decimal, n: int
) -> tuple[list[Doc], Decimal]:
    """Bucket rates with every request in the first bucket above ``above``, and the P99
    histogram_quantile will interpolate from them (linearly inside that bucket)."""
    labels = {**mr.job(mon, spec), "region": region.name}
    name = names.recorded(mon)["buckets"]
    out, lower, upper = [], Decimal(0), None
    for bound in mon.buckets:
        full = bound > above
        if full and upper is None:
            upper = bound
        elif not full:
            lower = bound
        out.append(series(name, {**labels, "le": mr.num(bound)}, flat(100 if full else 0, n)))
    out.append(series(name, {**labels, "le": "+Inf"}, flat(100, n)))
    assert upper is not None, "build rejects thresholds at or above the largest bucket"
    return out, lower + (upper - lower) * Decimal(mr.QUANTILE)


def _below(mon: Monitoring, spec: Spec, target: Decimal) -> Decimal:
    """The bucket boundary under ``target`` (0 when it is the first): requests there keep
    P99 within ``target``."""
    return max((b for b in mon.buckets if b < target), default=Decimal(0))


def latency_tests(mon: Monitoring, spec: Spec) -> list[Doc]:
    """Three cases, each over every region (so the file grows linearly with regions):
    every region's P99 just above its own target (each region's rule fires, with its own
    threshold), every region just within it (none fires: a rule with another region's lower
    threshold would), and the first region above the cross-region limit."""
    tests = []
    breach = _rule(mon, spec, "CrossRegionLatencySLOBreach")
    rules = {r.name: _rule(mon, spec, "CrossRegionLatencyHigh", r) for r in spec.regions}
    late = max(mr.for_seconds(breach), *map(mr.for_seconds, rules.values())) + 5 * INTERVAL
    n = samples_for(late)
    first = spec.regions[0]

    def within(region: Region) -> Decimal:
        return _below(mon, spec, mr.latency_target(region))

    scenarios: list[tuple[str, Callable[[Region], Decimal]]] = [
        ("every region just above its own target", mr.latency_target),
        ("every region just within its own target", within),
        (
            f"P99 in {first.name} just above {mr.ms(mon.cross_region_latency)}ms, the others "
            "within their targets",
            lambda r: mon.cross_region_latency if r == first else within(r),
        ),
    ]
    for title, level in scenarios:
        inputs: list[Doc] = []
        high: list[Doc] = []
        slo: list[Doc] = []
        for region in spec.regions:
            docs, p99 = _p99_inputs(mon, spec, region, level(region), n)
            inputs += docs
            rule = rules[region.name]
            if p99 > mr.latency_target(region):
                high.append(
                    alert({"region": region.name, **rule["labels"]}, expanded(rule, region.name))
                )
            if p99 > mon.cross_region_latency:
                slo.append(
                    alert(
                        {"region": region.name, **breach["labels"]}, expanded(breach, region.name)
                    )
                )
        tests.append(
            case(
                f"latency: {title}",
                inputs,
                [
                    check(late, "CrossRegionLatencyHigh", high),
                    check(late, "CrossRegionLatencySLOBreach", slo),
                ],
            )
        )
    return tests


def staleness_tests(mon: Monitoring, spec: Spec) -> list[Doc]:
    mon, rec = mon, names.recorded(mon)
    first = spec.regions[0]
    rule = _rule(mon, spec, "ModelSyncStale")
    age = mon.model_sync_max_age_seconds
    late = age + mr.for_seconds(rule) + 2 * INTERVAL
    n = samples_for(late)
    # The first region synced once at time 0; the others keep syncing (value = now).
    inputs = [
        series(
            rec["model_sync"], {"region": r.name}, f"0x{n}" if r == first else f"0+{INTERVAL}x{n}"
        )
        for r in spec.regions
    ]
    fired = alert({"region": first.name, **rule["labels"]}, expanded(rule, first.name))
    model = case(
        f"ModelSyncStale: {first.name} last synced at 0",
        inputs,
        [check(age, "ModelSyncStale", []), check(late, "ModelSyncStale", [fired])],
    )

    rule = _rule(mon, spec, "CacheReplicationLagHigh")
    limit = mon.cache_lag_max_seconds
    lagging = limit + limit // 2 + 1
    late = mr.for_seconds(rule) + 3 * INTERVAL
    n = samples_for(late)
    inputs = [
        series(rec["cache_lag"], {"region": r.name}, flat(lagging if r == first else limit, n))
        for r in spec.regions
    ]
    fired = alert(
        {"region": first.name, **rule["labels"]}, expanded(rule, first.name, str(lagging))
    )
    cache = case(
        f"CacheReplicationLagHigh: {first.name} lags {lagging}s, the rest exactly {limit}s",
        inputs,
        [check(0, "CacheReplicationLagHigh", []), check(late, "CacheReplicationLagHigh", [fired])],
    )

    rule = _rule(mon, spec, "FailoverSLOBreach")
    window = mr.for_seconds(rule)
    late = window + 2 * INTERVAL
    n = samples_for(late)
    probe = mr.failover_labels(mon, spec)
    fired = alert({**probe, **rule["labels"]}, expanded(rule))
    failing = case(
        "FailoverSLOBreach: the global endpoint keeps failing",
        [series(mon.metrics.probe_success, probe, f"0x{n}")],
        [
            check(window - INTERVAL, "FailoverSLOBreach", []),
            check(late, "FailoverSLOBreach", [fired]),
        ],
    )
    healthy = case(
        "FailoverSLOBreach: the global endpoint answers",
        [series(mon.metrics.probe_success, probe, f"1x{n}")],
        [check(late, "FailoverSLOBreach", [])],
    )
    return [model, cache, failing, healthy]


def absent_tests(mon: Monitoring, spec: Spec) -> list[Doc]:
    late = 15 * INTERVAL
    n = samples_for(late)
    guards = mr.absent_guards(mon, spec)
    expected = [
        alert({**g.labels, "severity": "warning", "signal": g.signal}, {"summary": g.summary})
        for g in guards
    ]
    present = [series(g.metric, g.labels, f"1x{n}") for g in guards]
    return [
        case(
            "MonitoringDataAbsent: nothing reported at all",
            [series("unrelated", {}, f"1x{n}")],
            [check(late, "MonitoringDataAbsent", expected)],
        ),
        case(
            "MonitoringDataAbsent: every guarded series present",
            present,
            [check(late, "MonitoringDataAbsent", [])],
        ),
    ]


# --- latency SLO -------------------------------------------------------------------------


def test_document(mon: Monitoring, spec: Spec, kind: str) -> Doc:
    """The promtool test file for rule file ``kind`` (it sits in ``rules/tests/``)."""
    from generator.sections.monitoring.slo_tests import slo_tests  # it builds on these

    builders = {
        "regional": regional_tests,
        "global-alerts": lambda m, s: [
            *region_down_tests(m, s),
            *latency_tests(m, s),
            *staleness_tests(m, s),
            *absent_tests(m, s),
        ],
        "global-slo": slo_tests,
    }
    rule_file = names.rule_file(kind).rsplit("/", 1)[1]
    return {
        "rule_files": [f"../{rule_file}"],
        "evaluation_interval": f"{INTERVAL}s",
        "tests": builders[kind](mon, spec),
    }
