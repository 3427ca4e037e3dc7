"""One exit-code table, obeyed by every command (README "Commands"):

0 ok, 1 findings, 2 usage or trouble (a missing, unreadable or special spec file, a bad
path, a lock held too long), 130 interrupted. Each row below is one command in one
situation; the interrupt tests run real processes and signal only the ones they started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.lock import output_lock
from tests.conftest import EXAMPLE_SPEC, REPO, run_cli
from tests.specgen import deterministic_spec, example_data, to_yaml

OK, FINDINGS, TROUBLE, INTERRUPTED = 0, 1, 2, 130


def invalid(project: Path) -> None:
    spec = project / "spec" / EXAMPLE_SPEC.name
    spec.write_text(spec.read_text().replace("weight: 50", "weight: 51"))


def unreadable(project: Path) -> None:
    (project / "spec" / EXAMPLE_SPEC.name).chmod(0)


def fifo(project: Path) -> None:
    spec = project / "spec" / EXAMPLE_SPEC.name
    spec.unlink()
    os.mkfifo(spec)


def nothing(project: Path) -> None:
    """The project as the fixture made it."""


def drifted(project: Path) -> None:
    assert run_cli(["render"], cwd=project).exit_code == OK
    spec = project / "spec" / EXAMPLE_SPEC.name
    spec.write_text(spec.read_text().replace("max: 15", "max: 25"))


def rendered(project: Path) -> None:
    assert run_cli(["render"], cwd=project).exit_code == OK


SPEC = f"spec/{EXAMPLE_SPEC.name}"
ROWS: list[tuple[str, list[str], Callable[[Path], None], int]] = [
    # validate
    ("validate-ok", ["validate"], nothing, OK),
    ("validate-invalid", ["validate"], invalid, FINDINGS),
    ("validate-missing-file", ["validate", "spec/nope.yaml"], nothing, TROUBLE),
    ("validate-a-folder", ["validate", "spec"], nothing, TROUBLE),
    ("validate-fifo", ["validate", SPEC], fifo, TROUBLE),
    ("validate-bad-option", ["validate", "--engine", "nope"], nothing, TROUBLE),
    ("validate-rendered-missing-folder", ["validate", "--rendered", "nowhere"], nothing, TROUBLE),
    # render
    ("render-ok", ["render"], nothing, OK),
    ("render-invalid", ["render"], invalid, FINDINGS),
    ("render-missing-file", ["render", "spec/nope.yaml"], nothing, TROUBLE),
    ("render-fifo", ["render", SPEC], fifo, TROUBLE),
    ("render-out-is-a-file", ["render", "--out", "pyproject.toml"], nothing, TROUBLE),
    ("render-out-is-the-spec-folder", ["render", "--out", "spec"], nothing, TROUBLE),
    ("render-out-is-the-current-folder", ["render", "--out", "."], nothing, TROUBLE),
    ("render-out-is-root", ["render", "--out", "/"], nothing, TROUBLE),
    ("render-check-clean", ["render", "--check"], rendered, OK),
    ("render-check-drift", ["render", "--check"], drifted, FINDINGS),
    ("render-bad-share", ["render", "--max-delete-share", "2"], nothing, TROUBLE),
    # diff
    ("diff-none", ["diff"], rendered, OK),
    ("diff-changes", ["diff"], drifted, FINDINGS),
    ("diff-invalid", ["diff"], invalid, FINDINGS),
    ("diff-missing-file", ["diff", "spec/nope.yaml"], nothing, TROUBLE),
    ("diff-bad-format", ["diff", "--format", "xml"], nothing, TROUBLE),
    # simulate
    ("simulate-ok", ["simulate", "--down", "ap-southeast-1"], nothing, OK),
    ("simulate-invalid", ["simulate", "--down", "us-east-1"], invalid, FINDINGS),
    ("simulate-unknown-region", ["simulate", "--down", "mars-1"], nothing, TROUBLE),
    ("simulate-missing-file", ["simulate", "--down", "x", "spec/nope.yaml"], nothing, TROUBLE),
    # init
    ("init-ok", ["init", "fresh"], nothing, OK),
    ("init-in-the-way", ["init"], nothing, TROUBLE),
    ("init-bad-name", ["init", "fresh", "--name", "Not_A_Label"], nothing, FINDINGS),
    # schema
    ("schema", ["schema"], nothing, OK),
    ("schema-extra-argument", ["schema", "x"], nothing, TROUBLE),
    ("unknown-command", ["frobnicate"], nothing, TROUBLE),
]


@pytest.mark.parametrize("args,prepare,code", [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_the_exit_code_table(
    args: list[str], prepare: Callable[[Path], None], code: int, project: Path
) -> None:
    prepare(project)
    started = time.monotonic()
    result = run_cli(args, cwd=project)
    assert result.exit_code == code, result.stdout + result.stderr
    assert time.monotonic() - started < 30
    assert "Traceback" not in result.stderr
    if code == TROUBLE:
        assert result.stderr.strip(), "trouble is always explained"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_an_unreadable_spec_is_trouble(project: Path) -> None:
    unreadable(project)
    result = run_cli(["validate"], cwd=project)
    assert result.exit_code == TROUBLE and "cannot read" in result.stderr


def test_special_files_are_refused_before_reading(project: Path) -> None:
    """A FIFO would block forever and /dev/zero never ends; both are refused up front."""
    fifo(project)
    result = run_cli(["validate", SPEC], cwd=project)
    assert result.exit_code == TROUBLE
    assert f"{SPEC}: is a FIFO (named pipe), not a regular file" in result.stderr
    zero = run_cli(["validate", "/dev/zero"], cwd=project)
    assert zero.exit_code == TROUBLE
    assert "/dev/zero: is a character device, not a regular file" in zero.stderr


# --- real processes: SIGINT and the lock ---------------------------------------------


def start(project: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "generator", *args],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen[str], timeout: float = 60) -> tuple[int, str]:
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"pid {proc.pid} did not finish in {timeout} s")
    return proc.returncode, err


def wait_for_line(proc: subprocess.Popen[str], text: str, timeout: float = 60) -> str:
    """Read the process's stderr until a line contains ``text``."""
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen.append(line)
        if text in line:
            return line
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    pytest.fail(f"never printed {text!r}: {seen}")


