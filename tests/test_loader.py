"""YAML loading: YAML 1.2 scalars, positions, and strictness."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from generator.errors import MrgenError
from generator.loader import MAX_BYTES, load_file, load_text


@pytest.mark.parametrize(("text", "value"), [
    ("no", "no"), ("on", "on"), ("yes", "yes"), ("off", "off"), ("y", "y"),
    ("true", True), ("False", False), ("~", None), ("null", None),
    ("0777", "0777"), ("0o17", 15), ("0x1F", 31), ("12", 12), ("-3", -3),
    ("1.10", 1.1), ("1e3", 1000.0), (".inf", ".inf"), (".nan", ".nan"),
    ("2024-01-01", "2024-01-01"), ("1:20", "1:20"), ("'1.10'", "1.10"), ('"no"', "no"),
    ("!!str 12", "12"), ("!!int 12", 12), ("!!float 2", 2),
])
def test_yaml_1_2_scalars(text: str, value: object) -> None:
    assert load_text(f"key: {text}\n", "t.yaml").data == {"key": value}


def test_plain_numbers_remember_their_text() -> None:
    spec = load_text("version: 1.10\nname: x\n", "t.yaml")
    assert spec.plain_text[("version",)] == "1.10"
    assert ("name",) not in spec.plain_text


def test_positions_of_values_and_keys() -> None:
    spec = load_text("a:\n  b: [1, {c: 2}]\n", "t.yaml")
    assert spec.positions[("a", "b", 1, "c")] == (2, 14)
    assert spec.key_positions[("a", "b")] == (2, 3)
    assert spec.where(("a", "b", 7, "missing")) == (2, 6)


def test_bad_explicit_tag_value_is_located() -> None:
    with pytest.raises(MrgenError) as caught:
        load_text("a: !!int twelve\n", "t.yaml")
    assert str(caught.value) == "t.yaml:1:4: a: 'twelve' is not a valid !!int"


def test_all_loader_problems_are_reported_together() -> None:
    with pytest.raises(MrgenError) as caught:
        load_text("a: 1\na: 2\nb: !!set {}\nc: {x: 1, x: 2}\n", "t.yaml")
    lines = str(caught.value).splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("t.yaml:2:1: a: duplicate key")


def test_byte_order_mark_and_crlf_are_accepted() -> None:
    spec = load_text("\ufeffa: 1\r\nb: two\r\n".removeprefix("\ufeff"), "t.yaml")
    assert spec.data == {"a": 1, "b": "two"}


def test_multi_megabyte_spec_is_refused_quickly(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * (3 * MAX_BYTES) + b"\n")
    started = time.perf_counter()
    with pytest.raises(MrgenError, match="the limit is"):
        load_file(big)
    assert time.perf_counter() - started < 1.0


def test_missing_file_and_directory_are_located(tmp_path: Path) -> None:
    with pytest.raises(MrgenError, match=r"nope\.yaml: no such file"):
        load_file(tmp_path / "nope.yaml", display="nope.yaml")
    with pytest.raises(MrgenError, match="is a folder, not a regular file"):
        load_file(tmp_path)
