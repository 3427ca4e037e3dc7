"""promtool unit tests of the SLO rules (burn-rate alerts and the SLI records): inputs
computed from the spec's objective so each alert fires and does not fire exactly."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from generator.sections.monitoring import names
from generator.sections.monitoring import rules as mr
from generator.sections.monitoring.model import Monitoring
from generator.sections.monitoring.rule_tests import (
    INTERVAL,
    Doc,
    alert,
    case,
    check,
    expanded,
    flat,
    series,
)
from generator.spec import Spec


def burn_fires(
    mon: Monitoring,
    spec: Spec,
    pairs: tuple[tuple[str, str, str], ...],
    ratios: Mapping[str, Decimal],
) -> bool:
    """What the alert expression means: some pair has both windows above the threshold."""
    return any(
        ratios[s] > mr.burn_threshold(mon, spec, f) and ratios[lg] > mr.burn_threshold(mon, spec, f)
        for s, lg, f in pairs
    )


def slo_tests(mon: Monitoring, spec: Spec) -> list[Doc]:
    mon, rec = mon, names.recorded(mon)
    budget = mon.error_budget
    total = 100_000
    # Ratios far from every threshold (floats need no exactness): a fast burn (25%, or more
    # when the budget is large), a healthy rate (0.1%, or a quarter of the budget), a slow burn.
    fast = min(Decimal(1), max(Decimal("0.25"), 20 * budget))
    slow = min(Decimal("0.001"), budget / 4)
    scenarios: list[tuple[str, dict[str, Decimal]]] = [
        (f"{mr.num(fast * 100)}% of requests too slow", dict.fromkeys(names.SLO_WINDOWS, fast)),
        (f"{mr.num(slow * 100)}% too slow", dict.fromkeys(names.SLO_WINDOWS, slow)),
        (
            "a short spike only (short windows high, long windows healthy)",
            {w: fast if w in ("5m", "30m") else slow for w in names.SLO_WINDOWS},
        ),
    ]
    # Each window pair alone just above its own threshold: catches a wrong factor or pairing.
    for _, _, pairs in mr.BURN_RATES:
        for short, long, factor in pairs:
            level = min(Decimal(1), mr.burn_threshold(mon, spec, factor) * Decimal("1.5"))
            scenarios.append(
                (
                    f"only {short} and {long} at 1.5 x the {factor}x threshold",
                    {w: level if w in (short, long) else slow for w in names.SLO_WINDOWS},
                )
            )
    slo_rules = {r["alert"]: r for r in mr.slo_groups(mon, spec)[0]["rules"] if "alert" in r}
    first = spec.regions[0]
    tests = []
    for title, ratios in scenarios:
        inputs = []
        for window, ratio in ratios.items():
            labels = {**mr.job(mon, spec), "region": first.name}
            good = (Decimal(total) * (1 - ratio)).to_integral_value()
            inputs.append(series(rec[f"slo_good_{window}"], labels, flat(good, 10)))
            inputs.append(series(rec[f"slo_total_{window}"], labels, flat(total, 10)))
        checks = []
        for suffix, _, pairs in mr.BURN_RATES:
            rule = slo_rules[f"LatencySLOBurnRate{suffix}"]
            fires = burn_fires(
                mon,
                spec,
                pairs,
                {
                    w: 1 - (Decimal(total) * (1 - r)).to_integral_value() / total
                    for w, r in ratios.items()
                },
            )
            expected = (
                [alert({**mr.job(mon, spec), **rule["labels"]}, expanded(rule))] if fires else []
            )
            checks.append(check(5 * INTERVAL, rule["alert"], expected))
        tests.append(case(f"latency SLO burn rate: {title}", inputs, checks))
    # The SLI divides sums across regions (not an average of regional ratios).
    regions = spec.regions[:2]
    sizes = [(750, 1000), (3000, 3000)][: len(regions)]
    inputs = [
        series(rec[f"slo_{kind}_5m"], {**mr.job(mon, spec), "region": r.name}, flat(v, 10))
        for r, (good, tot) in zip(regions, sizes, strict=True)
        for kind, v in (("good", good), ("total", tot))
    ]
    value = 1 - (sum(g for g, _ in sizes) / sum(t for _, t in sizes))
    sli = f"{names.SLI_ERROR}5m"
    labels = {**mr.job(mon, spec), "slo": mr.slo_names(mon, spec)["latency"]}
    tests.append(
        {
            "name": "the SLI is 1 - sum(good) / sum(total) across regions",
            "interval": f"{INTERVAL}s",
            "input_series": inputs,
            "promql_expr_test": [
                {
                    "expr": sli,
                    "eval_time": "5m",
                    "exp_samples": [{"labels": mr.selector(sli, labels), "value": value}],
                }
            ],
        }
    )
    return tests
