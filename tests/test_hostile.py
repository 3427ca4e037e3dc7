"""Hostile input: every case ends quickly, in bounded memory, with a clear located error,
or (free-text values that are legal) renders them exactly and writes nowhere else.

Each CLI run (in-process) is timed; `validate` then runs again under tracemalloc for its
peak Python allocation (tracing slows it, so that run is not timed). The heaviest inputs,
where tracing would take many seconds, run as a real `mrgen` process instead, whose peak
RSS is read with wait4.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO, CliResult, run_cli, snapshot
from tests.specgen import example_data, to_yaml

SECONDS = 20.0
"""A hostile input must be refused, not hang: a generous bound (timings live in
benchmarks/, where ratios are measured interleaved)."""
PEAK_BYTES = 200 * 1024 * 1024
SPEC = "spec.yaml"
LOCATED = re.compile(rf"^{re.escape(SPEC)}(:\d+:\d+)?: \S")
EXCERPT = re.compile(r"^    \|( |$)")  # a YAML syntax error's source line and caret


def bounded(call: Callable[[], CliResult], memory: bool = True) -> CliResult:
    """Run ``call`` under a hang bound, then again under tracemalloc (asserting the
    peak-allocation bound; tracing slows the run, so it is not timed)."""
    start = time.perf_counter()
    result = call()
    elapsed = time.perf_counter() - start
    assert elapsed < SECONDS, f"still running after {elapsed:.2f} s: a hang"
    if memory:
        tracemalloc.start()
        try:
            again = call()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert again.exit_code == result.exit_code
        assert peak < PEAK_BYTES, f"peak allocation {peak / 2**20:.0f} MiB"
    return result


def problems(folder: Path, raw: bytes, heavy: bool = False) -> list[str]:
    """Write ``raw`` as the spec, run validate and render (bounded); both must fail the
    same way with located messages. Returns the message lines. ``heavy`` inputs (where
    tracing would take many seconds) have their memory measured in a real process."""
    (folder / SPEC).write_bytes(raw)
    out = folder / "rendered"
    before = snapshot(out)
    found = []
    for args in (["validate", SPEC], ["render", SPEC, "--out", "rendered"]):
        result = bounded(
            lambda args=args: run_cli(args, cwd=folder),  # type: ignore[misc]
            memory=args[0] == "validate" and not heavy,
        )
        assert result.exit_code == 1, result.stdout + result.stderr
        lines = result.stderr.splitlines()
        assert re.fullmatch(r"mrgen: \d+ problems? found", lines[-1]), lines
        located = [line for line in lines[:-1] if not EXCERPT.match(line)]
        for line in located:
            assert LOCATED.match(line), f"not one located line: {line!r}"
        assert not lines[0].startswith("    |")
        found.append(located)
    assert found[0] == found[1]
    assert snapshot(out) == before
    assert sorted(p.name for p in folder.iterdir()) == sorted([SPEC, "pyproject.toml"])
    if heavy:
        code, stderr, _, rss = run_process(folder, ["validate", SPEC])
        shown = [line for line in stderr.splitlines()[:-1] if not EXCERPT.match(line)]
        assert (code, shown) == (1, found[0])
        assert rss < PEAK_BYTES, f"peak RSS {rss / 2**20:.0f} MiB"
    return found[0]


def run_process(folder: Path, args: list[str]) -> tuple[int, str, float, int]:
    """Run mrgen as a child; (exit code, stderr, seconds, peak RSS in bytes) via wait4."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "generator", *args],
            cwd=folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        deadline = start + 30
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                pytest.fail(f"mrgen {args} still running after 30 s")
            time.sleep(0.005)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return proc.returncode, err.read().decode(), elapsed, usage.ru_maxrss * 1024


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("")
    return tmp_path


def spec_with(change: Callable[[dict[str, Any]], None]) -> bytes:
    data = example_data()
    change(data)
    return to_yaml(data).encode("utf-8")


# --- alias bombs ----------------------------------------------------------------------


