"""YAML loading: YAML 1.2 scalars, positions, and strictness."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from generator.errors import MrgenError
from generator.loader import MAX_BYTES, load_file, load_text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("no", "no"),
        ("on", "on"),
        ("yes", "yes"),
        ("off", "off"),
        ("y", "y"),
        ("true", True),
        ("False", False),
        ("~", None),
        ("null", None),
        ("0777", "0777"),
        ("0o17", 15),
        ("0x1F", 31),
        ("12", 12),
        ("-3", -3),
        ("1.10", 1.1),
        ("1e3", 1000.0),
        (".inf", ".inf"),
        (".nan", ".nan"),
        ("2024-01-01", "2024-01-01"),
        ("1:20", "1:20"),
        ("'1.10'", "1.10"),
        ('"no"', "no"),
        ("!!str 12", "12"),
        ("!!int 12", 12),
        ("!!float 2", 2),
    ],
)
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
    assert time.perf_counter() - started < 20, "reading an oversized spec whole: a hang"


def test_missing_file_and_directory_are_located(tmp_path: Path) -> None:
    with pytest.raises(MrgenError, match=r"nope\.yaml: no such file"):
        load_file(tmp_path / "nope.yaml", display="nope.yaml")
    with pytest.raises(MrgenError, match="is a folder, not a regular file"):
        load_file(tmp_path)


def test_the_size_error_names_where_the_limit_is_reached(tmp_path: Path) -> None:
    """One byte over the limit: the error points at that byte (it had no position)."""
    line = b"# " + b"x" * 97 + b"\n"  # 100 bytes
    raw = line * (MAX_BYTES // 100) + b"y" * (MAX_BYTES % 100) + b"z"
    assert len(raw) == MAX_BYTES + 1
    spec = tmp_path / "big.yaml"
    spec.write_bytes(raw)
    with pytest.raises(MrgenError) as caught:
        load_file(spec, display="big.yaml")
    lines = MAX_BYTES // 100
    assert str(caught.value) == (
        f"big.yaml:{lines + 1}:{MAX_BYTES % 100 + 1}: the spec is "
        f"{MAX_BYTES + 1} bytes; the limit is {MAX_BYTES} bytes, "
        "reached here"
    )


def test_the_size_limit_holds_while_reading(tmp_path: Path) -> None:
    """A file that claims 64 GiB (sparse) is not read to its end: reading stops one byte past
    the limit, whatever the size says."""
    sparse = tmp_path / "sparse.yaml"
    with sparse.open("wb") as handle:
        handle.truncate(64 * 2**30)
    started = time.perf_counter()
    with pytest.raises(MrgenError, match=r"the spec is 68719476736 bytes; the limit is"):
        load_file(sparse)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("special", ["fifo", "/dev/zero", "/dev/null"])
def test_only_regular_files_are_read(special: str, tmp_path: Path) -> None:
    import os

    from generator.errors import TroubleError

    path = Path(special)
    if special == "fifo":
        path = tmp_path / "spec.yaml"
        os.mkfifo(path)
    started = time.perf_counter()
    with pytest.raises(TroubleError, match=r"is a (FIFO|character device).*not a regular file"):
        load_file(path)
    assert time.perf_counter() - started < 1.0
