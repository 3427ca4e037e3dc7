"""Nothing outside the output folder is read, written or deleted; nothing inside it that
mrgen does not own is lost; every byte of a rendered file comes from a serializer or is
constant text.

Cases that made the old code hang (a FIFO read as an owned file) run as real processes with
a time limit, killed by PID if they overrun.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from generator import swap, sync
from generator.fsafe import Tree
from tests.conftest import EXAMPLE_SPEC, REPO, run_cli, snapshot
from tests.specgen import deterministic_spec

DEPLOYMENT = "k8s/base/workload/deployment.yaml"
WORKLOAD = "k8s/base/workload"


@pytest.fixture
def rendered(project: Path) -> Path:
    """The project rendered once; returns the output folder."""
    assert run_cli(["render"], cwd=project).exit_code == 0
    return project / "rendered"


@pytest.fixture
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder outside the project with a file in it that must never change."""
    folder = tmp_path_factory.mktemp("outside")
    (folder / "victim").write_text("precious\n")
    (folder / "deployment.yaml").write_text("precious too\n")
    return folder


def change_spec(project: Path) -> None:
    spec = project / "spec" / EXAMPLE_SPEC.name
    spec.write_text(spec.read_text().replace("max: 15", "max: 25"))


def run(project: Path, *args: str, timeout: float = 30) -> tuple[int, str]:
    """mrgen as a process (a hang fails the test instead of stopping the suite)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", *args],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"mrgen {' '.join(args)} still running after {timeout} s")
    return proc.returncode, err


# --- symbolic links -----------------------------------------------------------------


@pytest.mark.parametrize("args", [["render"], ["render", "--force"], ["render", "--check"]])
def test_an_owned_folder_replaced_by_a_link_is_refused(
    args: list[str], rendered: Path, outside: Path
) -> None:
    change_spec(rendered.parent)
    shutil.rmtree(rendered / WORKLOAD)
    (rendered / WORKLOAD).symlink_to(outside, target_is_directory=True)
    before = snapshot(outside)
    result = run_cli(args, cwd=rendered.parent)
    assert result.exit_code == 2, result.stderr
    assert f"rendered/{WORKLOAD}: is a symbolic link where mrgen expects a folder" in result.stderr
    assert snapshot(outside) == before
    assert (rendered / WORKLOAD).is_symlink()


def test_check_never_reads_through_a_link(rendered: Path, outside: Path) -> None:
    """The old code opened the owned path through the link: a FIFO there blocked forever."""
    os.mkfifo(outside / "fifo")
    (rendered / DEPLOYMENT).unlink()
    (rendered / DEPLOYMENT).symlink_to(outside / "fifo")
    code, err = run(rendered.parent, "render", "--check")
    assert code == 2, err
    assert f"rendered/{DEPLOYMENT}: is a symbolic link" in err


def test_a_record_entry_through_a_link_deletes_nothing_outside(
    rendered: Path, outside: Path
) -> None:
    (rendered / "userlink").symlink_to(outside, target_is_directory=True)
    record = rendered / sync.RECORD
    data = json.loads(record.read_text())
    data["files"].append("userlink/victim")
    record.write_text(json.dumps(data))
    for args in (["render"], ["render", "--force"]):
        result = run_cli(args, cwd=rendered.parent)
        assert result.exit_code == 2, result.stderr
        assert "rendered/userlink: is a symbolic link" in result.stderr
    assert (outside / "victim").read_text() == "precious\n"


def test_a_link_at_an_owned_file_is_refused_and_its_target_kept(
    rendered: Path, outside: Path
) -> None:
    change_spec(rendered.parent)
    (rendered / DEPLOYMENT).unlink()
    (rendered / DEPLOYMENT).symlink_to(outside / "deployment.yaml")
    result = run_cli(["render", "--force"], cwd=rendered.parent)
    assert result.exit_code == 2
    assert f"rendered/{DEPLOYMENT}: is a symbolic link" in result.stderr
    assert (outside / "deployment.yaml").read_text() == "precious too\n"


def test_user_links_outside_owned_paths_are_kept_as_links(rendered: Path, outside: Path) -> None:
    """A link mrgen does not own is copied as a link, never followed or replaced."""
    change_spec(rendered.parent)
    (rendered / "notes").symlink_to(outside, target_is_directory=True)
    result = run_cli(["render"], cwd=rendered.parent)
    assert result.exit_code == 0, result.stderr
    assert (rendered / "notes").is_symlink()
    assert (rendered / "notes").readlink() == outside
    assert (outside / "victim").read_text() == "precious\n"


# --- special files ----------------------------------------------------------------------


@pytest.mark.parametrize("args", [["render"], ["render", "--check"], ["render", "--force"]])
def test_a_fifo_at_an_owned_path_is_refused_quickly(args: list[str], rendered: Path) -> None:
    (rendered / DEPLOYMENT).unlink()
    os.mkfifo(rendered / DEPLOYMENT)
    code, err = run(rendered.parent, *args)
    assert code == 2, err
    assert f"rendered/{DEPLOYMENT}: is a FIFO (named pipe), not a regular file" in err


def test_a_fifo_spec_is_refused_quickly(project: Path) -> None:
    spec = project / "spec" / EXAMPLE_SPEC.name
    spec.unlink()
    os.mkfifo(spec)
    code, err = run(project, "validate", f"spec/{EXAMPLE_SPEC.name}")
    assert code == 2 and "is a FIFO (named pipe), not a regular file" in err, err


# --- the header cannot be injected through the spec's path ---------------------------------

HOSTILE_NAMES = {
    "newline-secret": "a\nkind: Secret\nmetadata: {name: stolen}\n---\nkind: Secret\nb.yaml",
    "hash": "a # not a comment.yaml",
    "colon": "a: b.yaml",
    "document-markers": "--- a ....yaml",
    "carriage-return": "a\rkind: Secret.yaml",
    "unicode-breaks": "a\x85b\u2028c\u2029d.yaml",
    "html-comment-end": "a --> <script>.yaml",
    "quotes": "a \"b\" 'c'.yaml",
}


@pytest.mark.parametrize("case", sorted(HOSTILE_NAMES))
def test_a_hostile_spec_path_cannot_reach_the_rendered_files(case: str, project: Path) -> None:
    spec_dir = project / "spec"
    hostile = spec_dir / HOSTILE_NAMES[case]
    (spec_dir / EXAMPLE_SPEC.name).rename(hostile)
    result = run_cli(["render", str(hostile), "--out", "hostile"], cwd=project)
    assert result.exit_code == 0, result.stderr
    hostile.rename(spec_dir / EXAMPLE_SPEC.name)
    assert run_cli(["render", "--out", "plain"], cwd=project).exit_code == 0
    plain, rendered_hostile = snapshot(project / "plain"), snapshot(project / "hostile")
    assert sorted(plain) == sorted(rendered_hostile)
    for path, (content, _) in rendered_hostile.items():
        text = content.decode()
        if path.endswith((".yaml", ".yml")):
            header, body = text.split("\n", 1)
            assert header.startswith("# DO NOT EDIT: generated by mrgen from "), header
            assert header.isprintable()
            assert body == plain[path][0].decode().split("\n", 1)[1]
            docs = list(yaml.safe_load_all(text))
            assert docs == list(yaml.safe_load_all(plain[path][0].decode())), path
        elif path.endswith(".md"):
            assert text.split("\n", 1)[0].isprintable() and text.count("-->") == plain[path][
                0
            ].decode().count("-->")


# --- files that appear during a render ---------------------------------------------------


def test_files_made_in_the_output_folder_during_a_render_survive(tmp_path: Path) -> None:
    """A writer creates files (at the top, in an owned folder, in new folders) for as long
    as a render that replaces most of the tree runs; every one of them is there afterwards,
    and the new tree is complete."""
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "small.yaml").write_text(deterministic_spec(2))
    (tmp_path / "spec" / "big.yaml").write_text(deterministic_spec(25))
    assert run_cli(["render", "spec/small.yaml"], cwd=tmp_path).exit_code == 0
    assert run_cli(["render", "spec/big.yaml", "--out", "ref"], cwd=tmp_path).exit_code == 0
    out = tmp_path / "rendered"
    made: list[Path] = []
    stop = threading.Event()

    def writer() -> None:
        i = 0
        while not stop.is_set():
            for folder in (out, out / "k8s" / "base", out / f"notes-{i // 50}"):
                target = folder / f"user-{i}.txt"
                try:
                    target.parent.mkdir(exist_ok=True)
                    target.write_text(f"{i}\n")
                except FileNotFoundError:
                    continue  # the folder was being swapped at that instant: try the next
                made.append(target)
            i += 1
            time.sleep(0.001)  # a busy writer, not a fork bomb: the render must still run

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        code, err = run(tmp_path, "render", "spec/big.yaml", "--force", timeout=120)
    finally:
        stop.set()
        thread.join()
    assert code == 0, err
    lost = [p for p in made if not p.exists()]
    assert not lost, f"{len(lost)} of {len(made)} user files lost, e.g. {lost[:3]}"
    assert len(made) > 100
    ref = {k: v[0] for k, v in snapshot(tmp_path / "ref").items()}
    now = {k: v[0] for k, v in snapshot(out).items()}
    assert {k: now.get(k) for k in ref} == ref, "the new tree is incomplete"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "pyproject.toml",
        "ref",
        "rendered",
        "spec",
    ]


def test_a_user_file_replaced_during_a_render_keeps_the_new_version(
    rendered: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Editors save by writing a new file and renaming it over the old one: the render's
    linked copy holds the old version, the swap must keep the new one."""
    notes = rendered / "NOTES.md"
    notes.write_text("old\n")
    removed = rendered / "k8s" / "scratch.txt"
    removed.write_text("delete me\n")
    change_spec(rendered.parent)
    real_link_tree = swap.link_tree

    def link_then_edit(src: Tree, dst: Tree) -> swap.Snapshot:
        snapshot_ = real_link_tree(src, dst)
        fresh = rendered / ".NOTES.md.tmp"
        fresh.write_text("new\n")
        fresh.rename(notes)
        removed.unlink()
        return snapshot_

    monkeypatch.setattr(swap, "link_tree", link_then_edit)
    assert run_cli(["render"], cwd=rendered.parent).exit_code == 0
    assert notes.read_text() == "new\n"
    assert not removed.exists(), "a file deleted during the render came back"


