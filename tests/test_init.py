"""`mrgen init`: a starter project that validates and renders, never overwriting."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from generator.resources import schema_path
from generator.starter import GUIDE_REGIONS
from tests.conftest import run_cli, snapshot


def test_init_writes_a_starter_that_validates_and_renders(tmp_path: Path) -> None:
    result = run_cli(["init", "project"], cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    root = tmp_path / "project"
    assert sorted(snapshot(root)) == ["spec/fingerprint-api.yaml", "spec/mrgen.schema.json"]
    spec_text = (root / "spec/fingerprint-api.yaml").read_text(encoding="utf-8")
    assert spec_text.splitlines()[0] == "# yaml-language-server: $schema=./mrgen.schema.json"
    schema = json.loads((root / "spec/mrgen.schema.json").read_text(encoding="utf-8"))
    assert schema == json.loads(schema_path().read_text(encoding="utf-8"))

    data = yaml.safe_load(spec_text)
    regions = {r["name"]: r for r in data["regions"]}
    assert (
        list(regions)
        == [r["name"] for r in GUIDE_REGIONS]
        == ["us-east-1", "eu-west-1", "ap-southeast-1"]
    )
    assert [
        (r["weight"], r["replicas"]["min"], r["replicas"]["max"], r["latencyTargetMs"])
        for r in regions.values()
    ] == [(50, 5, 20, 100), (30, 3, 15, 150), (20, 2, 10, 200)]

    assert run_cli(["validate"], cwd=root).exit_code == 0
    rendered = run_cli(["render"], cwd=root)
    assert rendered.exit_code == 0, rendered.stderr
    assert (root / "rendered/k8s/overlays/ap-southeast-1/kustomization.yaml").is_file()
    assert run_cli(["render", "--check"], cwd=root).exit_code == 0


def test_init_takes_a_service_name(tmp_path: Path) -> None:
    assert run_cli(["init", "--name", "checkout"], cwd=tmp_path).exit_code == 0
    data = yaml.safe_load((tmp_path / "spec/checkout.yaml").read_text(encoding="utf-8"))
    assert data["service"]["name"] == data["service"]["namespace"] == "checkout"
    assert run_cli(["validate"], cwd=tmp_path).exit_code == 0
    bad = run_cli(["init", "other", "--name", "Not_A_Label"], cwd=tmp_path)
    assert bad.exit_code == 1 and "DNS-1123" in bad.stderr
    assert not (tmp_path / "other").exists()


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec/mrgen.schema.json").write_text("{}\n", encoding="utf-8")
    before = snapshot(tmp_path)
    result = run_cli(["init"], cwd=tmp_path)
    assert result.exit_code == 2  # files in the way: trouble, not a finding
    assert "spec/mrgen.schema.json" in result.stderr and "never overwrites" in result.stderr
    assert snapshot(tmp_path) == before

    (tmp_path / "spec/mrgen.schema.json").unlink()
    (tmp_path / "spec/existing.yaml").write_text("apiVersion: mrgen/v1\n", encoding="utf-8")
    before = snapshot(tmp_path)
    result = run_cli(["init"], cwd=tmp_path)
    assert result.exit_code == 2 and "a spec already exists" in result.stderr
    assert snapshot(tmp_path) == before
