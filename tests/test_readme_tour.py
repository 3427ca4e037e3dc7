"""The README's tour shows real output: the validate example (a schema error and semantic
problems of other sections, reported together in one run) is what mrgen prints."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import EXAMPLE_SPEC, REPO, run_cli

EDITS = (
    # eu-west-1's replicas.min above its max (a semantic check of the core section)
    ("    replicas: {min: 3, max: 15}", "    replicas: {min: 16, max: 15}"),
    # ap-southeast-1 failing over to a region the spec does not have
    ("    failover: [us-east-1, eu-west-1]", "    failover: [us-east-1, eu-west-2]"),
    # a malformed duration in the mesh section (a schema error)
    ("    timeout: 5s", "    timeout: 5x"),
)


def _block(text: str, first: str) -> list[str]:
    start = text.index(first)
    return text[start : text.index("```", start)].splitlines()[1:]


def test_the_readme_validate_example_is_what_mrgen_prints(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    spec = tmp_path / "spec" / EXAMPLE_SPEC.name
    spec.parent.mkdir()
    text = EXAMPLE_SPEC.read_text(encoding="utf-8")
    for old, new in EDITS:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    spec.write_text(text, encoding="utf-8")
    result = run_cli(["validate", f"spec/{EXAMPLE_SPEC.name}"], cwd=tmp_path)
    assert result.exit_code == 1
    expected = _block(readme, "$ mrgen validate spec/fingerprint-api.yaml\n")
    assert result.stderr.splitlines() == expected


def test_the_readme_valid_example_is_what_mrgen_prints() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    result = run_cli(["validate"], cwd=REPO)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == _block(readme, "$ mrgen validate\n")