def _laughs_list(levels: int = 9) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def _laughs_map(levels: int = 9) -> str:
    lines = ["m0: &m0 {k0: x, k1: x, k2: x, k3: x, k4: x, k5: x, k6: x, k7: x, k8: x, k9: x}"]
    lines += [
        "m{i}: &m{i} {{{body}}}".format(i=i, body=", ".join(f"k{j}: *m{i - 1}" for j in range(10)))
        for i in range(1, levels)
    ]
    return "\n".join(lines) + "\n"


def _laughs_in_spec() -> str:
    """A real spec whose env is an alias bomb (the nesting hides in a valid-looking file)."""
    text = to_yaml(example_data())
    bomb = _laughs_list(8).replace("\n", "\n  ")
    return text.replace("service:\n", f"x-bomb:\n  {bomb}\nservice:\n", 1)


BOMBS = {
    "nested-lists": _laughs_list(),
    "nested-mappings": _laughs_map(),
    "wide-single-anchor": "a: &a [x]\nb: [" + ", ".join(["*a"] * 120_000) + "]\n",
    "self-referencing-list": "a: &a [1, *a]\n",
    "self-referencing-mapping": "a: &a {k: *a}\n",
    "inside-a-spec": _laughs_in_spec(),
    "anchor-as-key": "a: &a [1, 2]\nb: {? *a : x}\n",
}


@pytest.mark.parametrize("shape", sorted(BOMBS))
def test_alias_bombs(shape: str, folder: Path) -> None:
    found = problems(folder, BOMBS[shape].encode(), heavy=shape == "wide-single-anchor")
    assert any(
        word in "\n".join(found)
        for word in (
            "more than 50000 values",
            "nesting deeper",
            "unknown field",
            "mapping keys must be plain strings",
        )
    ), found


# --- size, bytes and encodings -----------------------------------------------------------


def test_multi_megabyte_spec(folder: Path) -> None:
    raw = to_yaml(example_data()).encode() + b"# padding\n" * 500_000  # 5 MB
    found = problems(folder, raw, heavy=True)
    line = raw.count(b"\n", 0, 1024 * 1024) + 1
    col = 1024 * 1024 - raw.rfind(b"\n", 0, 1024 * 1024)
    assert found == [
        f"{SPEC}:{line}:{col}: the spec is {len(raw)} bytes; the limit is "
        "1048576 bytes, reached here"
    ]


def test_multi_megabyte_single_line(folder: Path) -> None:
    found = problems(folder, b"a: " + b"x" * 3_000_000 + b"\n", heavy=True)
    assert "the limit is 1048576 bytes" in found[0]


def test_dense_file_just_under_the_size_limit(folder: Path) -> None:
    """~1 MB of tiny list items: reading stops at the node limit, not the end of the file."""
    raw = b"regions:\n" + b"- x\n" * 260_000
    assert len(raw) < 1024 * 1024
    found = problems(folder, raw, heavy=True)
    assert found == [
        f"{SPEC}:49999:3: the spec holds more than 50000 values; no spec needs that many"
    ]


def test_spec_just_under_the_size_limit_renders_in_bounds(folder: Path) -> None:
    """~1 MB of legal content: 240 env values of 4 KiB each."""
    env = {f"VALUE_{i}": chr(ord("a") + i % 26) * 4096 for i in range(240)}
    raw = spec_with(lambda d: d["service"].update(env=env))
    assert 900_000 < len(raw) < 1024 * 1024
    (folder / SPEC).write_bytes(raw)
    result = bounded(
        lambda: run_cli(["render", SPEC, "--out", "rendered"], cwd=folder), memory=False
    )
    assert result.exit_code == 0, result.stderr
    code, stderr, _, rss = run_process(folder, ["render", SPEC, "--out", "again"])
    assert code == 0, stderr
    assert rss < PEAK_BYTES, f"peak RSS {rss / 2**20:.0f} MiB"
    deployment = next((folder / "rendered").rglob("deployment.yaml")).read_text()
    assert deployment.count("a" * 4096) == len([k for k in env if env[k][0] == "a"])


def _garbage(seed: int, size: int) -> bytes:
    return random.Random(seed).randbytes(size)  # noqa: S311 - reproducible test data


