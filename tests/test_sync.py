"""The sync step: plan, ownership, only-changed writes, atomic swap, --check/--diff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import swap, sync
from generator.errors import MrgenError
from generator.fsafe import Tree
from generator.section import RenderedFile
from tests.conftest import run_cli, snapshot

SOURCE = "spec/example.yaml"


def files(**contents: str) -> list[RenderedFile]:
    return [RenderedFile(path.replace("__", "/"), text) for path, text in contents.items()]


def write(out: Path, rendered: list[RenderedFile]) -> sync.Plan:
    result = sync.plan(out, rendered, SOURCE)
    sync.apply(result)
    return result


def actions(result: sync.Plan) -> dict[str, str]:
    return {c.path: c.action for c in result.changes}


def test_first_render_creates_everything_and_records_ownership(tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    result = write(out, files(a__x="1\n", b="2\n"))
    assert actions(result) == {"a/x": "create", "b": "create", sync.RECORD: "create"}
    assert (out / "a" / "x").read_text() == "1\n"
    assert json.loads((out / sync.RECORD).read_text())["files"] == ["a/x", "b"]


def test_plan_classifies_update_delete_unchanged(tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    write(out, files(a__x="1\n", b="2\n", c="3\n"))
    result = sync.plan(out, files(a__x="1\n", b="changed\n", d="4\n"), SOURCE)
    assert actions(result) == {"b": "update", "c": "delete", "d": "create", sync.RECORD: "update"}
    assert result.unchanged == ("a/x",)
    assert (out / "b").read_text() == "2\n", "planning must not write"


def test_only_changed_files_are_rewritten(tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    write(out, files(a__x="1\n", b="2\n"))
    before = snapshot(out)
    write(out, files(a__x="1\n", b="new\n"))
    after = snapshot(out)
    assert after["a/x"] == before["a/x"], "unchanged file was rewritten (inode changed)"
    assert after["b"][0] == b"new\n"


def test_clean_plan_touches_nothing(tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    write(out, files(a="1\n"))
    before = snapshot(out)
    result = write(out, files(a="1\n"))
    assert result.clean
    assert snapshot(out) == before


def test_removed_outputs_are_deleted_with_their_empty_folders(tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    write(out, files(keep="1\n", gone__deep__x="2\n"))
    write(out, files(keep="1\n"))
    assert not (out / "gone").exists()
    assert (out / "keep").exists()


def test_files_mrgen_never_wrote_are_never_deleted(tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    write(out, files(a__x="1\n"))
    (out / "a" / "notes.md").write_text("mine\n")
    (out / "README.md").write_text("mine too\n")
    write(out, files(b="2\n"))
    assert (out / "a" / "notes.md").read_text() == "mine\n"
    assert (out / "README.md").read_text() == "mine too\n"
    assert not (out / "a" / "x").exists()


def test_a_foreign_file_in_the_way_is_an_error_and_nothing_changes(tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    write(out, files(a="1\n"))
    (out / "b").write_text("hand-written\n")
    before = snapshot(out)
    with pytest.raises(MrgenError, match="mrgen did not write it"):
        sync.plan(out, files(a="2\n", b="generated\n"), SOURCE)
    assert snapshot(out) == before


def test_a_tampered_record_cannot_delete_outside_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    write(out, files(a="1\n"))
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    (out / sync.RECORD).write_text(json.dumps({"files": ["a", "../victim"]}))
    with pytest.raises(MrgenError, match="outside the output folder"):
        sync.plan(out, files(a="1\n"), SOURCE)
    assert victim.read_text() == "precious\n"


def test_unreadable_record_is_a_located_error(tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    write(out, files(a="1\n"))
    (out / sync.RECORD).write_text("{not json")
    with pytest.raises(MrgenError, match=r"\.mrgen-files\.json: cannot read"):
        sync.plan(out, files(a="1\n"), SOURCE)


def test_failure_while_staging_leaves_the_old_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "rendered"
    write(out, files(a="1\n", b="2\n", c="3\n"))
    before = snapshot(out)
    calls = {"n": 0}
    real_write = sync._write

    def flaky(tree: Tree, path: str, content: str) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device", path)
        real_write(tree, path, content)

    monkeypatch.setattr(sync, "_write", flaky)
    result = sync.plan(out, files(a="x\n", b="y\n", c="z\n"), SOURCE)
    with pytest.raises(OSError):
        sync.apply(result)
    assert snapshot(out) == before
    assert not sync.staging_dir(out).exists()


def test_swap_without_renameat2_still_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "rendered"
    write(out, files(a="1\n"))
    monkeypatch.setattr(swap, "exchange", lambda parent, a, b: False)
    write(out, files(a="2\n"))
    assert (out / "a").read_text() == "2\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rendered"]


def test_stale_staging_from_a_killed_render_is_cleared(tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    write(out, files(a="1\n"))
    stale = sync.staging_dir(out)
    (stale / "half").mkdir(parents=True)
    write(out, files(a="2\n"))
    assert not stale.exists()
    assert (out / "a").read_text() == "2\n"


def test_check_and_diff_report_drift_without_writing(project: Path) -> None:
    assert run_cli(["render"], cwd=project).exit_code == 0
    hpa = project / "rendered/k8s/overlays/us-east-1/workload/horizontalpodautoscaler.yaml"
    hpa.write_text(hpa.read_text().replace("maxReplicas: 20", "maxReplicas: 25"))
    extra = project / "rendered/k8s/overlays/us-east-1/stale.yaml"
    record = project / "rendered" / sync.RECORD
    data = json.loads(record.read_text())
    data["files"].append("k8s/overlays/us-east-1/stale.yaml")
    record.write_text(json.dumps(data))
    extra.write_text("kind: Stale\n")
    (project / "rendered/k8s/base/mesh/service.yaml").unlink()
    before = snapshot(project / "rendered")

    result = run_cli(["render", "--check", "--diff"], cwd=project)
    assert result.exit_code == 1
    assert snapshot(project / "rendered") == before
    out = result.stdout
    assert (
        "would update rendered/k8s/overlays/us-east-1/workload/horizontalpodautoscaler.yaml" in out
    )
    assert "would delete rendered/k8s/overlays/us-east-1/stale.yaml" in out
    assert "would create rendered/k8s/base/mesh/service.yaml" in out
    assert "-  maxReplicas: 25\n+  maxReplicas: 20\n" in out
    assert "out of date" in result.stderr

    assert run_cli(["render"], cwd=project).exit_code == 0
    clean = run_cli(["render", "--check"], cwd=project)
    assert clean.exit_code == 0 and "up to date" in clean.stdout
