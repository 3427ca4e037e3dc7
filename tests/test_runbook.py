"""The rendered operator runbook (docs/runbook.md) says what the spec says."""

from __future__ import annotations

import dataclasses
import re
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from generator.build import build
from generator.loader import load_file
from generator.render import render
from generator.sections.monitoring.model import MONITORING
from generator.sections.runbook import runbook
from generator.serialize import markdown_text, mermaid_text
from generator.spec import Spec
from tests.conftest import EXAMPLE_SPEC, RENDERED

DASH = "\N{EN DASH}"


def _spec() -> Spec:
    return build(load_file(EXAMPLE_SPEC), "spec/fingerprint-api.yaml")


def _render(spec: Spec) -> tuple[str, dict[str, str]]:
    files = {f.path: f.content for f in render(spec)}
    return files["docs/runbook.md"], files


def _section(text: str, heading: str) -> str:
    start = text.index(f"\n{heading}\n")
    level = heading.split(" ")[0]
    rest = text[start + len(heading) + 2 :]
    end = re.search(rf"^#{{2,{len(level)}}} ", rest, re.M)  # "# restore" is a shell comment
    return rest[: end.start()] if end else rest


def _table(section: str) -> list[dict[str, str]]:
    rows = [
        [c.strip() for c in re.split(r"(?<!\\)\|", line.strip()[1:-1])]
        for line in section.splitlines()
        if line.startswith("|")
    ]
    header, body = rows[0], rows[2:]
    return [dict(zip(header, row, strict=True)) for row in body]


def test_the_committed_runbook_is_the_rendered_one() -> None:
    text, _ = _render(_spec())
    assert (RENDERED / "docs/runbook.md").read_text(encoding="utf-8") == text
    assert text.startswith("<!-- DO NOT EDIT")


def test_regions_table_matches_the_spec() -> None:
    spec = _spec()
    text, _ = _render(spec)
    rows = _table(_section(text, "## Regions"))
    assert [r["Region"] for r in rows] == [r.name for r in spec.regions]
    for row, region in zip(rows, spec.regions, strict=True):
        assert row["Role"] == region.role
        assert row["Cluster (kube-context)"] == f"`{region.cluster}`"
        assert row["Weight"] == f"{region.weight}%"
        assert (
            row[f"Replicas (min{DASH}max)"] == f"{region.min_replicas}{DASH}{region.max_replicas}"
        )
        assert row["P99 latency target"] == f"{region.latency_target_ms} ms"
        assert row["Failover chain"] == " → ".join(region.failover)


# The guide's 50/30/20 split, worked out by hand: losing a region spreads its share over the
# others in proportion to their weights.
GUIDE_DRILLS = {
    "us-east-1": {"eu-west-1": ("30%", "60%"), "ap-southeast-1": ("20%", "40%")},
    "eu-west-1": {"us-east-1": ("50%", "71.4%"), "ap-southeast-1": ("20%", "28.6%")},
    "ap-southeast-1": {"us-east-1": ("50%", "62.5%"), "eu-west-1": ("30%", "37.5%")},
}


@pytest.mark.parametrize("lost", sorted(GUIDE_DRILLS))
def test_failover_drill_computes_the_expected_shift(lost: str) -> None:
    spec = _spec()
    text, files = _render(spec)
    section = _section(text, f"### Drill: lose {lost}")
    shares = {
        r["Region"]: (r["Share before"], r["Expected share during the drill"])
        for r in _table(section)
    }
    assert shares == GUIDE_DRILLS[lost]
    region = spec.region(lost)
    workload = f"{lost}-fingerprint-api"
    assert (
        f"kubectl --context {region.cluster} -n fingerprint-api scale "
        f"deployment/{workload} --replicas=0" in section
    )
    assert f"--replicas={region.min_replicas}\n" in section
    first = spec.region(region.failover[0])
    assert (
        f"kubectl --context {first.cluster} -n fingerprint-api get hpa "
        f"{first.name}-fingerprint-api --watch" in section
    )
    # the workload name is what the overlay really produces
    overlay = yaml.safe_load(files[f"k8s/overlays/{lost}/workload/kustomization.yaml"])
    deployment = yaml.safe_load(files["k8s/base/workload/deployment.yaml"])
    assert overlay["namePrefix"] + deployment["metadata"]["name"] == workload


