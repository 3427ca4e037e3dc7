"""The monitoring section: defaults, located semantic errors, and spec values reaching output."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import require_tool, run_cli


def _edit(project: Path, change: dict[str, Any] | None) -> Path:
    spec_path = project / "spec" / "fingerprint-api.yaml"
    data = yaml.safe_load(spec_path.read_text())
    if change is None:
        data.pop("monitoring")
    else:
        data["monitoring"].update(change)
    spec_path.write_text(yaml.safe_dump(data, sort_keys=False))
    return spec_path


def test_section_is_optional_and_defaults_to_the_guide(project: Path) -> None:
    full = run_cli(["render", "--out", "full"], cwd=project)
    _edit(project, None)
    bare = run_cli(["render", "--out", "bare"], cwd=project)
    assert full.exit_code == bare.exit_code == 0, full.stderr + bare.stderr
    one = project / "full/monitoring/rules/global-alerts.rules.yaml"
    two = project / "bare/monitoring/rules/global-alerts.rules.yaml"
    assert one.read_text() == two.read_text()


def test_disabled_renders_no_monitoring(project: Path) -> None:
    _edit(project, {"enabled": False})
    result = run_cli(["render", "--out", "out"], cwd=project)
    assert result.exit_code == 0, result.stderr
    assert not (project / "out/monitoring").exists()
    assert not (project / "out/k8s/platform/monitoring").exists()
    assert not (project / "out/k8s/base/mesh/servicemonitor.yaml").exists()


def test_missing_bucket_boundaries_are_located_errors(project: Path) -> None:
    _edit(project, {"buckets": [0.1, 0.25, 1, 2, 5], "regionDownFor": "10m"})
    result = run_cli(["render", "--out", "out"], cwd=project)
    assert result.exit_code == 1
    err = result.stderr
    assert "monitoring.buckets: 0.5 s (the latency SLO threshold" in err
    assert "0.15 s (the latency target of eu-west-1)" in err
    assert "0.2 s (the latency target of ap-southeast-1)" in err
    assert "0.1 s" not in err
    assert "monitoring.regionDownFor: 10m is longer than the failover SLO (300 s)" in err
    assert "fingerprint-api.yaml:" in err


def test_bad_template_objective_and_unknown_region(project: Path) -> None:
    _edit(
        project,
        {
            "federation": {
                "targetTemplate": "prom.example.com:9090",
                "targets": {"mars-1": "prom.mars.example.com:9090"},
            },
            "slo": {"objective": 90},
        },
    )
    result = run_cli(["render", "--out", "out"], cwd=project)
    assert result.exit_code == 1
    assert "must contain {region} exactly once" in result.stderr
    assert "'mars-1' is not a region in this spec" in result.stderr
    assert "14.4x burn-rate page could never fire" in result.stderr


def test_spec_values_reach_every_artifact(project: Path) -> None:
    _edit(
        project,
        {
            "metrics": {"requests": "api_requests_total"},
            "federation": {"targets": {"eu-west-1": "prom-eu.example.com:9091"}},
            "slo": {"objective": 99.9, "latencyThresholdMs": 250},
        },
    )
    result = run_cli(["render", "--out", "out"], cwd=project)
    assert result.exit_code == 0, result.stderr
    out = project / "out"
    regional = (out / "monitoring/rules/regional.rules.yaml").read_text()
    assert 'rate(api_requests_total{job="fingerprint-api"}[5m])' in regional
    assert 'le="0.25"' in regional and 'le="0.5"' not in regional
    slo = (out / "monitoring/rules/global-slo.rules.yaml").read_text()
    assert "(14.4 * 0.001)" in slo and "latency-p99-250ms" in slo
    glob = yaml.safe_load((out / "monitoring/prometheus/global.yml").read_text())
    targets = {
        g["labels"]["region"]: g["targets"][0] for g in glob["scrape_configs"][0]["static_configs"]
    }
    assert targets["eu-west-1"] == "prom-eu.example.com:9091"
    assert targets["us-east-1"] == "prometheus.monitoring.us-east-1.internal:9090"
    dashboard = (out / "monitoring/dashboards/fingerprint-api-multi-region.json").read_text()
    assert "job:api_requests:rate5m" in dashboard
    # The generated unit tests follow the changed values and still pass.
    tests = sorted(str(p) for p in (out / "monitoring/rules/tests").glob("*.test.yaml"))
    check = subprocess.run(
        [require_tool("promtool"), "test", "rules", *tests],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