# --- where a render may go -----------------------------------------------------------------


def test_out_refuses_the_spec_folder_and_unowned_folders_unless_forced(project: Path) -> None:
    before = snapshot(project)
    spec_folder = run_cli(["render", "--out", "spec"], cwd=project)
    assert spec_folder.exit_code == 2 and "holds the spec" in spec_folder.stderr
    assert snapshot(project) == before
    mine = project / "mine"
    mine.mkdir()
    (mine / "keep.txt").write_text("mine\n")
    unowned = run_cli(["render", "--out", "mine"], cwd=project)
    assert unowned.exit_code == 2 and "has no record of files mrgen wrote" in unowned.stderr
    assert sorted(p.name for p in mine.iterdir()) == ["keep.txt"]
    forced = run_cli(["render", "--out", "mine", "--force"], cwd=project)
    assert forced.exit_code == 0, forced.stderr
    assert (mine / "keep.txt").read_text() == "mine\n" and (mine / sync.RECORD).exists()
    assert run_cli(["render", "--out", "mine"], cwd=project).exit_code == 0  # now it is owned


@pytest.mark.parametrize("where", ["root", "home", "cwd", "cwd-parent"])
def test_out_never_takes_the_root_the_home_or_the_current_folder(
    where: str, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = project / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    cwd = project / "work" if where == "cwd-parent" else project
    cwd.mkdir(exist_ok=True)
    out = {"root": "/", "home": str(home), "cwd": ".", "cwd-parent": ".."}[where]
    before = snapshot(project)
    result = run_cli(
        ["render", str(project / "spec" / EXAMPLE_SPEC.name), "--out", out, "--force"], cwd=cwd
    )
    assert result.exit_code == 2, result.stderr
    assert {
        "root": "filesystem root",
        "home": "home folder",
        "cwd": "current folder",
        "cwd-parent": "current folder",
    }[where] in result.stderr
    assert snapshot(project) == before


def test_a_mount_point_is_refused_with_the_reason(project: Path) -> None:
    """Rendering into a mount point used to fail late with EBUSY from the swap; it is
    refused before anything is written (the mount lives in a private namespace)."""
    if not shutil.which("unshare") or not shutil.which("mount"):
        pytest.skip("unshare and mount are needed to make a private mount point")
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("no permission to make a private mount namespace")
    (project / "disk").mkdir()
    (project / "rendered").mkdir()
    script = (
        'mount --bind disk rendered && "$0" -m generator render --out rendered; '
        "code=$?; ls -A rendered disk; exit $code"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", script, sys.executable],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "rendered: is a mount point" in done.stderr
    assert done.stdout.split() == ["disk:", "rendered:"], "nothing written on either side"
    assert not any(p.name.startswith(".") for p in project.iterdir())


def test_a_folder_replaced_by_a_link_during_a_render_is_swapped_back(
    rendered: Path, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between the copy and the swap, the output folder becomes a link to elsewhere: the
    swap notices it exchanged something else, swaps back, and nothing changes anywhere."""
    change_spec(rendered.parent)
    real_link_tree = swap.link_tree
    moved = rendered.parent / "moved-away"

    def link_then_replace(src: Tree, dst: Tree) -> swap.Snapshot:
        snapshot_ = real_link_tree(src, dst)
        rendered.rename(moved)
        rendered.symlink_to(outside, target_is_directory=True)
        return snapshot_

    monkeypatch.setattr(swap, "link_tree", link_then_replace)
    before = snapshot(outside)
    result = run_cli(["render"], cwd=rendered.parent)
    assert result.exit_code == 2 and "was replaced while mrgen was rendering" in result.stderr
    assert rendered.is_symlink() and snapshot(outside) == before
    assert not sync.staging_dir(rendered).exists()
