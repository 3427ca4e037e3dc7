"""mrgen simulate: predictions checked against the rendered DNS tree, URL map and HPAs."""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.sections.global_routing import names as naming
from generator.sections.global_routing.simulate import GEO, WEIGHTED, UnknownRegions, simulate
from tests.conftest import EXAMPLE_SPEC, run_cli
from tests.globalspec import example_data, files, model, routing, write_spec


def _rendered() -> dict[str, Any]:
    return {p: f.content for p, f in files(model()).items()}


def _records(rendered: dict[str, Any]) -> list[dict[str, Any]]:
    batch = json.loads(rendered[naming.CHANGE_BATCH])
    return [c["ResourceRecordSet"] for c in batch["Changes"]]


def _origin_region(name: str) -> str:
    return name.split(".origin.", 1)[0]


def _dns_answer(records: list[dict[str, Any]], name: str, down: set[str]) -> str | None:
    """Resolve a failover name the way Route53 would, from the rendered records."""
    group = {r["Failover"]: r for r in records if r["Name"] == name and "Failover" in r}
    for role in ("PRIMARY", "SECONDARY"):
        region = _origin_region(group[role]["AliasTarget"]["DNSName"])
        if region not in down:
            return region
    return None


def _geo_expectation(records: list[dict[str, Any]], down: set[str]) -> dict[str, str | None]:
    geo = {
        (r["GeoLocation"].get("ContinentCode") or r["GeoLocation"]["CountryCode"]): r[
            "AliasTarget"
        ]["DNSName"]
        for r in records
        if "GeoLocation" in r
    }
    out = {}
    for code, target in geo.items():
        answer = _dns_answer(records, target, down)
        if answer is None and code != "*":  # unhealthy: Route53 falls back to the default
            answer = _dns_answer(records, geo["*"], down)
        out[code] = answer
    return out


def _hpa_max(rendered: dict[str, Any], region: str) -> int:
    hpa = yaml.safe_load(rendered[f"k8s/overlays/{region}/workload/horizontalpodautoscaler.yaml"])
    value: int = hpa["spec"]["maxReplicas"]
    return value


def test_losing_the_primary_follows_the_rendered_dns_and_url_map() -> None:
    rendered = _rendered()
    records = _records(rendered)
    down = {"us-east-1"}
    result = simulate(model(), sorted(down))
    assert result.modes == (GEO, WEIGHTED)
    # Geography: where each rendered geolocation record ends up.
    assert {g.code: g.serving for g in result.geo} == _geo_expectation(records, down)
    assert {g.code: g.serving for g in result.geo}["NA"] == "eu-west-1"
    # Weighted entry: the rendered weights (DNS and URL map agree), renormalised.
    dns_weights = {
        _origin_region(r["AliasTarget"]["DNSName"]): r["Weight"] for r in records if "Weight" in r
    }
    url_map = yaml.safe_load(
        rendered["k8s/platform/gclb/computeurlmap-fingerprint-api-urlmap.yaml"]
    )
    lb_weights = {
        w["backendServiceRef"]["name"].removeprefix("fingerprint-api-bes-"): w["weight"]
        for w in url_map["spec"]["defaultRouteAction"]["weightedBackendServices"]
    }
    assert dns_weights == lb_weights
    survivors = {k: v for k, v in dns_weights.items() if k not in down}
    total = sum(survivors.values())
    assert {load.region: load.weighted_share for load in result.loads} == {
        k: Fraction(v, total) for k, v in survivors.items()
    }
    # Geolocation shares: the lost region's weight moves to its rendered SECONDARY.
    secondary = _dns_answer(records, "us-east-1.api.example.com", down)
    geo_expected = {k: Fraction(v, sum(dns_weights.values())) for k, v in survivors.items()}
    assert secondary is not None
    geo_expected[secondary] += Fraction(dns_weights["us-east-1"], sum(dns_weights.values()))
    assert {load.region: load.geo_share for load in result.loads} == geo_expected
    # Capacity: the worse of the two shares at peak, against the rendered HPA maximum.
    capacity = routing(model()).capacity
    for load in result.loads:
        worst = max(load.weighted_share, load.geo_share or 0)
        rps = Fraction(str(capacity.peak_rps)) * worst
        assert load.replicas_needed == max(
            load.min_replicas, math.ceil(rps / Fraction(str(capacity.rps_per_replica)))
        )
        assert load.max_replicas == _hpa_max(rendered, load.region)
    assert result.ok and not any(result.unrouted.values())


def test_two_regions_down_leaves_geography_without_a_path() -> None:
    result = simulate(model(), ["us-east-1", "eu-west-1"])
    expected = _geo_expectation(_records(_rendered()), {"us-east-1", "eu-west-1"})
    assert {g.code: g.serving for g in result.geo} == expected
    assert result.unrouted[GEO] == Fraction(80, 100)
    assert not result.ok


