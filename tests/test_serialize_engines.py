"""libyaml's emitter (used when PyYAML has it) writes exactly what the pure-Python emitter
mrgen falls back to writes, for every document mrgen renders and for every Unicode value."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import serialize
from generator.render import render
from tests.specgen import deterministic_spec, to_yaml

pytestmark = pytest.mark.skipif(
    not hasattr(yaml, "CSafeDumper"), reason="PyYAML was built without libyaml: nothing to compare"
)


def both(value: Any) -> tuple[str, str]:
    options: dict[str, Any] = {
        "sort_keys": True,
        "default_flow_style": False,
        "allow_unicode": True,
        "width": 1_000_000,
        "indent": 2,
    }
    fast = yaml.dump(value, Dumper=serialize._Dumper, **options)
    slow = yaml.dump(value, Dumper=serialize._PythonDumper, **options)
    # PyYAML ends a bare top-level scalar with "..."; serialize strips that marker anyway.
    return fast.removesuffix("...\n"), slow.removesuffix("...\n")


def test_production_dumper_uses_libyaml() -> None:
    assert issubclass(serialize._Dumper, yaml.CSafeDumper)


def test_every_rendered_document_is_emitted_identically() -> None:
    from generator.build import build
    from generator.loader import load_text

    text = deterministic_spec(5)
    spec = build(load_text(text if isinstance(text, str) else to_yaml(text), "s.yaml"), "s.yaml")
    count = 0
    for file in render(spec):
        if file.path.endswith(".yaml"):
            for doc in yaml.safe_load_all(file.content):
                fast, slow = both(doc)
                assert fast == slow, file.path
                count += 1
    assert count > 50


_KEY_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./"


def _chunks(code_points: range | list[int], size: int = 4096) -> list[list[str]]:
    chars = [chr(c) for c in code_points if not 0xD800 <= c <= 0xDFFF]
    return [chars[i : i + size] for i in range(0, len(chars), size)]


_BMP = _chunks(range(0x10000))
# Beyond the BMP: every plane's first and last characters, common emoji, and a stride.
_PLANE_EDGES = {p * 0x10000 + d for p in range(1, 17) for d in (0, 1, 0xFFFE, 0xFFFF)}
_ASTRAL = _chunks(sorted({*range(0x10000, 0x110000, 61), *range(0x1F300, 0x1FAFF), *_PLANE_EDGES}))


@pytest.mark.parametrize("chunk", range(len(_BMP) + len(_ASTRAL)))
def test_every_unicode_character_is_emitted_identically(chunk: int) -> None:
    """Alone, inside text, and in a multi-line value (a literal block where possible)."""
    chars = (_BMP + _ASTRAL)[chunk]
    value = {
        "alone": chars,
        "inside": [f"a{c}b" for c in chars],
        "lines": [f"x{c}\ny" for c in chars[::7]],
    }
    fast, slow = both(value)
    assert fast == slow
    assert yaml.load(fast, Loader=yaml.CSafeLoader) == value


def test_an_emoji_env_value_renders_the_same_bytes_with_either_engine() -> None:
    value = {"env": [{"name": "GREETING", "value": "hello \U0001f600 w\u00f6rld"}]}
    fast, slow = both(value)
    assert fast == slow == 'env:\n- name: GREETING\n  value: "hello \\U0001F600 w\u00f6rld"\n'


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(st.characters(codec="utf-8")),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(_KEY_CHARS, min_size=1, max_size=8), children, max_size=4)
        ),
        max_leaves=12,
    )
)
def test_awkward_values_are_emitted_identically(value: Any) -> None:
    # Keys in mrgen's output are names (fields, label keys); the emitters spell some odd keys
    # differently (`'': x` against `? ''`).
    fast, slow = both(value)
    assert fast == slow
    assert yaml.safe_load(fast) == yaml.safe_load(slow) == value
