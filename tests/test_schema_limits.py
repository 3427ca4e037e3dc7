"""The schema means what it says: every pattern matches whole values (a trailing newline
fails, as ECMA-262's ``$`` intends), every number has a range, integers are integers, and a
limit a valid spec would hit late is reported up front."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.build import build
from generator.errors import MrgenError
from generator.loader import load_text
from generator.resources import schema_path
from tests.specgen import deterministic_regions, example_data, spec_data, to_yaml

SCHEMA = json.loads(schema_path().read_text(encoding="utf-8"))
END = "$(?!\\n)"


def nodes(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from nodes(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from nodes(value, f"{where}/{i}")


PATTERNS = sorted(
    {(where, n["pattern"]) for where, n in nodes(SCHEMA) if isinstance(n.get("pattern"), str)}
)


def test_the_schema_has_patterns_to_check() -> None:
    assert len(PATTERNS) >= 40


@pytest.mark.parametrize("pattern", [p for _, p in PATTERNS], ids=[w for w, _ in PATTERNS])
def test_every_pattern_is_anchored_at_both_ends(pattern: str) -> None:
    """``^...$(?!\\n)``: ECMA-262 (editors) and Python (jsonschema, ``re.search``) then agree
    that the whole value must match; Python's ``$`` alone also matches before a final
    newline."""
    assert pattern.startswith("^") and pattern.endswith(END), pattern


@pytest.mark.parametrize("pattern", [p for _, p in PATTERNS], ids=[w for w, _ in PATTERNS])
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_no_pattern_accepts_a_value_with_a_line_break_around_it(
    pattern: str, data: st.DataObject
) -> None:
    core = pattern.removesuffix("(?!\\n)")  # the part hypothesis can generate from
    value = data.draw(st.from_regex(core, fullmatch=True))
    assert re.search(pattern, value), (pattern, value)  # jsonschema's pattern test
    for bad in (value + "\n", "\n" + value, value + "\r\n"):
        assert not re.search(pattern, bad), (pattern, bad)


def test_trailing_newlines_are_rejected_in_the_fields_the_issue_named() -> None:
    data = example_data()
    data["service"]["image"] = "registry.example.com/fingerprint/fingerprint-api:latest\n"
    data["service"]["env"] = {"REGION\n": "x"}
    data["regions"][0]["name"] = "us-east-1\n"
    data.setdefault("mesh", {}).setdefault("route", {})["timeout"] = "5s\n"
    with pytest.raises(MrgenError) as caught:
        build(load_text(to_yaml(data), "s.yaml"), "s.yaml")
    paths = {d.path for d in caught.value.diagnostics}
    assert {"service.image", "service.env", "regions[0].name", "mesh.route.timeout"} <= paths
    assert all(d.line for d in caught.value.diagnostics)


NUMERIC = [(where, n) for where, n in nodes(SCHEMA) if n.get("type") in ("integer", "number")]


@pytest.mark.parametrize("node", [n for _, n in NUMERIC], ids=[w for w, _ in NUMERIC])
def test_every_number_has_a_range(node: dict[str, Any]) -> None:
    assert {"minimum", "exclusiveMinimum"} & set(node), node
    assert {"maximum", "exclusiveMaximum"} & set(node), node


def test_max_unavailable_is_bounded() -> None:
    data = example_data()
    data["service"]["maxUnavailable"] = 10**15
    with pytest.raises(MrgenError, match=r"service\.maxUnavailable: 1000000000000000 is greater"):
        build(load_text(to_yaml(data), "s.yaml"), "s.yaml")


def problems(text: str) -> list[str]:
    with pytest.raises(MrgenError) as caught:
        build(load_text(text, "s.yaml"), "s.yaml")
    return [str(d) for d in caught.value.diagnostics]


def example_text(old: str, new: str) -> str:
    text = to_yaml(example_data())
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    "written,hint",
    [
        ("50.0", "write 50"),
        ("5e1", "write 50"),
        ("50.5", "a whole number"),
    ],
)
def test_a_float_where_an_integer_goes_is_a_located_error_with_a_hint(
    written: str, hint: str
) -> None:
    found = problems(example_text("weight: 50\n", f"weight: {written}\n"))
    assert len(found) == 1, found
    assert re.match(r"s\.yaml:\d+:\d+: regions\[0\]\.weight: expected integer", found[0])
    assert hint in found[0], found


def test_float_integers_do_not_reach_the_rendered_files() -> None:
    """8000.0 used to validate as an integer and render as a float."""
    found = problems(example_text("port: 8000\n", "port: 8000.0\n"))
    assert any("service.port: expected integer" in f and "write 8000" in f for f in found)


@pytest.mark.parametrize("digits", [20, 400, 5000])
def test_huge_integers_are_located_errors(digits: int) -> None:
    found = problems(example_text("weight: 50\n", f"weight: {'9' * digits}\n"))
    assert len(found) == 1 and re.match(
        r"s\.yaml:\d+:\d+: regions\[0\]\.weight: the number "
        r"9+(\.\.\. \(\d+ characters\))? is too large",
        found[0],
    )


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "\\ud83d\\ude00"])
def test_a_lone_surrogate_is_a_located_error(escape: str) -> None:
    data = example_data()
    data["service"]["env"] = {"GREETING": "placeholder"}
    text = to_yaml(data).replace("placeholder", f'"a{escape}b"'.replace("'", ""), 1)
    found = problems(text)
    assert len(found) == 1 and re.match(
        r"s\.yaml:\d+:\d+: service\.env\.GREETING: the escape "
        r"\\u[0-9a-f]{4} is half of a UTF-16 surrogate pair",
        found[0],
    ), found
    if escape.count("\\u") == 2:
        assert "\\U0001F600" in found[0]


def test_an_escape_beyond_unicode_is_a_located_error() -> None:
    text = example_text("namespace: fingerprint-api\n", 'namespace: "\\U00110000"\n')
    found = problems(text)
    assert len(found) == 1 and re.match(
        r"s\.yaml:\d+:\d+: the escape .*\\U00110000.* is not a "
        r"Unicode character",
        found[0],
    ), found


def many_latency_targets(count: int) -> str:
    rows = [replace(row, latency_ms=100 + i) for i, row in enumerate(deterministic_regions(count))]
    data = spec_data(rows)
    del data["monitoring"]["buckets"]  # the defaults: every target then needs adding
    return to_yaml(data)


def test_a_histogram_bucket_need_over_the_cap_is_reported_up_front() -> None:
    """50 regions with distinct latency targets need more bucket boundaries than the 64 a
    spec may list: one located message, instead of 50 asking for buckets that cannot fit."""
    found = problems(many_latency_targets(64))
    assert len(found) == 1, found[:3]
    assert re.match(
        r"s\.yaml:\d+:\d+: regions: 64 distinct latency targets .* need 67 "
        r"histogram bucket boundaries; monitoring\.buckets holds at most 64",
        found[0],
    ), found


def _string_paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in the example spec that holds a string (values, and mapping keys that
    are names: env variables, labels, regions keyed by name)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*path, ("key", key))
            yield from _string_paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _string_paths(value, (*path, i))
    elif isinstance(node, str):
        yield path


EXAMPLE = example_data()
STRING_PATHS = sorted(set(_string_paths(EXAMPLE)), key=repr)


def _current(where: tuple[Any, ...]) -> str:
    node: Any = EXAMPLE
    for part in where:
        if isinstance(part, tuple):
            return str(part[1])
        node = node[part]
    return str(node)


def _with(data: dict[str, Any], where: tuple[Any, ...], text: str) -> None:
    parent: Any = data
    for part in where[:-1]:
        parent = parent[part]
    last = where[-1]
    if isinstance(last, tuple):  # a key: rename it, keeping its value
        parent[text] = parent.pop(last[1])
    else:
        parent[last] = text


def _outcome(data: dict[str, Any]) -> str:
    from generator.render import render

    try:
        render(build(load_text(to_yaml(data), "s.yaml"), "s.yaml"))
    except MrgenError as exc:
        assert exc.diagnostics and all(d.file == "s.yaml" for d in exc.diagnostics)
        return "refused"
    return "rendered"


@pytest.mark.parametrize("where", STRING_PATHS, ids=[repr(p)[:60] for p in STRING_PATHS])
def test_a_line_break_at_either_end_of_any_string_is_refused_or_kept(
    where: tuple[Any, ...],
) -> None:
    """Every string field and key with its value plus a trailing (or leading) line break:
    refused with a located problem, or rendered (free text); never an internal error."""
    for text in (_current(where) + "\n", "\n" + _current(where)):
        data = json.loads(json.dumps(EXAMPLE))
        _with(data, where, text)
        _outcome(data)


_TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
_EDGES = st.sampled_from(
    [
        "",
        "\n",
        "5s\n",
        "1h\n",
        "x\n",
        " ",
        "0",
        "-1",
        "1e3",
        "9" * 30,
        "\t",
        "\u2028",
        "\x85",
        "a\nb",
        "../x",
        "{{ x }}",
        "%",
        "*",
        "&a",
    ]
)


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    where=st.sampled_from(STRING_PATHS),
    text=_EDGES | _TEXT,
    also=st.sampled_from(STRING_PATHS),
    other=_EDGES | _TEXT,
)
def test_no_string_value_anywhere_causes_an_internal_error(
    where: tuple[Any, ...], text: str, also: tuple[Any, ...], other: str
) -> None:
    """Any text in any two string fields (or keys): the spec builds and renders, or it fails
    with located problems; never another exception."""
    data = json.loads(json.dumps(EXAMPLE))
    for place, value in ((where, text), (also, other)):
        with suppress(KeyError, IndexError, TypeError):  # the first edit renamed a key here
            _with(data, place, value)
    _outcome(data)
