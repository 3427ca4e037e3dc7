"""`validate --rendered` groups a problem repeated for many files into one line with a count."""

from __future__ import annotations

import re

from generator.errors import Diagnostic
from generator.outcheck import check_tree
from generator.repeats import GROUP_FROM, Repeated, group_repeats
from tests.conftest import RENDERED, run_cli

NO_FOLDER = (
    "not a core kind of Kubernetes 1.32.0, and no schema folder given "
    "(--schema-dir or MRGEN_SCHEMA_DIR)"
)


def _at(file: str, message: str, line: int = 1) -> Diagnostic:
    return Diagnostic(file, line, 1, "document 1 (X x): (root)", message)


def test_without_a_schema_folder_every_custom_resource_is_one_line() -> None:
    result = run_cli(
        [
            "validate",
            "--rendered",
            str(RENDERED),
            "--engine",
            "python",
            "--no-build",
            "--skip-rule",
            "*",
        ]
    )
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    grouped = re.fullmatch(
        rf"{re.escape(str(RENDERED))}: {re.escape(NO_FOLDER)} \((\d+) files\)", lines[0]
    )
    assert grouped, lines[0]
    ungrouped = check_tree(RENDERED, [])  # one diagnostic per custom resource
    custom = len({d.file for d in ungrouped})
    assert {d.message for d in ungrouped} == {NO_FOLDER} and len(ungrouped) == custom
    assert int(grouped.group(1)) == custom > 50
    assert lines[1] == f"mrgen: {custom} problems found"


def test_a_message_repeated_in_fewer_files_keeps_its_located_lines() -> None:
    few = [_at(f"r/{name}.yaml", NO_FOLDER) for name in "ab"]
    one_file = [_at("r/build", "'Bad_api' is not a valid name", line) for line in range(1, 5)]
    other = _at("r/c.yaml", "metadata.name: 'X' is not a valid name")
    assert group_repeats([*few, *one_file, other]) == [*few, *one_file, other]


def test_repeats_become_one_line_where_the_first_was() -> None:
    first = _at("r/a.yaml", "broken", 3)
    repeated = [_at(f"r/k8s/{n}.yaml", NO_FOLDER) for n in range(GROUP_FROM + 1)]
    twice_in_one = [
        _at("r/k8s/z.yaml", "dup", 1),
        _at("r/k8s/z.yaml", "dup", 9),
        _at("r/other/y.yaml", "dup"),
        _at("r/other/x.yaml", "dup"),
    ]
    grouped = group_repeats([first, *repeated, *twice_in_one])
    assert [str(g) for g in grouped] == [
        "r/a.yaml:3:1: document 1 (X x): (root): broken",
        f"r/k8s: {NO_FOLDER} ({GROUP_FROM + 1} files)",
        "r: dup (4 times in 3 files)",
    ]
    assert isinstance(grouped[1], Repeated) and grouped[1].diagnostics == tuple(repeated)
