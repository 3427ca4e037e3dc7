"""The semantic diff engine and its three formats, on small hand-made trees."""

from __future__ import annotations

import json
import re
from typing import Any

import click
import yaml

from generator.diffformat import COMMENT_MARKER, to_json, to_markdown, to_text
from generator.semdiff import FieldChange, diff_trees, format_path


def _hpa(max_replicas: int, name: str = "web") -> str:
    return yaml.safe_dump(
        {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": name, "namespace": "shop"},
            "spec": {"minReplicas": 2, "maxReplicas": max_replicas},
        }
    )


def _deployment(containers: list[dict[str, Any]]) -> str:
    return "# a comment that is not part of the object\n" + yaml.safe_dump(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": "web",
                "namespace": "shop",
                "labels": {"app.kubernetes.io/name": "web"},
            },
            "spec": {"template": {"spec": {"containers": containers}}},
        }
    )


def test_a_changed_field_is_reported_with_old_and_new_value_under_the_resource_key() -> None:
    result = diff_trees({"hpa.yaml": _hpa(20)}, {"hpa.yaml": _hpa(25)})
    [resource] = result.resources
    assert (resource.file, resource.key, resource.status) == (
        "hpa.yaml",
        "autoscaling/v2 HorizontalPodAutoscaler shop/web",
        "changed",
    )
    assert resource.changes == (FieldChange("spec.maxReplicas", "changed", 20, 25),)
    assert dict(resource.identity) == {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "namespace": "shop",
        "name": "web",
    }


def test_identical_trees_and_comment_only_changes_are_no_change() -> None:
    tree = {"a.yaml": _hpa(20)}
    assert not diff_trees(tree, dict(tree)).changed
    assert not diff_trees(tree, {"a.yaml": "# reworded header\n" + _hpa(20)}).changed


def test_added_and_removed_resources_and_files() -> None:
    old = {"a.yaml": _hpa(20, "web") + "---\n" + _hpa(5, "api"), "gone.json": '{"x": 1}'}
    new = {"a.yaml": _hpa(20, "web"), "new.json": '{"y": 2}'}
    statuses = {(r.file, r.key): r.status for r in diff_trees(old, new).resources}
    assert statuses == {
        ("a.yaml", "autoscaling/v2 HorizontalPodAutoscaler shop/api"): "removed",
        ("gone.json", "#0"): "removed",
        ("new.json", "#0"): "added",
    }


def test_lists_of_named_items_are_matched_by_name_not_position() -> None:
    api = {"name": "api", "image": "registry.example.com/api:1"}
    proxy = {"name": "proxy", "image": "registry.example.com/proxy:1"}
    old = {"d.yaml": _deployment([api])}
    new = {"d.yaml": _deployment([proxy, {**api, "image": "registry.example.com/api:2"}])}
    [resource] = diff_trees(old, new).resources
    paths = {c.path: c for c in resource.changes}
    assert set(paths) == {
        "spec.template.spec.containers[api].image",
        "spec.template.spec.containers[proxy]",
    }
    assert paths["spec.template.spec.containers[proxy]"].status == "added"
    assert paths["spec.template.spec.containers[proxy]"].new == proxy
    image = paths["spec.template.spec.containers[api].image"]
    assert (image.old, image.new) == ("registry.example.com/api:1", "registry.example.com/api:2")


def test_documents_without_kubernetes_identity_are_keyed_by_index() -> None:
    old = {"batch.json": json.dumps({"Changes": [{"Weight": 50}, {"Weight": 30}]})}
    new = {"batch.json": json.dumps({"Changes": [{"Weight": 40}, {"Weight": 30}]})}
    [resource] = diff_trees(old, new).resources
    assert resource.key == "#0"
    assert resource.changes == (FieldChange("Changes[0].Weight", "changed", 50, 40),)


def test_markdown_tables_are_rows_keyed_by_their_first_cell() -> None:
    def page(weight: str) -> str:
        return (
            "# Book\n\n## Regions\n\n| Region | Weight |\n|---|---|\n"
            f"| us-east-1 | {weight} |\n| eu-west-1 | 50% |\n\n```bash\n# not a heading\n```\n"
        )

    [resource] = diff_trees({"r.md": page("50%")}, {"r.md": page("40%")}).resources
    assert resource.key == "Regions"
    assert resource.changes == (FieldChange("rows[us-east-1].Weight", "changed", "50%", "40%"),)


