"""The pull-request comment stays readable and bounded: a one-region addition to the example
is a short summary plus folded details well under 40 KB, and a diff too large for a comment
degrades to the summary (then to whole summary rows) with a note, never a cut table."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

from generator.diffformat import to_markdown, to_text
from generator.diffmarkdown import COMMENT_MARKER, MAX_BYTES
from generator.semdiff import DiffResult, diff_trees
from tests.conftest import run_cli
from tests.globalspec import example_data, files, model
from tests.spec_edit import add_region

ONE_REGION_BOUND = 40_000
"""Bytes of markdown a one-region addition may take (the issue's bound; it was 66,825)."""
INDEXED_IDENTIFIED_LIST = re.compile(
    r"(rules|groups|containers|env|ports|destinations|elements|Changes|scrape_configs|tests"
    r"|input_series|failover|weightedBackendServices)\[\d+\]"
)


def _fourth_region() -> dict[str, object]:
    return add_region(
        example_data(),
        {
            "name": "us-west-2",
            "role": "secondary",
            "cluster": {"name": "us-west-2", "provider": "gke"},
            "location": {"aws": "us-west-2", "gcp": "us-west1"},
            "replicas": {"min": 2, "max": 8},
            "weight": 10,
            "latencyTargetMs": 150,
            "failover": ["us-east-1"],
        },
        {"us-east-1": 40, "eu-west-1": 30, "ap-southeast-1": 20, "us-west-2": 10},
        origin="203.0.113.40",
        health_check_id="44444444-4444-4444-4444-444444444444",
        neg_zones=["us-west1-a", "us-west1-b"],
    )


@cache
def _one_region_added() -> DiffResult:
    old = {path: f.content for path, f in files(model()).items()}
    new = {path: f.content for path, f in files(model(_fourth_region())).items()}
    return diff_trees(old, new)


def _tables_are_whole(markdown: str) -> None:
    """Every table is a header, a separator and rows, each a complete `| ... |` line."""
    for block in markdown.split("\n\n"):
        lines = block.splitlines()
        if lines and lines[0].startswith("|"):
            assert all(
                (line.startswith("| ") and line.endswith(" |")) or line.startswith("|---")
                for line in lines
            ), block
            assert re.fullmatch(r"\|(-+:?\|)+", lines[1].replace("--:", "--")), block


def test_adding_a_region_is_a_short_summary_and_folded_details_under_40_kb() -> None:
    result = _one_region_added()
    markdown = to_markdown(result)
    size = len(markdown.encode("utf-8"))
    assert size < ONE_REGION_BOUND, f"{size} bytes of markdown for one added region"
    summary, details = markdown.split("#### Details\n")
    assert "left out" not in markdown  # it all fits: nothing degraded
    assert len(summary.encode("utf-8")) < 12_000
    assert details.count("<details>") == details.count("</details>") > 0
    # every resource is in the summary: added ones under their folder, changed ones by name
    for resource in result.resources:
        assert (
            f"`{resource.file}`" in summary or f"`{resource.file.rsplit('/', 1)[0]}/`" in summary
        ), resource
    assert "| `k8s/overlays/us-west-2/workload/` | 6 |" in summary
    assert (
        "| `RecordSet fingerprint-api/fingerprint-api-weighted-us-east-1` "
        "| `k8s/platform/route53/recordset-fingerprint-api-weighted-us-east-1.yaml` "
        "| `spec.weight`: `50` → `40` |" in summary
    )
    _tables_are_whole(markdown)


def test_adding_a_region_matches_every_identified_list_item_by_identity() -> None:
    result = _one_region_added()
    paths = [c.path for r in result.resources for c in r.changes]
    assert not [p for p in paths if INDEXED_IDENTIFIED_LIST.search(p)]
    rules = next(
        r
        for r in result.resources
        if r.file == "k8s/platform/monitoring/prometheusrule-global-alerts.yaml"
    )
    assert {(c.status, c.path.split(".rules")[1]) for c in rules.changes} == {
        (
            "added",
            "[CrossRegionLatencyHigh{region=us-west-2, region_target=0.15, severity=warning}]",
        ),
        *(
            ("added", f"[MonitoringDataAbsent{{region=us-west-2, severity=warning, signal={s}}}]")
            for s in ("federation-target", "model-sync", "cache-replication")
        ),
    }
    batch = next(r for r in result.resources if r.file == "route53/change-batch.json")
    assert [(c.path, c.status) for c in batch.changes if c.status == "changed"] == [
        (
            "Changes[weighted.api.example.com A weighted-us-east-1].ResourceRecordSet.Weight",
            "changed",
        )
    ]
    text = to_text(result)
    assert len(text.splitlines()) < 120


def _many_configmaps(count: int) -> DiffResult:
    def tree(value: str) -> dict[str, str]:
        return {
            f"k8s/cm/cm-{i:03}.yaml": yaml.safe_dump(
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": f"cm-{i:03}"},
                    "data": {f"key{j}": f"{value}-{j}" for j in range(6)},
                }
            )
            for i in range(count)
        }

    old, new = tree("old"), tree("new")
    new["k8s/cm/extra.yaml"] = new.pop("k8s/cm/cm-000.yaml")
    return diff_trees(old, new)


