"""List items are matched by identity, never by index: inserting an item in front of a list
reports that one item, not every later item changed."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from generator.difffields import field_changes
from generator.semdiff import FieldChange, diff_trees


def _changes(old: Any, new: Any) -> list[tuple[str, str]]:
    return [(c.path, c.status) for c in field_changes(old, new)]


def _rule(alert: str, region: str, expr: str = "up == 0") -> dict[str, Any]:
    return {"alert": alert, "expr": expr, "labels": {"region": region, "severity": "warning"}}


Case = tuple[list[dict[str, Any]], dict[str, Any], tuple[str, str]]
CASES: dict[str, Case] = {
    # kind of list: (two items, one inserted in front, (its identity, the second's))
    "containers by name": (
        [{"name": "api", "image": "a:1"}, {"name": "proxy", "image": "p:1"}],
        {"name": "sidecar", "image": "s:1"},
        ("sidecar", "proxy"),
    ),
    "env vars by name": (
        [{"name": "LOG_LEVEL", "value": "info"}, {"name": "REGION", "value": "x"}],
        {"name": "FEATURE", "value": "on"},
        ("FEATURE", "REGION"),
    ),
    "ports by name": (
        [{"name": "http", "containerPort": 8000}, {"name": "metrics", "containerPort": 9090}],
        {"name": "grpc", "containerPort": 9000},
        ("grpc", "metrics"),
    ),
    "rule groups by name": (
        [{"name": "slo", "rules": []}, {"name": "alerts", "rules": []}],
        {"name": "recording", "rules": []},
        ("recording", "alerts"),
    ),
    "alerts by name": (
        [{"alert": "RegionDown", "expr": "a"}, {"alert": "ModelSyncStale", "expr": "b"}],
        {"alert": "CacheLag", "expr": "c"},
        ("CacheLag", "ModelSyncStale"),
    ),
    "recording rules by record": (
        [{"record": "job:up:sum", "expr": "a"}, {"record": "job:rate5m", "expr": "b"}],
        {"record": "job:errors:rate5m", "expr": "c"},
        ("job:errors:rate5m", "job:rate5m"),
    ),
    "alerts sharing a name by their labels": (
        [_rule("CrossRegionLatencyHigh", "us-east-1"), _rule("CrossRegionLatencyHigh", "eu")],
        _rule("CrossRegionLatencyHigh", "ap"),
        (
            "CrossRegionLatencyHigh{region=ap, severity=warning}",
            "CrossRegionLatencyHigh{region=eu, severity=warning}",
        ),
    ),
    "scrape configs by job_name": (
        [{"job_name": "federate", "scheme": "http"}, {"job_name": "self", "scheme": "http"}],
        {"job_name": "blackbox", "scheme": "https"},
        ("blackbox", "self"),
    ),
    "ApplicationSet elements by region": (
        [{"region": "us-east-1", "cluster": "a"}, {"region": "eu-west-1", "cluster": "b"}],
        {"region": "ap-southeast-1", "cluster": "c"},
        ("ap-southeast-1", "eu-west-1"),
    ),
    "Route 53 changes by name, type and set identifier": (
        [
            {
                "Action": "UPSERT",
                "ResourceRecordSet": {
                    "Name": "w.example.com",
                    "Type": "A",
                    "SetIdentifier": f"w-{r}",
                    "Weight": 1,
                },
            }
            for r in ("us", "eu")
        ],
        {
            "Action": "UPSERT",
            "ResourceRecordSet": {
                "Name": "w.example.com",
                "Type": "A",
                "SetIdentifier": "w-ap",
                "Weight": 1,
            },
        },
        ("w.example.com A w-ap", "w.example.com A w-eu"),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_item_inserted_in_front_is_the_only_change(case: str) -> None:
    old, inserted, (identity, second) = CASES[case]
    new = [inserted, *old]
    assert _changes({"items": old}, {"items": new}) == [(f"items[{identity}]", "added")]
    assert _changes({"items": new}, {"items": old}) == [(f"items[{identity}]", "removed")]
    changed = [dict(old[1])]
    field = next(
        k
        for k in changed[0]
        if k not in ("name", "alert", "record", "job_name", "region", "ResourceRecordSet")
    )
    changed[0][field] = "new value"
    assert _changes({"items": old}, {"items": [inserted, old[0], *changed]}) == [
        (f"items[{identity}]", "added"),
        (f"items[{second}].{field}", "changed"),
    ]


def test_a_name_that_starts_repeating_keeps_matching_the_old_rule() -> None:
    """One alert per region: with one region the name is unique, with two it repeats. The
    rule that exists on both sides is still matched (by name and labels), not re-added."""
    old = {"rules": [_rule("CrossRegionLatencyHigh", "us-east-1")]}
    new = {
        "rules": [
            _rule("CrossRegionLatencyHigh", "us-east-1", "up > 1"),
            _rule("CrossRegionLatencyHigh", "eu"),
        ]
    }
    assert _changes(old, new) == [
        ("rules[CrossRegionLatencyHigh{region=us-east-1, severity=warning}].expr", "changed"),
        ("rules[CrossRegionLatencyHigh{region=eu, severity=warning}]", "added"),
    ]


def test_lists_without_identity_are_aligned_as_sequences_not_by_index() -> None:
    old = {"lines": ["a", "b", "c"], "policies": [{"type": "Pods", "value": 4}]}
    new = {
        "lines": ["new", "a", "b", "c"],
        "policies": [{"type": "Percent", "value": 100}, {"type": "Pods", "value": 4}],
    }
    assert field_changes(old, new) == (
        FieldChange("lines", "added", None, "new", within="lines"),
        FieldChange(
            "policies[0]", "added", None, {"type": "Percent", "value": 100}, within="policies"
        ),
    )
    # one line edited in place is one change, an unrelated replacement is removed + added
    assert _changes({"t": ["x", "weight 50%", "y"]}, {"t": ["x", "weight 40%", "y"]}) == [
        ("t", "changed")
    ]
    assert _changes({"t": ["x", "users -> r0", "y"]}, {"t": ["x", "r3[us-west-2]", "y"]}) == [
        ("t", "removed"),
        ("t", "added"),
    ]


def test_values_of_another_type_are_a_change() -> None:
    assert _changes({"a": 1, "b": "1", "c": True}, {"a": "1", "b": 1, "c": 1}) == [
        ("a", "changed"),
        ("b", "changed"),
        ("c", "changed"),
    ]


def test_a_rendered_prometheus_rule_file_reports_an_inserted_alert_once() -> None:
    def rules(regions: list[str]) -> str:
        return yaml.safe_dump(
            {
                "groups": [
                    {
                        "name": "global",
                        "rules": [
                            *(_rule("CrossRegionLatencyHigh", r) for r in regions),
                            {
                                "alert": "RegionDown",
                                "expr": "up == 0",
                                "labels": {"severity": "critical"},
                            },
                        ],
                    }
                ]
            }
        )

    [resource] = diff_trees(
        {"r.rules.yaml": rules(["eu", "us"])}, {"r.rules.yaml": rules(["ap", "eu", "us"])}
    ).resources
    assert [(c.path, c.status) for c in resource.changes] == [
        ("groups[global].rules[CrossRegionLatencyHigh{region=ap, severity=warning}]", "added")
    ]
    batch = json.dumps({"Changes": CASES["Route 53 changes by name, type and set identifier"][0]})
    assert not diff_trees({"b.json": batch}, {"b.json": batch}).changed


def test_items_matched_by_identity_in_another_order_report_the_order() -> None:
    api, proxy = {"name": "api", "image": "a:1"}, {"name": "proxy", "image": "p:1"}
    sidecar = {"name": "sidecar", "image": "s:1"}
    assert field_changes({"c": [api, proxy]}, {"c": [sidecar, proxy, api]}) == (
        FieldChange("c[sidecar]", "added", None, sidecar, within="c"),
        FieldChange("c", "changed", ["api", "proxy"], ["proxy", "api"]),
    )