def test_gclb_only_spec_uses_the_weights_alone() -> None:
    data = example_data()
    data["globalRouting"]["providers"] = ["gclb"]
    del data["globalRouting"]["route53"]
    result = simulate(model(data), ["eu-west-1"])
    assert result.modes == (WEIGHTED,) and result.geo == ()
    assert {load.region: load.weighted_share for load in result.loads} == {
        "us-east-1": Fraction(5, 7),
        "ap-southeast-1": Fraction(2, 7),
    }


def test_unknown_region_is_refused() -> None:
    with pytest.raises(UnknownRegions, match="did you mean 'us-east-1'"):
        simulate(model(), ["us-eats-1"])


def test_cli_prints_the_shift_and_the_verdict() -> None:
    result = run_cli(["simulate", "--down", "us-east-1", str(EXAMPLE_SPEC)])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "NA  -> eu-west-1  (was us-east-1)" in result.stdout
    assert "eu-west-1" in result.stdout and "80.0%" in result.stdout
    assert "Verdict: OK" in result.stdout


def test_cli_fails_when_survivors_cannot_absorb_the_load(tmp_path: Path) -> None:
    data = example_data()
    data["globalRouting"]["capacity"]["peakRequestsPerSecond"] = 2000
    result = run_cli(["simulate", "--down", "us-east-1", str(write_spec(tmp_path, data))])
    assert result.exit_code == 1, result.stdout
    assert "OVER CAPACITY" in result.stdout and "Verdict: FAIL" in result.stdout
    everything = run_cli(
        ["simulate", "--down", "us-east-1,eu-west-1", "--down", "ap-southeast-1", str(EXAMPLE_SPEC)]
    )
    assert everything.exit_code == 1


def test_cli_usage_errors_exit_2(tmp_path: Path) -> None:
    unknown = run_cli(["simulate", "--down", "mars-1", str(EXAMPLE_SPEC)])
    assert unknown.exit_code == 2 and "mars-1" in unknown.stderr
    data = example_data()
    del data["globalRouting"]
    plain = run_cli(["simulate", "--down", "us-east-1", str(write_spec(tmp_path, data))])
    assert plain.exit_code == 2 and "globalRouting" in plain.stderr


def test_a_failing_verdict_names_the_region_out_of_capacity(tmp_path: Path) -> None:
    data = example_data()
    data["globalRouting"]["capacity"]["peakRequestsPerSecond"] = 2000
    result = simulate(model(data), ["us-east-1"])
    over = [load for load in result.loads if not load.ok]
    assert [load.region for load in over] == ["eu-west-1", "ap-southeast-1"]
    # eu-west-1 takes 80% under geolocation DNS (its own 30% and NA's 50%): 1600 rps
    assert result.reasons()[0] == (
        "eu-west-1 runs out of capacity: under geolocation DNS it carries 80.0% of the peak "
        "(1600 requests/s) and needs 40 replicas, above its HPA maximum of 15"
    )
    assert result.reasons()[1].startswith("ap-southeast-1 runs out of capacity: under weights")
    cli = run_cli(["simulate", "--down", "us-east-1", str(write_spec(tmp_path, data))])
    assert cli.exit_code == 1
    verdict = cli.stdout.split("Verdict: FAIL, the surviving regions cannot absorb the load:\n")
    assert verdict[1].splitlines() == [f"  - {reason}" for reason in result.reasons()]


def test_a_failing_verdict_says_which_traffic_has_nowhere_to_go() -> None:
    result = simulate(model(), ["us-east-1", "eu-west-1"])
    lost = {s.origins: s for s in result.stranded}
    assert set(lost) == {(("us-east-1", Fraction(1, 2)),), (("eu-west-1", Fraction(3, 10)),)}
    na = lost[(("us-east-1", Fraction(1, 2)),)]
    assert (na.mode, na.share, na.codes, na.tried) == (
        GEO,
        Fraction(1, 2),
        ("NA", "*"),
        ("us-east-1", "eu-west-1"),
    )
    assert sum(s.share for s in result.stranded) == result.unrouted[GEO]
    assert (
        "50.0% of traffic has nowhere to go under geolocation DNS: the demand of us-east-1 "
        "(50.0%) enters through NA and * at us-east-1.api.example.com, which can only answer "
        "with us-east-1 or eu-west-1, both down"
    ) in result.reasons()
    assert (
        "30.0% of traffic has nowhere to go under geolocation DNS: the demand of eu-west-1 "
        "(30.0%) enters through EU at eu-west-1.api.example.com then us-east-1.api.example.com, "
        "which can only answer with eu-west-1 or us-east-1, both down"
    ) in result.reasons()
    assert simulate(model(), ["us-east-1"]).reasons() == ()


def test_a_failing_verdict_with_every_region_down_says_so() -> None:
    result = simulate(model(), ["us-east-1", "eu-west-1", "ap-southeast-1"])
    assert result.reasons() == (
        "every region is down (us-east-1, eu-west-1, ap-southeast-1): "
        "no region is left to serve any traffic",
    )