def test_a_diff_too_large_for_a_comment_keeps_the_summary_and_says_so() -> None:
    result = _many_configmaps(200)
    full = to_markdown(result, max_bytes=0)
    assert len(full.encode("utf-8")) > MAX_BYTES
    bounded = to_markdown(result)
    assert len(bounded.encode("utf-8")) <= MAX_BYTES
    assert bounded.startswith(COMMENT_MARKER + "\n")
    assert "<details>" not in bounded and "#### Details" in full
    assert full.split("#### Details")[0] in bounded  # the whole summary, unchanged
    assert re.search(
        r"> The details are left out: the whole diff is \d+,\d{3} bytes and this "
        r"comment is limited to 60,000\. Run `mrgen diff` locally",
        bounded,
    )
    _tables_are_whole(bounded)


def test_a_summary_too_large_keeps_whole_rows_and_counts_the_rest() -> None:
    result = _many_configmaps(200)
    for limit in (3_000, 7_777, 12_000):
        bounded = to_markdown(result, max_bytes=limit)
        assert len(bounded.encode("utf-8")) <= limit
        _tables_are_whole(bounded)
        rows = re.findall(r"^\| `", bounded, re.M)  # not the header rows
        note = re.search(r"> Only (\d+) of the (\d+) summary rows fit", bounded)
        assert note, bounded[-300:]
        # one row for the added file, one for the removed one, one per changed ConfigMap
        assert 2 < len(rows) == int(note.group(1)) < int(note.group(2)) == 201


def test_the_cli_bounds_markdown_with_max_bytes(project: Path) -> None:
    assert run_cli(["render"], cwd=project).exit_code == 0
    spec = project / "spec" / "fingerprint-api.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8")
        .replace("weight: 50", "weight: 40")
        .replace("weight: 30", "weight: 40"),
        encoding="utf-8",
    )
    full = run_cli(["diff", "--format", "markdown", "--max-bytes", "0"], cwd=project)
    small = run_cli(["diff", "--format", "markdown", "--max-bytes", "2500"], cwd=project)
    tiny = run_cli(["diff", "--format", "markdown", "--max-bytes", "1000"], cwd=project)
    assert full.exit_code == small.exit_code == tiny.exit_code == 1
    assert "#### Details" in full.stdout and len(full.stdout.encode("utf-8")) > 2500
    assert full.stdout.split("#### Details")[0] in small.stdout
    assert len(small.stdout.encode("utf-8")) <= 2500
    assert "> The details are left out" in small.stdout
    assert len(tiny.stdout.encode("utf-8")) <= 1000 and "> Only " in tiny.stdout
    for bounded in (small.stdout, tiny.stdout):
        _tables_are_whole(bounded)