def test_edge_shares_and_percentages() -> None:
    spec = _spec()
    assert sum(runbook.edge_shares(spec.regions, spec.primary).values()) == 1
    assert runbook.percent(Fraction(1, 3)) == "33.3%"
    assert runbook.percent(Fraction(5, 8)) == "62.5%"
    assert runbook.percent(Fraction(1, 2)) == "50%"
    weights = [
        dataclasses.replace(r, weight=w) for r, w in zip(spec.regions, (100, 0, 0), strict=True)
    ]
    assert runbook.edge_shares(weights, weights[0]) == {
        "eu-west-1": Fraction(1, 2),
        "ap-southeast-1": Fraction(1, 2),
    }


def test_deploy_commands_use_each_cluster_context_and_a_real_overlay() -> None:
    spec = _spec()
    text, files = _render(spec)
    section = _section(text, "## Deploy and verify")
    applied = re.findall(r"kubectl --context (\S+) apply -k (\S+)", section)
    assert applied == [(r.cluster, f"k8s/overlays/{r.name}") for r in spec.regions]
    for _, path in applied:
        assert f"{path}/kustomization.yaml" in files
    assert "Argo CD" in section


def test_mermaid_diagram_has_every_region_weight_and_failover_edge() -> None:
    spec = _spec()
    text, _ = _render(spec)
    block = re.search(r"```mermaid\n(.*?)```", text, re.S)
    assert block and block.group(1).startswith("flowchart ")
    nodes = dict(re.findall(r'^\s*(r\d+)\["([^"]*)"\]', block.group(1), re.M))
    names = {node: label.split("<br/>")[0] for node, label in nodes.items()}
    assert sorted(names.values()) == sorted(r.name for r in spec.regions)
    for node, label in nodes.items():
        assert f"weight {spec.region(names[node]).weight}%" in label
    weights = {names[n]: w for w, n in re.findall(r'users -->\|"(\d+)%"\| (r\d+)', block.group(1))}
    assert weights == {r.name: str(r.weight) for r in spec.regions}
    edges = re.findall(r'(r\d+) (-->|-\.->)\|"failover (\d+)"\| (r\d+)', block.group(1))
    found = {(names[a], int(rank), names[b], arrow == "-->") for a, arrow, rank, b in edges}
    expected = {
        (r.name, i, target, i == 1)
        for r in spec.regions
        for i, target in enumerate(r.failover, start=1)
    }
    assert found == expected


def test_alert_table_comes_from_the_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _spec()
    text, files = _render(spec)
    rule_files = [
        yaml.safe_load(content)
        for path, content in files.items()
        if path.startswith("monitoring/rules/") and path.endswith(".rules.yaml")
    ]
    rendered_alerts = {
        rule["alert"]
        for data in rule_files
        for group in data["groups"]
        for rule in group["rules"]
        if "alert" in rule
    }
    listed = [r["Alert"].strip("`") for r in _table(_section(text, "## Alerts"))]
    assert listed == sorted(rendered_alerts) and "RegionDown" in listed
    assert {a.alert for a in runbook.alerts(spec)} == rendered_alerts
    region_down = next(a for a in runbook.alerts(spec) if a.alert == "RegionDown")
    assert region_down.severity == "critical" and "<region>" in region_down.meaning
    quiet = spec.with_model(MONITORING, None)
    assert runbook.alerts(quiet) == []
    text, _ = _render(quiet)
    assert "No alert rules are configured" in _section(text, "## Alerts")
    catalogue = [
        runbook.RunbookAlert("RegionDown", "critical", "a region has no ready pods"),
        runbook.RunbookAlert("BurnRate|Fast", "page", "error budget burns > 14x"),
    ]
    monkeypatch.setattr(runbook, "alerts", lambda _spec: catalogue)
    text, _ = _render(spec)
    rows = _table(_section(text, "## Alerts"))
    assert [(r["Alert"], r["Severity"]) for r in rows] == [
        ("`RegionDown`", "critical"),
        ("`BurnRate\\|Fast`", "page"),
    ]
    assert rows[1]["Meaning"] == "error budget burns \\> 14x"


def test_markdown_and_mermaid_filters_escape() -> None:
    assert markdown_text("a|b *c*\n d") == "a\\|b \\*c\\* d"
    assert mermaid_text(['say "hi"', "<b>"]) == '"say #quot;hi#quot;<br/>#lt;b#gt;"'


def test_runbook_is_not_a_kustomize_resource(tmp_path: Path) -> None:
    _, files = _render(_spec())
    assert not any(p.startswith("docs/") and p.endswith("kustomization.yaml") for p in files)
    assert not any("runbook" in c for p, c in files.items() if p.endswith("kustomization.yaml"))