ENCODINGS: dict[str, tuple[bytes, str]] = {
    "random-bytes": (_garbage(7, 4096), "cannot be decoded"),
    "random-bytes-after-header": (
        b"apiVersion: mrgen/v1\n" + _garbage(8, 2048),
        "cannot be decoded",
    ),
    "utf8-lone-surrogate": (
        b"apiVersion: mrgen/v1\nservice: \xed\xa0\x80\n",
        "byte 0xed cannot be decoded",
    ),
    "truncated-utf8-sequence": (b"apiVersion: mrgen/v1\nservice: caf\xc3", "cannot be decoded"),
    "cp1252-quotes": (b"service: \x93quoted\x94\n", "byte 0x93 cannot be decoded"),
    "utf16-le-bom": ("apiVersion: mrgen/v1\n".encode("utf-16"), "UTF-16 text"),
    "utf16-be-no-bom": ("apiVersion: mrgen/v1\n".encode("utf-16-be"), "UTF-16 text"),
    "utf16-le-no-bom": ("apiVersion: mrgen/v1\n".encode("utf-16-le"), "UTF-16 text"),
    "utf32": ("apiVersion: mrgen/v1\n".encode("utf-32"), "UTF-32 text"),
    "nul-bytes": (b"apiVersion: mrgen/v1\x00\x00\nservice: {}\n", "invalid character '\\x00'"),
    "c1-control": ("apiVersion: mrgen/v1\nservice: a\x85\x9fb\n".encode(), "invalid character"),
    "bidi-override": (
        "apiVersion: mrgen/v1\nservice:\n  name: a\u202eb\n".encode(),
        "service.name: 'a\\u202eb' is not valid",
    ),  # escaped, not raw
}


@pytest.mark.parametrize("case", sorted(ENCODINGS))
def test_bytes_and_encodings(case: str, folder: Path) -> None:
    raw, expected = ENCODINGS[case]
    found = problems(folder, raw)
    assert expected in "\n".join(found), found


# --- nesting ----------------------------------------------------------------------------

NESTING = {
    "flow-mappings": "a: " + "{a: " * 5000 + "x" + "}" * 5000 + "\n",
    "flow-lists-100k": "[" * 100_000 + "]" * 100_000 + "\n",
    "block-mappings": "".join("  " * i + "a:\n" for i in range(200)) + "  " * 200 + "x\n",
    "block-sequences": "- " * 3000 + "x\n",
    "mixed": "a:\n" + "".join("  " * (i + 1) + "- [{b: \n" for i in range(100)),
}


@pytest.mark.parametrize("case", sorted(NESTING))
def test_deep_nesting(case: str, folder: Path) -> None:
    found = problems(folder, NESTING[case].encode(), heavy=case == "flow-lists-100k")
    assert any(w in "\n".join(found) for w in ("nesting", "invalid YAML")), found


# --- the spec is not a mapping -----------------------------------------------------------


@pytest.mark.parametrize(
    "text,where,kind",
    [
        # list, scalar, null, number and empty are files in tests/bad_specs; these are not
        ("true\n", "1:1", "a boolean"),
        ("~\n", "1:1", "null"),
        ("'apiVersion: mrgen/v1'\n", "1:1", "a string"),
        ("1.5e3\n", "1:1", "a number"),
        ("--- !!str\nx\n", "1:5", "a string"),
    ],
)
def test_spec_is_not_a_mapping(text: str, where: str, kind: str, folder: Path) -> None:
    found = problems(folder, text.encode())
    assert found == [
        f"{SPEC}:{where}: (root): the spec must be a mapping with apiVersion, "
        f"service and regions, not {kind}"
    ]


# --- names that try to inject YAML, templates or paths -----------------------------------

