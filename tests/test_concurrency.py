"""Concurrent renders into one folder: the lock orders them, so after every round the
folder holds exactly one of the complete expected trees, its ownership record lists exactly
that tree's files, and nothing is left beside it.

Two layers, each with a fixed budget of rounds (about ten seconds each on two cores):
- the CLI: 2 and 4 ``mrgen render`` processes of different specs (different regions, so
  files are created, updated and deleted), started together;
- the sync step alone: 2 and 4 small worker processes applying pre-rendered trees under the
  lock, for many more rounds than whole renders allow.
Every process is started by the test and, if it overruns, killed by its PID.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from generator import sync
from tests.conftest import REPO, run_cli, snapshot
from tests.specgen import deterministic_regions, example_data, spec_data, to_yaml

SPECS = 4


def tree(folder: Path) -> dict[str, bytes]:
    return {path: content for path, (content, _) in snapshot(folder).items()}


def spec_text(i: int) -> str:
    """Spec ``i``: two regions of its own (so every other spec's overlays get deleted) and
    an image of its own (so every shared file changes)."""
    rows = [
        replace(
            r,
            name=f"{r.name}-s{i}",
            cluster=f"{r.cluster}-s{i}",
            failover=tuple(f"{f}-s{i}" for f in r.failover or ()),
        )
        for r in deterministic_regions(2)
    ]
    data = spec_data(rows)
    data["service"] = {
        **example_data()["service"],
        "image": f"registry.example.com/fingerprint/fingerprint-api:1.{i}.0",
    }
    return to_yaml(data)


def check_folder(project: Path, out: Path, expected: list[dict[str, bytes]], where: str) -> int:
    """The folder is one expected tree, with a matching record; returns which one."""
    state = tree(out)
    assert state in expected, (
        f"{where}: a tree that is none of the expected ones ({len(state)} files; "
        f"closest differs in {min(len(set(state.items()) ^ set(t.items())) for t in expected)})"
    )
    record = json.loads(state[sync.RECORD])
    assert set(record["files"]) == set(state) - {sync.RECORD}, where
    leftovers = sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".rendered"))
    assert leftovers == [], f"{where}: left beside the folder: {leftovers}"
    return expected.index(state)


def start_all(commands: list[list[str]], cwd: Path) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return [
        subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for cmd in commands
    ]


def wait_all(procs: list[subprocess.Popen[bytes]], timeout: float = 120) -> list[tuple[int, str]]:
    deadline = time.monotonic() + timeout
    results = []
    for proc in procs:
        try:
            _, err = proc.communicate(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            for other in procs:
                if other.poll() is None:
                    os.kill(other.pid, signal.SIGKILL)
                    other.wait()
            pytest.fail(f"pid {proc.pid} did not finish in {timeout} s")
        results.append((proc.returncode, err.decode()))
    return results


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, bytes]]]:
    """Specs s0..s3 and the tree each renders alone."""
    folder = tmp_path_factory.mktemp("concurrent")
    (folder / "pyproject.toml").write_text("")
    (folder / "spec").mkdir()
    expected = []
    for i in range(SPECS):
        (folder / "spec" / f"s{i}.yaml").write_text(spec_text(i))
        result = run_cli(["render", f"spec/s{i}.yaml", "--out", f"ref-{i}"], cwd=folder)
        assert result.exit_code == 0, result.stderr
        expected.append(tree(folder / f"ref-{i}"))
    assert len({frozenset(t.items()) for t in expected}) == SPECS
    return folder, expected


@pytest.mark.parametrize("procs,rounds", [(2, 6), (4, 4)])
def test_concurrent_cli_renders_leave_one_whole_tree(
    procs: int, rounds: int, project: tuple[Path, list[dict[str, bytes]]]
) -> None:
    folder, expected = project
    out = folder / "rendered"
    seen = set()
    for n in range(rounds):
        commands = [
            [
                sys.executable,
                "-m",
                "generator",
                "render",
                f"spec/s{(n + i) % SPECS}.yaml",
                "--out",
                "rendered",
                "--force",
                "--lock-timeout",
                "100",
            ]
            for i in range(procs)
        ]
        for code, err in wait_all(start_all(commands, folder)):
            assert code == 0, err
        seen.add(check_folder(folder, out, expected, f"round {n} of {procs} renders"))
    assert len(seen) >= 1


WORKER = """
import json, sys
from pathlib import Path
from types import SimpleNamespace
from generator.lock import output_lock
from generator.sync import apply, plan, recover
out, source, files = Path(sys.argv[1]), sys.argv[2], json.loads(Path(sys.argv[3]).read_text())
with output_lock(out, timeout=100):
    recover(out)
    apply(plan(out, [SimpleNamespace(path=p, content=c) for p, c in sorted(files.items())],
               source))
"""


@pytest.mark.parametrize("procs,rounds", [(2, 25), (4, 15)])
def test_concurrent_syncs_leave_one_whole_tree(
    procs: int, rounds: int, project: tuple[Path, list[dict[str, bytes]]]
) -> None:
    folder, expected = project
    out = folder / "rendered"
    inputs = []
    for i, want in enumerate(expected):
        files = {p: c.decode() for p, c in want.items() if p != sync.RECORD}
        path = folder / f"files-{i}.json"
        path.write_text(json.dumps(files))
        inputs.append((path, json.loads(want[sync.RECORD])["spec"]))
    last = []
    for n in range(rounds):
        chosen = [(n + i) % SPECS for i in range(procs)]
        commands = [
            [sys.executable, "-c", WORKER, str(out), inputs[i][1], str(inputs[i][0])]
            for i in chosen
        ]
        for code, err in wait_all(start_all(commands, folder)):
            assert code == 0, err
        last.append(check_folder(folder, out, expected, f"round {n} of {procs} syncs"))
    assert set(last) <= set(range(SPECS))
