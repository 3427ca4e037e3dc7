"""Seam rules of monitoring (issue 12): each fires, located, and passes when fixed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.seam_helpers import copy_rendered, edit_yaml, findings, loc, obj, write

MESH = Path("k8s/base/mesh")
MONITOR = MESH / "servicemonitor.yaml"
RULES = Path("monitoring/rules/global-alerts.rules.yaml")
OPERATOR_RULES = Path("k8s/platform/monitoring/prometheusrule-global-alerts.yaml")
RUNBOOK = Path("docs/runbook.md")
STRICT = (
    "but PeerAuthentication fingerprint-api/default makes it STRICT mTLS in {clusters}: "
    "the sidecar rejects the scrape and up is 0; scrape through metrics merging "
    "(:15020), with Istio certificates, or give the port a PERMISSIVE exception"
)
ALL = "ap-southeast-1, eu-west-1 and us-east-1"


def test_plain_http_scrapes_under_strict_mtls(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    regional = root / "monitoring/prometheus/regional-eu-west-1.yml"
    found = findings(root, "scrape-reachable-mtls")
    assert found[0] == (
        f"{loc(root / MONITOR, 'interval: 30s')}: scrape-reachable-mtls: ServiceMonitor "
        "fingerprint-api/fingerprint-api scrapes port 8000 of Deployment "
        "fingerprint-api/fingerprint-api over plain HTTP, " + STRICT.format(clusters=ALL)
    )
    at = loc(regional, "job_name: fingerprint-api", shift=len("job_name: "))
    assert (
        f"{at}: scrape-reachable-mtls: scrape job "
        "fingerprint-api scrapes port 8000 of Deployment fingerprint-api/fingerprint-api "
        "over plain HTTP, " + STRICT.format(clusters="eu-west-1")
    ) in found
    assert len(found) == 4  # the ServiceMonitor and the three regional configurations


def test_port_level_exception_lets_the_scrapes_through(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    write(
        root / MESH,
        "peerauthentication-metrics.yaml",
        obj(
            "security.istio.io/v1",
            "PeerAuthentication",
            "metrics",
            "fingerprint-api",
            spec={
                "selector": {"matchLabels": {"app.kubernetes.io/name": "fingerprint-api"}},
                "mtls": {"mode": "STRICT"},
                "portLevelMtls": {8000: {"mode": "PERMISSIVE"}},
            },
        ),
    )
    edit_yaml(
        root / MESH / "kustomization.yaml",
        lambda d: d["resources"].append("peerauthentication-metrics.yaml"),
    )
    assert findings(root, "scrape-reachable-mtls") == []


def test_tls_scrape_with_istio_certificates_passes(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    edit_yaml(
        root / MONITOR,
        lambda d: d["spec"]["endpoints"][0].update(
            scheme="https",
            tlsConfig={"caFile": "/etc/prom-certs/root-cert.pem", "insecureSkipVerify": True},
        ),
    )
    assert not [f for f in findings(root, "scrape-reachable-mtls") if "ServiceMonitor" in f]


def test_pods_scraped_through_two_services(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    assert findings(root, "scrape-once") == [
        f"{loc(root / MONITOR, 'interval: 30s')}: scrape-once: pods of Deployment "
        "fingerprint-api/fingerprint-api (port 8000) are scraped 2 times, by ServiceMonitor "
        "fingerprint-api/fingerprint-api through Services fingerprint-api and "
        f"fingerprint-api-metrics, in {ALL}: their series are counted 2 times in every sum"
    ]


def test_monitor_selecting_one_service_passes(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    edit_yaml(
        root / MONITOR,
        lambda d: d["spec"]["selector"]["matchLabels"].update(
            {"app.kubernetes.io/component": "metrics"}
        ),
    )
    assert findings(root, "scrape-once") == []


def _alert_message(alerts: str, metric: str, reason: str, via: str = "") -> str:
    through = f" (through recording rule {via})" if via else ""
    return (
        f"alert-input-produced: {alerts} {metric}{through}, which nothing produces: "
        f"{reason}; an alert on it never fires, and absent() on it fires forever"
    )


def test_alert_inputs_without_producers(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    rules = root / RULES
    no_job = "its selector names no job, and no runbook prerequisite documents who exports it"
    found = [f for f in findings(root, "alert-input-produced") if f.startswith(str(rules))]
    assert found == [
        f"{loc(rules, 'time() - max by (region)')}: "
        + _alert_message(
            "alerts ModelSyncStale and MonitoringDataAbsent read",
            "model_sync_last_success_timestamp_seconds",
            no_job,
            "region:model_sync_last_success_timestamp_seconds:max",
        ),
        f"{loc(rules, 'max by (region) (region:cache')}: "
        + _alert_message(
            "alerts CacheReplicationLagHigh and MonitoringDataAbsent read",
            "cache_replication_lag_seconds",
            no_job,
            "region:cache_replication_lag_seconds:max",
        ),
        f"{loc(rules, 'avg_over_time(probe_success')}: "
        + _alert_message(
            "alerts FailoverSLOBreach and MonitoringDataAbsent read",
            "probe_success",
            'no probe (Probe object or /probe scrape job) has job="blackbox-global"',
        ),
    ]
    assert len(findings(root, "alert-input-produced")) == 6  # and the same in the PrometheusRule


def test_documented_prerequisites_and_a_prober_pass(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    runbook = root / RUNBOOK
    runbook.write_text(
        runbook.read_text() + "\n## Prerequisites\n\n"
        "- `model_sync_last_success_timestamp_seconds`: pushed by the sync job\n"
        "- `cache_replication_lag_seconds`: scraped from the watcher\n"
    )
    path = root / "monitoring/prometheus/global.yml"
    config = yaml.safe_load(path.read_text())
    config["scrape_configs"].append(
        {
            "job_name": "blackbox-global",
            "metrics_path": "/probe",
            "static_configs": [{"targets": ["https://api.example.com"]}],
        }
    )
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    assert findings(root, "alert-input-produced") == []


def test_alert_on_a_job_nothing_scrapes(tmp_path: Path) -> None:
    write(tmp_path, "prometheus.yml", {"scrape_configs": [{"job_name": "api"}]})
    rules = write(
        tmp_path,
        "rules.yaml",
        {
            "groups": [
                {
                    "name": "g",
                    "rules": [
                        {
                            "alert": "Down",
                            "expr": 'up{job="web"} == 0',
                            "labels": {"severity": "critical"},
                        },
                        {"alert": "ApiDown", "expr": 'up{job="api"} == 0'},
                    ],
                }
            ]
        },
    )
    assert findings(tmp_path, "alert-input-produced") == [
        f"{loc(rules, 'up{job=')}: "
        + _alert_message("alert Down reads", "up", 'no scrape job has job="web"')
    ]


def _runbook_without(root: Path, alert: str) -> None:
    path = root / RUNBOOK
    path.write_text(
        "\n".join(line for line in path.read_text().splitlines() if f"`{alert}`" not in line) + "\n"
    )


def test_paging_alert_without_a_runbook_entry(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    _runbook_without(root, "RegionDown")
    tail = (
        f"paging-alert-runbook: RegionDown pages (severity critical) but {root / RUNBOOK} "
        "has no entry for it: whoever is paged has no procedure"
    )
    assert findings(root, "paging-alert-runbook") == [
        f"{loc(root / OPERATOR_RULES, 'RegionDown')}: {tail}",
        f"{loc(root / RULES, 'RegionDown')}: {tail}",
    ]


@pytest.mark.parametrize(
    ("url", "fires"),
    [
        ("docs/runbook.md#alerts", False),
        ("docs/runbook.md#no-such-section", True),
        ("https://runbooks.example.com/region-down", False),
    ],
)
def test_paging_alert_with_a_runbook_url(tmp_path: Path, url: str, fires: bool) -> None:
    root = copy_rendered(tmp_path)
    _runbook_without(root, "RegionDown")

    def annotate(data: Any) -> None:
        data["groups"][0]["rules"][0]["annotations"]["runbook_url"] = url

    edit_yaml(root / RULES, annotate)
    found = [f for f in findings(root, "paging-alert-runbook") if f.startswith(str(root / RULES))]
    assert bool(found) == fires, found


def test_every_paging_alert_of_the_example_has_an_entry() -> None:
    from tests.conftest import RENDERED

    assert findings(RENDERED, "paging-alert-runbook") == []