def test_paths_quote_keys_that_are_not_plain_words() -> None:
    assert (
        format_path(["metadata", "labels", "app.kubernetes.io/name"])
        == 'metadata.labels["app.kubernetes.io/name"]'
    )
    assert format_path(["spec", "ports", 0, "port"]) == "spec.ports[0].port"
    assert format_path([]) == "(document)"


def test_text_format_lists_changes_and_styles_only_through_click() -> None:
    result = diff_trees({"hpa.yaml": _hpa(20)}, {"hpa.yaml": _hpa(25), "new.yaml": _hpa(3, "x")})
    text = to_text(result)
    plain = click.unstyle(text)
    assert plain.splitlines()[:2] == [
        "1 changed, 1 added, 0 removed resource(s) in 2 file(s)",
        "  + ./ (1): HorizontalPodAutoscaler x",
    ]
    assert "hpa.yaml\n  ~ autoscaling/v2 HorizontalPodAutoscaler shop/web\n" in plain
    assert "spec.maxReplicas: 20 -> 25" in plain
    assert "\x1b[" in text  # styled; click.echo strips it when not on a terminal


def test_markdown_summary_comes_first_and_long_change_lists_are_folded() -> None:
    many_old = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c"},
        "data": {f"k{i}": "a" for i in range(5)},
    }
    many_new = {**many_old, "data": {f"k{i}": "b" for i in range(5)}}
    result = diff_trees(
        {"hpa.yaml": _hpa(20), "cm.yaml": yaml.safe_dump(many_old)},
        {
            "hpa.yaml": _hpa(25),
            "cm.yaml": yaml.safe_dump(many_new),
            "k8s/new/hpa.yaml": _hpa(3, "x"),
        },
    )
    md = to_markdown(result)
    assert md.startswith(COMMENT_MARKER + "\n")
    summary, details = md.split("#### Details")
    assert "| `k8s/new/` | 1 | `HorizontalPodAutoscaler x` |" in summary
    # a short change is shown in its summary row and not repeated below
    assert (
        "| `HorizontalPodAutoscaler shop/web` | `hpa.yaml` | `spec.maxReplicas`: `20` → `25` |"
        in summary
    )
    assert "hpa.yaml" not in details
    # a long one is named in the summary, and its changes are folded
    assert "| `ConfigMap c` | `cm.yaml` | `data.k0`, `data.k1`, `data.k2` and 2 more |" in summary
    folded = re.search(r"<details>\n<summary>(.*?)</summary>(.*?)</details>", details, re.S)
    assert folded and "cm.yaml" in folded.group(1)
    assert folded.group(2).count("\n- ") == 5 and "- `data.k4`: `a` → `b`" in folded.group(2)
    assert "No changes" in to_markdown(diff_trees({}, {}))


def test_json_format_has_the_documented_stable_shape() -> None:
    result = diff_trees({"hpa.yaml": _hpa(20), "old.yaml": _hpa(1, "old")}, {"hpa.yaml": _hpa(25)})
    data = json.loads(to_json(result))
    assert data["formatVersion"] == 1 and data["changed"] is True
    assert data["summary"] == {"added": 0, "removed": 1, "changed": 1, "files": 2}
    changed = next(r for r in data["resources"] if r["status"] == "changed")
    assert changed == {
        "file": "hpa.yaml",
        "key": "autoscaling/v2 HorizontalPodAutoscaler shop/web",
        "status": "changed",
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "namespace": "shop",
        "name": "web",
        "changes": [{"path": "spec.maxReplicas", "status": "changed", "old": 20, "new": 25}],
    }
    assert to_json(result) == to_json(
        diff_trees({"hpa.yaml": _hpa(20), "old.yaml": _hpa(1, "old")}, {"hpa.yaml": _hpa(25)})
    )


def test_markdown_escapes_pipes_only_in_tables_and_uses_html_in_summaries() -> None:
    def doc(lines: list[str]) -> str:
        return yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "a|b"},
                "data": {"lines": lines},
            }
        )

    short = to_markdown(diff_trees({"m.yaml": doc(["x|1"])}, {"m.yaml": doc(["x|2"])}))
    assert "| `ConfigMap a\\|b` | `m.yaml` | `data.lines`: `x\\|1` → `x\\|2` |" in short
    many = [f"line {i}|{i}" for i in range(5)]
    folded = to_markdown(
        diff_trees({"m.yaml": doc(many)}, {"m.yaml": doc([m + "!" for m in many])})
    )
    assert (
        "<summary>~ <code>ConfigMap a|b</code> · <code>m.yaml</code>: 5 change(s)</summary>"
        in folded
    )
    assert "- `data.lines`: `line 0|0` → `line 0|0!`\n" in folded