HOSTILE = {
    "dotdot": "../../etc",
    "abs-path": "/etc/passwd",
    "newline": "a\nkind: Secret",
    "colon": "a: b",
    "hash": "a # b",
    "jinja": "{{ 7 * 7 }}",
    "jinja-block": "{% raw %}",
    "shell": "${HOME}",
    "nul": "a\0b",
    "long": "x" * 300,
    "yaml-doc": "---\nkind: Secret",
    "backslash": "a\\..\\b",
    "empty": "",
    "unicode": "r\u00e9gion",
    "space": "a b",
    "unicode-breaks": "a\x85b\u2028c\u2029d",  # YAML 1.1 line breaks: escaped, not folded
}
DNS_FIELDS: dict[str, tuple[Callable[[dict[str, Any], str], None], str]] = {
    "region-name": (lambda d, v: d["regions"][1].update(name=v), "regions[1].name"),
    "cluster-name": (
        lambda d, v: d["regions"][0]["cluster"].update(name=v),
        "regions[0].cluster.name",
    ),
    "service-name": (lambda d, v: d["service"].update(name=v), "service.name"),
    "namespace": (lambda d, v: d["service"].update(namespace=v), "service.namespace"),
    "env-key": (lambda d, v: d["service"].update(env={v: "x"}), "service.env"),
    "failover-entry": (lambda d, v: d["regions"][0].update(failover=[v]), "regions[0].failover[0]"),
    "aws-location": (
        lambda d, v: d["regions"][0]["location"].update(aws=v),
        "regions[0].location.aws",
    ),
}


@pytest.mark.parametrize("field", sorted(DNS_FIELDS))
@pytest.mark.parametrize("value", sorted(HOSTILE))
def test_hostile_names_are_rejected_where_they_are(field: str, value: str, folder: Path) -> None:
    change, path = DNS_FIELDS[field]
    found = problems(folder, spec_with(lambda d: change(d, HOSTILE[value])))
    assert any(
        re.match(rf"{re.escape(SPEC)}:\d+:\d+: {re.escape(path)}: ", line) for line in found
    ), found


IMAGE_REJECTED = [
    "dotdot",
    "abs-path",
    "newline",
    "colon",
    "hash",
    "jinja",
    "jinja-block",
    "shell",
    "nul",
    "yaml-doc",
    "backslash",
    "empty",
    "unicode",
    "space",
    "unicode-breaks",
]


@pytest.mark.parametrize("value", IMAGE_REJECTED)
def test_hostile_images_are_rejected(value: str, folder: Path) -> None:
    found = problems(folder, spec_with(lambda d: d["service"].update(image=HOSTILE[value])))
    assert any(": service.image: " in line for line in found), found


def rendered_deployment(folder: Path) -> dict[str, Any]:
    doc = yaml.safe_load(next((folder / "rendered").rglob("deployment.yaml")).read_text())
    assert isinstance(doc, dict)
    return doc


def outside_files(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if "rendered" not in p.relative_to(root).parts
    }


@pytest.mark.parametrize("value", sorted(HOSTILE))
def test_hostile_env_values_round_trip_and_stay_inside(value: str, folder: Path) -> None:
    text = HOSTILE[value]
    raw = spec_with(lambda d: d["service"].update(env={"HOSTILE": text, "ALSO": text + "\n"}))
    (folder / SPEC).write_bytes(raw)
    before = outside_files(folder)
    result = bounded(lambda: run_cli(["render", SPEC, "--out", "rendered"], cwd=folder))
    assert result.exit_code == 0, result.stderr
    container = rendered_deployment(folder)["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["HOSTILE"] == text
    assert env["ALSO"] == text + "\n"
    assert outside_files(folder) == before
    assert all(
        p.resolve().is_relative_to((folder / "rendered").resolve())
        for p in (folder / "rendered").rglob("*")
    )


def test_legal_but_odd_image_round_trips(folder: Path) -> None:
    image = "registry.example.com/../../etc/passwd:1.0"  # legal reference text, not a path
    (folder / SPEC).write_bytes(spec_with(lambda d: d["service"].update(image=image)))
    before = outside_files(folder)
    result = bounded(lambda: run_cli(["render", SPEC, "--out", "rendered"], cwd=folder))
    assert result.exit_code == 0, result.stderr
    container = rendered_deployment(folder)["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == image
    assert outside_files(folder) == before


def test_overlong_env_value_is_rejected(folder: Path) -> None:
    found = problems(folder, spec_with(lambda d: d["service"].update(env={"A": "x" * 4097})))
    assert any(": service.env.A: has 4097 characters" in line for line in found), found
