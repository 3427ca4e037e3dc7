"""The field diff runs on DeepDiff: the settings it needs and the cases its compare function
cannot express (generator.difffields' adapter) keep the product's reports."""

from __future__ import annotations

from typing import Any

from generator.difffields import FieldChange, field_changes


def _changes(old: Any, new: Any) -> list[tuple[str, str]]:
    return [(c.path, c.status) for c in field_changes(old, new)]


def test_keys_that_look_private_are_compared() -> None:
    # DeepDiff skips keys starting with "__" unless told not to
    assert _changes({"__meta": 1}, {"__meta": 2}) == [("__meta", "changed")]


def test_a_mapping_whose_keys_mostly_changed_is_reported_key_by_key() -> None:
    # DeepDiff 8 reports such a mapping as one whole value unless told not to
    old = {"labels": {"a": "1", "b": "1", "keep": "x"}}
    new = {"labels": {"c": "1", "d": "1", "keep": "y"}}
    assert _changes(old, new) == [
        ("labels.a", "removed"),
        ("labels.b", "removed"),
        ("labels.c", "added"),
        ("labels.d", "added"),
        ("labels.keep", "changed"),
    ]


def test_an_item_removed_and_another_added_at_the_same_index_stay_two_changes() -> None:
    # DeepDiff merges them into one changed value unless told to report repetitions
    old = {"c": [{"name": "api", "image": "a:1"}, {"name": "proxy", "image": "p:1"}]}
    new = {"c": [{"name": "api", "image": "a:1"}, {"name": "sidecar", "image": "s:1"}]}
    assert field_changes(old, new) == (
        FieldChange("c[proxy]", "removed", {"name": "proxy", "image": "p:1"}, None, within="c"),
        FieldChange("c[sidecar]", "added", None, {"name": "sidecar", "image": "s:1"}, within="c"),
    )


def test_a_repeated_line_inserted_is_reported() -> None:
    # DeepDiff's compare-function matching drops an added item equal to a matched one; lists
    # without identity are aligned by the adapter
    old = {"text": ["```bash", "mrgen render", "```"]}
    new = {"text": ["```bash", "mrgen render", "```", "```bash", "mrgen diff", "```"]}
    assert [(c.path, c.status, c.new) for c in field_changes(old, new)] == [
        ("text", "added", "```bash"),
        ("text", "added", "mrgen diff"),
        ("text", "added", "```"),
    ]


def test_equal_looking_values_of_another_type_deep_in_a_list_are_a_change() -> None:
    # equal subtrees are skipped before DeepDiff walks them: equal means of the same types too
    old = {"items": [{"name": "a", "spec": {"replicas": 1, "ratio": 1.0}}]}
    new = {"items": [{"name": "a", "spec": {"replicas": True, "ratio": 1}}]}
    assert _changes(old, new) == [
        ("items[a].spec.ratio", "changed"),
        ("items[a].spec.replicas", "changed"),
    ]


def test_identified_items_moved_and_changed_are_named_by_identity() -> None:
    old = {"c": [{"name": "a", "v": 1}, {"name": "b", "v": 1}, {"name": "c", "v": 1}]}
    new = {"c": [{"name": "c", "v": 2}, {"name": "a", "v": 1}, {"name": "b", "v": 3}]}
    assert field_changes(old, new) == (
        FieldChange("c[c].v", "changed", 1, 2),
        FieldChange("c[b].v", "changed", 1, 3),
        FieldChange("c", "changed", ["a", "b", "c"], ["c", "a", "b"]),
    )
