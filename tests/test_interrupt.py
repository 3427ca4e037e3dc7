"""An interrupted render: SIGKILL `mrgen render` at many moments while it replaces an old
tree with a new one; the output folder always holds exactly one of the two complete trees,
and the next render recovers (the new tree, no staging folder left behind).

No hook in mrgen: the test times one uninterrupted render from the moment its staging
folder appears (it is then writing) to its exit, then kills other renders at fractions of
that time, so kills land before, during and after the swap. Only the process this test
started is killed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from generator import sync
from generator.section import RenderedFile
from generator.sync import staging_dir
from tests.conftest import REPO, run_cli, snapshot
from tests.specgen import RegionRow, deterministic_regions, example_data, spec_data, to_yaml

# Kill moments after the staging folder appears, as fractions of how long an uninterrupted
# render takes from that moment to its exit (measured first, so any machine speed works).
FRACTIONS = (0.0, 0.05, 0.15, 0.3, 0.5, 0.7, 0.85, 0.95, 1.05, 1.2)
START_KILLS = (0.05,)  # seconds after start: before any writing


def renamed(rows: list[RegionRow], suffix: str) -> list[RegionRow]:
    return [
        replace(
            r,
            name=r.name + suffix,
            cluster=r.cluster + suffix,
            failover=tuple(f + suffix for f in r.failover or ()),
        )
        for r in rows
    ]


def write_specs(project: Path) -> None:
    """old: 5 regions; new: 30 other regions and another image, so most files change,
    many are created and every old overlay is deleted."""
    (project / "spec").mkdir()
    (project / "pyproject.toml").write_text("")
    old = spec_data(renamed(deterministic_regions(5), "x"))
    new = spec_data(deterministic_regions(30))
    new["service"] = {
        **example_data()["service"],
        "image": "registry.example.com/fingerprint/fingerprint-api:2.0.0",
    }
    (project / "spec" / "old.yaml").write_text(to_yaml(old))
    (project / "spec" / "new.yaml").write_text(to_yaml(new))


def tree(folder: Path) -> dict[str, bytes]:
    return {path: content for path, (content, _) in snapshot(folder).items()}


def render_old(project: Path, out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    result = run_cli(["render", "spec/old.yaml", "--out", out.name], cwd=project)
    assert result.exit_code == 0, result.stderr


def start_render(project: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    # --force: the new spec drops every old region, which the deletion safety valve refuses
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "generator",
            "render",
            "spec/new.yaml",
            "--out",
            "rendered",
            "--force",
        ],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_after(
    proc: subprocess.Popen[bytes], staging: Path, delay: float, from_start: bool
) -> bool:
    """SIGKILL ``proc`` ``delay`` s after the staging folder appears (or after start).
    Returns whether the kill landed while the process was still running."""
    deadline = time.monotonic() + 30
    if not from_start:
        while not staging.exists() and proc.poll() is None:
            assert time.monotonic() < deadline, "staging folder never appeared"
    end = time.monotonic() + delay
    while time.monotonic() < end and proc.poll() is None:
        pass
    running = proc.poll() is None
    if running:
        os.kill(proc.pid, signal.SIGKILL)
    code = proc.wait(timeout=30)
    # 0 also when "running": it can finish between poll() and the kill
    assert code in ((-signal.SIGKILL, 0) if running else (0,)), f"render exited {code}"
    return running


def test_killed_render_leaves_the_old_or_the_new_tree(tmp_path: Path) -> None:
    project = tmp_path
    write_specs(project)
    out, staging = project / "rendered", staging_dir(project / "rendered")
    render_old(project, project / "ref-old")
    assert run_cli(["render", "spec/new.yaml", "--out", "ref-new"], cwd=project).exit_code == 0
    old_tree, new_tree = tree(project / "ref-old"), tree(project / "ref-new")
    assert len(old_tree) > 10 and len(new_tree) > 60
    assert len(set(old_tree.items()) & set(new_tree.items())) < len(old_tree) // 2

    render_old(project, out)
    proc = start_render(project)
    while not staging.exists() and proc.poll() is None:
        pass
    appeared = time.monotonic()
    assert proc.wait(timeout=60) == 0
    writing = time.monotonic() - appeared
    assert tree(out) == new_tree

    outcomes = []
    schedule = [(d, True) for d in START_KILLS] + [(f * writing, False) for f in FRACTIONS]
    for delay, from_start in schedule:
        if not out.exists() or tree(out) != old_tree:
            render_old(project, out)
        if staging.exists():  # left by the previous kill; the signal of writing is a new one
            shutil.rmtree(staging)
        proc = start_render(project)
        try:
            killed = kill_after(proc, staging, delay, from_start)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
        state = tree(out)
        assert state in (old_tree, new_tree), (
            f"kill {delay * 1000:.1f} ms after {'start' if from_start else 'staging appeared'} "
            f"left a mixed tree: {len(set(state.items()) - set(old_tree.items()))} new-version "
            f"files, {len(set(state.items()) - set(new_tree.items()))} old-version files"
        )
        outcomes.append((killed, "old" if state == old_tree else "new", staging.exists()))

    print(outcomes)  # (killed while running, tree found, staging left) for each attempt
    killed_mid_write = [o for o in outcomes if o[0] and o[2]]
    assert killed_mid_write, f"no kill landed while the render was writing: {outcomes}"
    assert any(o[1] == "old" for o in outcomes)

    # The next render recovers: the new tree, and no staging or backup folder left behind.
    result = run_cli(["render", "spec/new.yaml", "--out", "rendered", "--force"], cwd=project)
    assert result.exit_code == 0, result.stderr
    assert tree(out) == new_tree
    assert not staging.exists()
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".")) == []


def test_a_clean_render_still_removes_a_stale_staging_folder(tmp_path: Path) -> None:
    """A kill after the swap but before clean-up leaves the new tree plus the old one in
    the staging folder; the next render has nothing to change and must still clean up."""
    write_specs(tmp_path)
    render_old(tmp_path, tmp_path / "rendered")
    staging = staging_dir(tmp_path / "rendered")
    shutil.copytree(tmp_path / "rendered", staging)
    before = snapshot(tmp_path / "rendered")
    result = run_cli(["render", "spec/old.yaml", "--out", "rendered"], cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "0 created, 0 updated, 0 deleted" in result.stdout
    assert snapshot(tmp_path / "rendered") == before
    assert not staging.exists()


def test_staged_files_are_flushed_before_the_swap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One syncfs where Linux has it; otherwise an fsync of every written file."""
    if sys.platform.startswith("linux"):
        assert sync._syncfs(tmp_path)
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(sync, "_syncfs", lambda folder: False)

    def fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    files = [RenderedFile("a/x.yaml", "1\n"), RenderedFile("b.yaml", "2\n")]
    sync.apply(sync.plan(tmp_path / "out", files, "spec/s.yaml"))
    assert len(synced) == 3  # the two files and the ownership record