def test_a_second_render_waits_then_gives_up_with_exit_2(project: Path) -> None:
    out = project / "rendered"
    with output_lock(out):
        proc = start(project, "render", "--lock-timeout", "1")
        wait_for_line(proc, "another render is writing rendered; waiting")
        code, err = finish(proc)
    assert code == TROUBLE
    assert "still held its lock (.rendered.mrgen-lock) after 1 s" in err
    assert not out.exists(), "gave up without writing"
    assert run_cli(["render"], cwd=project).exit_code == OK  # the lock is free again
    assert sorted(p.name for p in project.iterdir()) == ["pyproject.toml", "rendered", "spec"]


def test_interrupting_a_render_that_waits_for_the_lock_exits_130(project: Path) -> None:
    out = project / "rendered"
    with output_lock(out):
        proc = start(project, "render")
        wait_for_line(proc, "waiting for it to finish")
        os.kill(proc.pid, signal.SIGINT)
        code, err = finish(proc)
    assert code == INTERRUPTED, err
    assert "mrgen: interrupted" in err and "Traceback" not in err
    assert not out.exists()


def test_interrupting_a_render_while_it_writes_exits_130_and_keeps_one_tree(tmp_path: Path) -> None:
    """Ctrl-C while staging: the old tree stays, nothing is left beside it."""
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "big.yaml").write_text(deterministic_spec(40))
    (tmp_path / "spec" / "small.yaml").write_text(to_yaml(example_data()))
    assert run_cli(["render", "spec/big.yaml", "--out", "new"], cwd=tmp_path).exit_code == OK
    assert run_cli(["render", "spec/small.yaml"], cwd=tmp_path).exit_code == OK
    before, new = tree(tmp_path / "rendered"), tree(tmp_path / "new")
    staging = tmp_path / ".rendered.mrgen-staging"
    proc = start(tmp_path, "render", "spec/big.yaml", "--force")
    deadline = time.monotonic() + 60
    while not staging.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    os.kill(proc.pid, signal.SIGINT)
    code, err = finish(proc)
    after = tree(tmp_path / "rendered")
    assert code in (OK, INTERRUPTED), err  # OK: it swapped before the signal arrived
    if code == INTERRUPTED:
        assert "mrgen: interrupted" in err and "Traceback" not in err
    assert after in (before, new)
    assert not staging.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "new",
        "pyproject.toml",
        "rendered",
        "spec",
    ]


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }
