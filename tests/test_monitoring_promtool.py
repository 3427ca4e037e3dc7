"""The rendered monitoring files, checked with the real promtool plus the domain checks
(domain-notes section 9, checks 20-30) asserted on the rendered output."""

from __future__ import annotations

import json
import re
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.loader import load_file
from tests.conftest import EXAMPLE_SPEC, require_crd_schemas, require_tool, run_cli

BURN = {
    "Page": [("5m", "1h", 14.4), ("30m", "6h", 6.0)],
    "Ticket": [("2h", "1d", 3.0), ("6h", "3d", 1.0)],
}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("render")
    result = run_cli(["render", str(EXAMPLE_SPEC), "--out", str(folder)])
    assert result.exit_code == 0, result.stderr
    return folder


@pytest.fixture(scope="module")
def spec_data() -> dict[str, Any]:
    data: dict[str, Any] = load_file(EXAMPLE_SPEC).data
    return data


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def promtool(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    tool = require_tool("promtool")
    return subprocess.run(
        [tool, *args], capture_output=True, text=True, timeout=60, cwd=cwd, check=False
    )


def all_rules(out: Path) -> list[dict[str, Any]]:
    return [
        rule
        for f in sorted((out / "monitoring/rules").glob("*.rules.yaml"))
        for group in load(f)["groups"]
        for rule in group["rules"]
    ]


def alerts(out: Path, name: str) -> list[dict[str, Any]]:
    return [r for r in all_rules(out) if r.get("alert") == name]


# --- check 20: promtool accepts everything ---------------------------------------------


def test_promtool_check_config_on_every_prometheus_config(out: Path) -> None:
    configs = sorted((out / "monitoring/prometheus").glob("*.yml"))
    assert len(configs) == 4  # global + three regions
    for config in configs:
        result = promtool("check", "config", str(config))
        assert result.returncode == 0, f"{config.name}: {result.stdout}{result.stderr}"
        assert "SUCCESS" in result.stdout + result.stderr


def test_promtool_check_rules_on_rule_files_and_prometheus_rules(out: Path, tmp_path: Path) -> None:
    files = sorted((out / "monitoring/rules").glob("*.rules.yaml"))
    assert [f.name for f in files] == [
        "global-alerts.rules.yaml",
        "global-slo.rules.yaml",
        "regional.rules.yaml",
    ]
    objects = sorted((out / "k8s").rglob("prometheusrule-*.yaml"))
    assert len(objects) == 3
    for index, obj in enumerate(objects):
        extracted = tmp_path / f"extracted-{index}.yaml"
        extracted.write_text(yaml.safe_dump(load(obj)["spec"]))
        files.append(extracted)
    result = promtool("check", "rules", *map(str, files))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("SUCCESS") == len(files)


def test_rendered_rule_unit_tests_pass(out: Path) -> None:
    tests = sorted((out / "monitoring/rules/tests").glob("*.test.yaml"))
    assert len(tests) == 3
    result = promtool("test", "rules", *map(str, tests))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("SUCCESS") == 3


def test_rule_unit_tests_catch_a_wrong_threshold(out: Path, tmp_path: Path) -> None:
    """The generated tests are not vacuous: a rule file with eu-west-1's target lowered
    to us-east-1's fails them."""
    rules = tmp_path / "rules"
    (rules / "tests").mkdir(parents=True)
    text = (out / "monitoring/rules/global-alerts.rules.yaml").read_text()
    assert text.count(" > 0.15\n") == 1
    (rules / "global-alerts.rules.yaml").write_text(text.replace(" > 0.15\n", " > 0.1\n"))
    test = rules / "tests/global-alerts.test.yaml"
    test.write_text((out / "monitoring/rules/tests/global-alerts.test.yaml").read_text())
    result = promtool("test", "rules", str(test))
    assert result.returncode != 0
    assert "CrossRegionLatencyHigh" in result.stdout + result.stderr


def test_every_alert_has_a_firing_and_a_quiet_case(out: Path) -> None:
    names = {r["alert"] for r in all_rules(out) if "alert" in r}
    fired: set[str] = set()
    quiet: set[str] = set()
    for test_file in (out / "monitoring/rules/tests").glob("*.test.yaml"):
        for case in load(test_file)["tests"]:
            for check in case.get("alert_rule_test", []):
                (fired if check["exp_alerts"] else quiet).add(check["alertname"])
    assert names == fired == quiet


def test_dashboard_queries_parse(out: Path, tmp_path: Path) -> None:
    board = json.loads(
        (out / "monitoring/dashboards/fingerprint-api-multi-region.json").read_text()
    )
    exprs = [t["expr"] for p in board["panels"] for t in p.get("targets", [])]
    assert len(exprs) >= 12
    rules = [{"record": f"dashboard:query{i}", "expr": e} for i, e in enumerate(exprs)]
    path = tmp_path / "dashboard.rules.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = promtool("check", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr


# --- checks 21-23: federation and external labels -----------------------------------------


def test_federation_job(out: Path, spec_data: dict[str, Any]) -> None:
    config = load(out / "monitoring/prometheus/global.yml")
    [job] = [j for j in config["scrape_configs"] if j["job_name"] == "federate"]
    assert job["honor_labels"] is True
    assert job["metrics_path"] == "/federate"
    matches = job["params"]["match[]"]
    assert matches
    for match in matches:  # instant vector selectors: no range, no function call
        assert re.fullmatch(r"[a-zA-Z_:]*\{[^{}\[\]()]*\}|[a-zA-Z_:]+", match), match
        assert "_bucket{" not in match and "http_request_duration_seconds_bucket|" not in match
        assert not re.search(r'"http_request_duration_seconds_bucket"', match)
    names = re.findall(r'__name__=~"([^"]+)"', matches[0])[0].split("|")
    assert all(n.startswith(("job:", "job_le:", "region:")) for n in names)
    regions = [r["name"] for r in spec_data["regions"]]
    assert [g["labels"]["region"] for g in job["static_configs"]] == regions
    assert all(len(g["targets"]) == 1 for g in job["static_configs"])
    assert "region" not in config["global"].get("external_labels", {})
    assert {"action": "labeldrop", "regex": "prometheus_replica"} in job["metric_relabel_configs"]


def test_regional_configs_set_their_region(out: Path, spec_data: dict[str, Any]) -> None:
    for region in spec_data["regions"]:
        config = load(out / f"monitoring/prometheus/regional-{region['name']}.yml")
        assert config["global"]["external_labels"] == {"region": region["name"]}
        assert config["rule_files"] == ["../rules/regional.rules.yaml"]


def test_scrape_config_matches_plain_federation_job(out: Path) -> None:
    job = load(out / "monitoring/prometheus/global.yml")["scrape_configs"][0]
    obj = load(out / "k8s/platform/monitoring/scrapeconfig-federate.yaml")
    assert obj["kind"] == "ScrapeConfig"
    spec = obj["spec"]
    assert (spec["jobName"], spec["honorLabels"], spec["metricsPath"]) == (
        job["job_name"],
        job["honor_labels"],
        job["metrics_path"],
    )
    assert spec["params"] == job["params"]
    assert spec["staticConfigs"] == job["static_configs"]


def test_operator_objects_match_their_crd_schemas(out: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    folder = require_crd_schemas() / "monitoring.coreos.com"
    objects = [load(p) for p in sorted((out / "k8s").rglob("*.yaml"))]
    ours = [o for o in objects if o["apiVersion"].startswith("monitoring.coreos.com/")]
    assert {o["kind"] for o in ours} == {"ServiceMonitor", "PrometheusRule", "ScrapeConfig"}
    for obj in ours:
        version = obj["apiVersion"].split("/")[1]
        schema = json.loads((folder / f"{obj['kind'].lower()}_{version}.json").read_text())
        # No check_schema: the CRD patterns are Go regexes (e.g. a leading (?i)).
        errors = list(jsonschema.validators.validator_for(schema)(schema).iter_errors(obj))
        assert not errors, f"{obj['kind']}: {[e.message for e in errors]}"


# --- checks 24-28: alert semantics ------------------------------------------------------------


def test_region_down(out: Path) -> None:
    [rule] = alerts(out, "RegionDown")
    assert 'up{job="federate"}) == 0' in rule["expr"]
    assert 'job:up:sum{job="fingerprint-api"}) == 0' in rule["expr"]
    assert "\nor\n" in rule["expr"]
    assert rule["labels"]["severity"] == "critical"
    amount, unit = int(rule["for"][:-1]), rule["for"][-1]
    assert amount * {"s": 1, "m": 60, "h": 3600}[unit] <= 300


def test_cross_region_latency_per_region(out: Path, spec_data: dict[str, Any]) -> None:
    rules = alerts(out, "CrossRegionLatencyHigh")
    assert len(rules) == len(spec_data["regions"])
    for region, rule in zip(spec_data["regions"], rules, strict=True):
        assert re.search(
            r"histogram_quantile\(0\.99, sum by \(le, region\) \(\S+_bucket:rate5m", rule["expr"]
        )
        assert f'region="{region["name"]}"' in rule["expr"]
        threshold = Decimal(rule["expr"].rsplit(">", 1)[1].strip())
        assert threshold == Decimal(region["latencyTargetMs"]) / 1000


def test_latency_slo_rules(out: Path, spec_data: dict[str, Any]) -> None:
    regional = load(out / "monitoring/rules/regional.rules.yaml")["groups"][0]["rules"]
    good = [r for r in regional if r["record"].startswith("job:slo_latency_good:rate")]
    windows = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]
    assert [r["record"].rsplit("rate", 1)[1] for r in good] == windows
    assert all('le="0.5"' in r["expr"] for r in good)
    # The service's buckets (the defaults here) include 0.5 and every regional target.
    from generator.sections.monitoring.build import DEFAULT_BUCKETS

    bounds = {Decimal(b) for b in DEFAULT_BUCKETS}
    assert Decimal("0.5") in bounds
    assert all(Decimal(r["latencyTargetMs"]) / 1000 in bounds for r in spec_data["regions"])
    slis = [r for r in all_rules(out) if r.get("record", "").startswith("slo:sli_error")]
    assert [r["record"].rsplit("rate", 1)[1] for r in slis] == windows
    for sli in slis:
        assert re.fullmatch(r"1 - \(sum by \(job\) \(\S+\) / sum by \(job\) \(\S+\)\)", sli["expr"])


def test_burn_rate_alerts(out: Path) -> None:
    budget = 1 - 0.995
    for suffix, pairs in BURN.items():
        [rule] = alerts(out, f"LatencySLOBurnRate{suffix}")
        clauses = rule["expr"].split("\nor\n")
        assert len(clauses) == len(pairs)
        for clause, (short, long, factor) in zip(clauses, pairs, strict=True):
            found = re.findall(r"ratio_rate(\w+)\{[^}]*\} > \(([\d.]+) \* ([\d.]+)\)", clause)
            assert [w for w, _, _ in found] == [short, long]
            assert "\nand\n" in clause
            for _, f, b in found:
                assert float(f) == factor
                assert abs(float(f) * float(b) - factor * budget) < 1e-12
        assert rule["labels"]["slo"]


def test_slo_alerts_carry_slo_labels(out: Path) -> None:
    expected = {
        "ModelSyncStale": "> 1800",
        "CacheReplicationLagHigh": "> 60",
        "FailoverSLOBreach": "< 0.5",
        "CrossRegionLatencySLOBreach": "> 2",
    }
    for name, comparison in expected.items():
        [rule] = alerts(out, name)
        assert rule["expr"].endswith(comparison), rule["expr"]
        assert rule["labels"]["slo"]
    assert alerts(out, "FailoverSLOBreach")[0]["for"] == "5m"


# --- check 30 and the dashboard ConfigMap -----------------------------------------------


def test_prometheus_rules_equal_plain_rule_files(out: Path) -> None:
    for kind, folder in (
        ("regional", "base/mesh"),
        ("global-alerts", "platform/monitoring"),
        ("global-slo", "platform/monitoring"),
    ):
        obj = load(out / f"k8s/{folder}/prometheusrule-{kind}.yaml")
        plain = load(out / f"monitoring/rules/{kind}.rules.yaml")
        assert obj["spec"]["groups"] == plain["groups"]
        assert obj["metadata"]["labels"]["release"] == "kube-prometheus-stack"


def test_dashboard_config_map_carries_the_dashboard(out: Path) -> None:
    path = out / "monitoring/dashboards/fingerprint-api-multi-region.json"
    obj = load(out / "k8s/platform/monitoring/configmap-dashboard.yaml")
    assert obj["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert obj["data"] == {path.name: path.read_text()}
    board = json.loads(path.read_text())
    ids = [p["id"] for p in board["panels"]]
    assert ids == list(range(1, len(ids) + 1))
    titles = " | ".join(p["title"] for p in board["panels"])
    for words in (
        "Total request rate",
        "Global error rate",
        "Global P99",
        "Requests per region",
        "Error rate per region",
        "P50/P95/P99",
        "pods per region",
        "Availability per region",
        "Cross-region",
    ):
        assert words in titles
