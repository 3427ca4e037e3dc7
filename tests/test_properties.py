"""Property-based tests: generated valid specs always render, deterministically, into
documents that parse and validate strictly; generated invalid or damaged specs always
end in exit 1 with located messages, never a traceback, and touch no output.

Everything goes through the public pipeline (load_text -> build -> render -> sync) and the
CLI, so every output kind registered in generator.targets is covered.

Example budgets are fixed (derandomized) so CI is reproducible. Locally, run
``HYPOTHESIS_PROFILE=mrgen-thorough python3 -m pytest tests/test_properties.py`` to explore
25 times as many random examples.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from generator import serialize, sync
from generator.build import build
from generator.errors import MrgenError
from generator.loader import decode, load_text
from generator.lock import output_lock
from generator.render import render
from generator.section import RenderedFile
from generator.sections.core import names as naming
from tests.conftest import CRD_SCHEMAS, REPO, run_cli, snapshot
from tests.folder_states import prepare, regular_files, time_limit
from tests.k8s_helpers import kustomize_build, strict_problems, validate_core
from tests.specgen import deterministic_regions, deterministic_spec, spec_data, to_yaml
from tests.strategies import (
    Generated,
    Step,
    damaged_text,
    file_names,
    folder_states,
    structurally_invalid,
    valid_specs,
)

_SCALE = {"mrgen-ci": 1, "mrgen-thorough": 25}
# No "explain" phase: it is slow, and its reporting trips filterwarnings=error.
_PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]
# CI also skips shrinking: each example is a whole render, and shrinking a failure can take
# many minutes; the failing example is still printed whole (run the thorough profile to shrink).
settings.register_profile(
    "mrgen-ci",
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    phases=[p for p in _PHASES if p is not Phase.shrink],
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
settings.register_profile(
    "mrgen-thorough",
    deadline=None,
    derandomize=False,
    print_blob=True,
    phases=_PHASES,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "mrgen-ci")
settings.load_profile(PROFILE if PROFILE in _SCALE else "mrgen-ci")


def budget(examples: int) -> int:
    return examples * _SCALE.get(PROFILE, 1)


SPEC_FILE = "spec.yaml"
SOURCE = "spec/spec.yaml"
LOCATED = re.compile(rf"^{re.escape(SPEC_FILE)}(:\d+:\d+)?: \S")
SUMMARY = re.compile(r"^mrgen: (\d+) problems? found$")
EXCERPT = re.compile(r"^    \|( |$)")  # a YAML syntax error's source line and its caret
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SCHEMA_DIRS = [CRD_SCHEMAS] if CRD_SCHEMAS.is_dir() else []


def pipeline(text: str) -> list[RenderedFile]:
    return render(build(load_text(text, SPEC_FILE), SOURCE))


def documents(files: list[RenderedFile]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every YAML document of every rendered YAML file (all must parse as mappings)."""
    for file in files:
        if file.path.endswith((".yaml", ".yml")):
            docs = list(yaml.load_all(file.content, Loader=SAFE_LOADER))
            assert docs, file.path
            for doc in docs:
                assert isinstance(doc, dict), f"{file.path}: a document is not a mapping"
                yield file.path, doc


def env_values(docs: list[dict[str, Any]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for doc in docs:
        if doc.get("kind") != "Deployment":
            continue
        for container in doc["spec"]["template"]["spec"]["containers"]:
            found.update({e["name"]: e["value"] for e in container.get("env", []) if "value" in e})
    return found


# --- valid specs -----------------------------------------------------------------------


@settings(max_examples=budget(40))
@given(spec=valid_specs())
def test_valid_specs_render_identically_twice_and_validate(spec: Generated) -> None:
    text = spec.text
    first = pipeline(text)
    second = pipeline(text)
    assert [(f.path, f.content) for f in first] == [(f.path, f.content) for f in second]

    model = build(load_text(text, SPEC_FILE), SOURCE)
    assert [r.name for r in model.regions] == [r["name"] for r in spec.data["regions"]]
    paths = {f.path for f in first}
    for region in model.regions:  # every region got its overlay
        assert f"{naming.overlay_dir(region)}/kustomization.yaml" in paths
    for file in first:
        assert file.content.endswith("\n") and not file.content.endswith("\n\n"), file.path
        assert "\r" not in file.content, file.path

    assert strict_problems(first, SCHEMA_DIRS) == []
    docs = [doc for path, doc in documents(first) if not path.endswith(".patch.yaml")]
    # Free-text env values reach the Deployment exactly, whatever characters they hold.
    values = env_values(docs)
    for key, value in spec.env.items():
        assert values.get(key) == value, key


@settings(max_examples=budget(8))
@given(spec=valid_specs(max_regions=12))
def test_valid_specs_sync_then_check_is_clean(
    spec: Generated, tmp_path_factory: pytest.TempPathFactory
) -> None:
    out = tmp_path_factory.mktemp("sync") / "rendered"
    files = pipeline(spec.text)
    sync.apply(sync.plan(out, files, SOURCE))
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert written == {f.path for f in files} | {sync.RECORD}
    for file in files:
        assert (out / file.path).read_bytes() == file.content.encode("utf-8")
    assert sync.plan(out, pipeline(spec.text), SOURCE).clean
    shutil.rmtree(out.parent)


_plain_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=budget(100))
@given(first=_plain_values, second=_plain_values)
def test_memoized_serializer_equals_a_fresh_dump(first: Any, second: Any) -> None:
    """The serializer's memo never hands one value the dump of another (1 vs True vs 1.0,
    tuples vs lists, key order...)."""
    for value in (first, second, first, [first, second]):
        assert serialize.dump_yaml(value) == serialize._dump_block(value)
        if not isinstance(value, dict | list | tuple):
            flow = serialize._dump_flow(value).removesuffix("\n").removesuffix("\n...")
            assert serialize.yaml_scalar(value) in (flow, json_dumps(value))


def json_dumps(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def test_product_strict_validation_agrees_with_kubernetes_validate() -> None:
    import kubernetes_validate

    files = pipeline(deterministic_spec(3))
    docs = [d for _, d in documents(files)]
    core = [
        d for d in docs if d.get("apiVersion") in {"v1", "apps/v1", "autoscaling/v2", "policy/v1"}
    ]
    assert len(core) >= 6
    for doc in core:
        validate_core(doc)
    assert strict_problems(files, SCHEMA_DIRS) == []
    broken = {**core[0], "spec": {**core[0].get("spec", {}), "replicaz": 3}}
    with pytest.raises(kubernetes_validate.ValidationError):
        validate_core(broken)
    as_file = RenderedFile("broken.yaml", serialize.dump_yaml(broken))
    problems = strict_problems([as_file], SCHEMA_DIRS)
    assert len(problems) == 1 and "replicaz" in problems[0], problems


def test_render_is_identical_across_processes_and_hash_seeds(tmp_path: Path) -> None:
    """Determinism that one process cannot show: set/dict order under other hash seeds."""
    spec = tmp_path / "spec" / "spec.yaml"
    spec.parent.mkdir()
    spec.write_text(deterministic_spec(12))
    (tmp_path / "pyproject.toml").write_text("")
    trees = []
    for seed in ("1", "2"):
        out = tmp_path / f"out-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
        result = subprocess.run(
            [sys.executable, "-m", "generator", "render", str(spec), "--out", str(out)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        trees.append({k: v[0] for k, v in snapshot(out).items()})
    assert trees[0] == trees[1]
    assert len(trees[0]) > 12


@pytest.mark.parametrize("count", [1, 7])
def test_generated_overlays_build_with_kustomize_and_validate(count: int, tmp_path: Path) -> None:
    rows = deterministic_regions(count)
    out = tmp_path / "rendered"
    files = pipeline(to_yaml(spec_data(rows, {"GREETING": "a: b # {{ c }} ${d}\nline 2"})))
    sync.apply(sync.plan(out, files, SOURCE))
    for row in (rows[0], rows[-1]):
        docs = kustomize_build(out / "k8s" / "overlays" / row.name)
        assert len(docs) >= 6
        built = [RenderedFile(f"b{i}.yaml", serialize.dump_yaml(d)) for i, d in enumerate(docs)]
        assert strict_problems(built, SCHEMA_DIRS) == []
        for doc in docs:
            if doc["kind"] == "Deployment":
                validate_core(doc)
                assert doc["metadata"]["name"].startswith(row.name)


# --- invalid specs ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with an existing rendered tree that no failing command may touch."""
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / SPEC_FILE).write_text(deterministic_spec(3))
    result = run_cli(["render", SPEC_FILE, "--out", "rendered"], cwd=folder)
    assert result.exit_code == 0, result.stderr
    return folder


def is_valid(raw: bytes) -> bool:
    try:
        build(load_text(decode(raw, SPEC_FILE), SPEC_FILE), SOURCE)
    except MrgenError:
        return False
    return True


def assert_fails_cleanly(raw: bytes, workspace: Path) -> None:
    (workspace / SPEC_FILE).write_bytes(raw)
    out = workspace / "rendered"
    before = snapshot(out)
    for args in (["validate", SPEC_FILE], ["render", SPEC_FILE, "--out", "rendered"]):
        result = run_cli(args, cwd=workspace)  # raises on any exception but SystemExit
        assert result.exit_code == 1, (args, result.stdout, result.stderr)
        assert result.stdout == "", args
        lines = [ln for ln in result.stderr.splitlines() if not EXCERPT.match(ln)]
        assert lines, args
        summary = SUMMARY.match(lines[-1])
        assert summary, lines[-1]
        assert int(summary.group(1)) == len(lines) - 1 >= 1
        for line in lines[:-1]:
            assert LOCATED.match(line), f"not a located message: {line!r}"
        assert "Traceback" not in result.stderr
    assert snapshot(out) == before
    assert sorted(p.name for p in workspace.iterdir()) == ["rendered", SPEC_FILE]


@settings(max_examples=budget(100))
@given(mutated=structurally_invalid())
def test_invalid_specs_fail_with_located_messages(
    mutated: tuple[bytes, bool], workspace: Path
) -> None:
    raw, single = mutated
    if not single:  # a later mutation can undo an earlier one
        assume(not is_valid(raw))
    assert_fails_cleanly(raw, workspace)


@settings(max_examples=budget(60))
@given(raw=damaged_text())
def test_damaged_specs_fail_with_located_messages(raw: bytes, workspace: Path) -> None:
    assume(not is_valid(raw))  # some damage leaves a valid spec (e.g. a cut-off comment)
    assert_fails_cleanly(raw, workspace)


# --- file names and output-folder states ---------------------------------------------------


@settings(max_examples=budget(12))
@given(spec_name=file_names, out_name=file_names)
def test_any_file_names_render_the_same_documents(
    spec_name: str, out_name: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Spec and output folder names with line breaks, '#', ':', '---', controls: the render
    succeeds, every header stays one printable comment line, the documents are those of a
    plainly named spec, and nothing but the output folder appears."""
    folder = tmp_path_factory.mktemp("names")
    (folder / "pyproject.toml").write_text("")
    (folder / "spec").mkdir()
    spec = folder / "spec" / spec_name
    spec.write_text(deterministic_spec(1))
    result = run_cli(["render", str(spec), "--out", str(folder / out_name)], cwd=folder)
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout and all(
        ln.isprintable() for ln in result.stdout.splitlines()
    )
    reference = {f.path: f.content for f in pipeline(deterministic_spec(1))}
    written = {k: v[0].decode() for k, v in snapshot(folder / out_name).items()}
    assert set(written) == set(reference) | {sync.RECORD}
    for path, text in reference.items():
        header, body = written[path].split("\n", 1)
        assert header.isprintable(), path
        if path.endswith(".md"):  # the runbook names its spec in the text, escaped
            assert body.count("\n") == text.count("\n") - 1, path
        else:
            assert body == text.split("\n", 1)[1], path
    assert sorted(p.name for p in folder.iterdir()) == sorted(["pyproject.toml", "spec", out_name])
    shutil.rmtree(folder)


class Renders(tuple[list[RenderedFile], list[RenderedFile]]):
    """Two renders; a short repr, so a failing example prints the steps, not 300 kB."""

    def __repr__(self) -> str:
        return f"Renders({len(self[0])} files, then {len(self[1])})"


@pytest.fixture(scope="module")
def state_files() -> Renders:
    """A previous render (3 regions) and the next one (2 of them and another image), so
    the next render creates, updates and deletes."""
    before = pipeline(deterministic_spec(3))
    after = pipeline(deterministic_spec(2).replace(":1.4.2", ":1.5.0"))
    return Renders((before, after))


@settings(max_examples=budget(50))
@given(steps=folder_states())
def test_any_output_folder_state_loses_nothing_and_touches_nothing_outside(
    steps: tuple[Step, ...], state_files: Renders, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Whatever happened to the output folder since the last render (user files, links to
    outside, FIFOs, swapped files and folders, hostile or broken record entries, what a
    killed render leaves), the next render (as `render --force` runs it: lock, recovery,
    plan, apply) either writes the new tree exactly or fails with located problems; it never
    hangs, never loses a user file, never touches anything outside, and on failure leaves
    every file as it was."""
    base = tmp_path_factory.mktemp("state")
    out, outside = base / "rendered", base / "outside"
    outside.mkdir()
    (outside / "victim").write_text("precious\n")
    before, after = state_files
    sync.apply(sync.plan(out, before, SOURCE))
    prepared = prepare(out, outside, steps)
    files_before, outside_before = regular_files(out), snapshot(outside)
    try:
        with time_limit(30), output_lock(out, timeout=5):
            sync.recover(out)
            sync.apply(sync.plan(out, after, SOURCE))
        failed = None
    except MrgenError as exc:
        failed = exc
        assert exc.diagnostics and all(d.file and d.message for d in exc.diagnostics)
    assert snapshot(outside) == outside_before
    now, staged = regular_files(out), regular_files(sync.staging_dir(out))
    for rel, content in prepared.user.items():
        assert now.get(rel) == content, f"user file {rel!r} lost ({failed})"
    for name, content in prepared.staged.items():
        assert content in (now.get(name), staged.get(name)), f"{name!r} lost ({failed})"
    if failed is None:
        assert {f.path: now.get(f.path) for f in after} == {
            f.path: f.content.encode() for f in after
        }
        assert set(json.loads(now[sync.RECORD])["files"]) == {f.path for f in after}
        assert not [p for p in base.iterdir() if p.name.startswith(".")]
    else:
        assert {k: now.get(k) for k in files_before} == files_before, str(failed)
    shutil.rmtree(base)
