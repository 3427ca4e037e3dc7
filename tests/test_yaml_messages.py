"""YAML syntax errors in plain words: what is wrong and how to fix it, at the place of the
fix, with the line shown and a caret under the column; never the parser's own terms."""

from __future__ import annotations

import re

import pytest

from generator.errors import MrgenError
from generator.loader import load_text
from tests.conftest import run_cli

JARGON = re.compile(
    r"found '\?'|<block|<stream|<scalar|while (parsing|scanning)|"
    r"expected <|but found|but got|token|node content"
)

# text, where (line:col), words the message must contain
CASES: dict[str, tuple[str, str, str]] = {
    "item-after-list": ("a:\n  - x\n  y: 2\n", "3:3", "does not fit the list"),
    "key-indented-between": ("a:\n  b: 1\n c: 2\n", "3:2", "check the indentation"),
    "key-indented-deeper": ("a:\n  b: 1\n   c: 2\n", "3:5", "indent a key exactly like"),
    "second-colon": ("a: b: c\n", "1:5", "must be quoted"),
    "no-colon": ("a: 1\nb\nc: 2\n", "2:1", "no ': ' follows it"),
    "tab": ("a:\n\tb: 1\n", "2:1", "replace the tab with spaces"),
    "reserved-character": ("a: @x\n", "1:4", "put the value in quotes"),
    "unclosed-quote": ("a: 'abc\nb: 2\n", "1:4", "never closed"),
    "unclosed-list": ("a: [1, 2\nb: 3\n", "2:2", "opened with '[' on line 1 is not closed"),
    "unclosed-mapping": ("a: {b: 1\n", "1:4", "opened with '{' on line 1 is not closed"),
    "bad-escape": ('a: "x\\qy"\n', "1:7", "is not an escape inside double quotes"),
    "short-escape": ('a: "\\x4"\n', "1:7", "\\x takes 2"),
    "undefined-alias": ("a: *x\n", "1:4", "refers to an anchor &x that is not defined"),
    "duplicate-anchor": ("a: &x 1\nb: &x 2\n", "2:4", "defined a second time"),
    "two-documents": ("a: 1\n---\nb: 2\n", "2:1", "a spec is one document"),
    "block-scalar-indicator": ("a: |x\n  t\n", "1:5", "after '|' or '>'"),
    "list-after-value": ("a: x\n- y\n", "2:1", "does not fit the mapping"),
}


def message(text: str) -> str:
    with pytest.raises(MrgenError) as caught:
        load_text(text, "s.yaml")
    assert len(caught.value.diagnostics) == 1
    return str(caught.value.diagnostics[0])


@pytest.mark.parametrize("case", sorted(CASES))
def test_syntax_errors_are_plain_words_with_the_line_and_a_caret(case: str) -> None:
    text, where, words = CASES[case]
    first, shown, caret = message(text).split("\n")
    assert first.startswith(f"s.yaml:{where}: invalid YAML: "), first
    assert words in first, first
    assert not JARGON.search(first), first
    line, col = (int(n) for n in where.split(":"))
    source = text.split("\n")[line - 1].replace("\t", "\\t")
    assert shown == f"    | {source}".rstrip()
    assert caret == "    | " + " " * (col - 1) + "^"


def test_the_caret_stays_under_the_column_after_wide_and_escaped_characters() -> None:
    text = "a: 'n\u00e4me \u6f22\u5b57 \x85'\nb: c: d\n"
    first, shown, caret = message(text.replace("\x85", "x")).split("\n")
    assert first.startswith("s.yaml:2:5:")
    assert caret.index("^") == shown.index(": d")
    wide = message("k\u6f22: a: b\n").split("\n")
    assert wide[2].index("^") == len("    | k") + 2 + len(": a")  # a wide character is 2 columns


def test_a_very_long_line_is_cut_around_the_column() -> None:
    text = "a: " + "x" * 5000 + ": y\n"
    _, shown, caret = message(text).split("\n")
    assert len(shown) < 130 and "..." in shown
    assert shown[caret.index("^")] == ":"


def test_the_cli_prints_the_excerpt_under_the_located_line(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    (folder / "s.yaml").write_text("apiVersion: mrgen/v1\nservice:\n  name: x\n   port: 80\n")
    result = run_cli(["validate", "s.yaml"], cwd=folder)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "s.yaml:4:8: invalid YAML: a key cannot start here: YAML reads this line as the "
        "continuation of the value above it; indent a key exactly like the keys next to it, "
        "or quote a value that contains ': '",
        "    |    port: 80",
        "    |        ^",
        "mrgen: 1 problem found",
    ]


def test_control_characters_in_every_field_are_escaped(tmp_path: object) -> None:
    """A key with a newline cannot forge a located line of its own."""
    from pathlib import Path

    folder = Path(str(tmp_path))
    (folder / "s.yaml").write_text('apiVersion: mrgen/v1\n"x\\ns.yaml:1:1: forged\\e[31m": 1\n')
    result = run_cli(["validate", "s.yaml"], cwd=folder)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert not any(line.startswith("s.yaml:1:1: forged") for line in lines), lines
    assert "\x1b" not in result.stderr
    assert any("x\\ns.yaml:1:1: forged\\x1b[31m" in line for line in lines), lines


def test_the_documented_example_is_what_mrgen_prints(project: object) -> None:
    from pathlib import Path

    from tests.conftest import EXAMPLE_SPEC, REPO

    folder = Path(str(project))
    readme = (REPO / "docs" / "spec-reference.md").read_text()  # where the README links
    start = readme.index("$ mrgen validate spec/fingerprint-api.yaml      # `weight: 30`")
    block = readme[start : readme.index("```", start)].splitlines()[1:]
    spec = folder / "spec" / EXAMPLE_SPEC.name
    text = spec.read_text()
    assert text.count("\n    weight: 30\n") == 1
    spec.write_text(text.replace("\n    weight: 30\n", "\n  weight: 30\n"))
    result = run_cli(["validate", f"spec/{EXAMPLE_SPEC.name}"], cwd=folder)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == block
