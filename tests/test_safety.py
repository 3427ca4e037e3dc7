"""The deletion safety valve: a pure check on the plan, wired into render and render --check."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from generator.safety import check, region_outputs_removed
from generator.sync import Change, Plan
from tests.conftest import run_cli, snapshot

SPEC = Path("spec/fingerprint-api.yaml")


def _drop_last_region(project: Path) -> None:
    """The typo the valve exists for: ap-southeast-1's block is gone (weights re-balanced so
    the spec stays valid)."""
    path = project / SPEC
    text = path.read_text(encoding="utf-8")
    text = text[: text.index("  - name: ap-southeast-1")].replace("weight: 30", "weight: 50")
    text = text.replace(", ap-southeast-1]", "]")
    path.write_text(text, encoding="utf-8")


def _plan(owned: list[str], deleted: list[str], new: list[str]) -> Plan:
    changes = tuple(Change("delete", p, "x", None) for p in deleted)
    return Plan(
        Path("out"), changes, tuple(p for p in owned if p not in deleted), {p: "x" for p in new}
    )


def test_pure_check_share_threshold_and_whole_regions() -> None:
    owned = [f"k8s/base/f{i}.yaml" for i in range(8)]
    assert check(_plan(owned, owned[:2], owned[2:])) == []  # 2 of 8 = 25%: allowed
    [refusal] = check(_plan(owned, owned[:3], owned[3:]))  # 3 of 8 = 37.5%
    assert "3 of 8" in refusal.reason and refusal.paths == tuple(owned[:3])
    assert check(_plan(owned, owned[:3], owned[3:]), Fraction(1, 2)) == []

    region = ["k8s/overlays/eu/kustomization.yaml", "k8s/overlays/eu/workload/hpa.yaml"]
    kept = ["k8s/overlays/us/kustomization.yaml"]
    many = owned + kept + region
    plan = _plan(many, region, owned + kept)
    assert region_outputs_removed(plan) == {"eu": tuple(region)}
    [refusal] = check(plan, max_share=1)
    assert "'eu'" in refusal.reason and refusal.paths == tuple(region)
    # one file of the region going away is not the region going away
    assert check(_plan(many, region[1:], owned + kept + region[:1]), max_share=1) == []


def test_render_refuses_to_drop_a_region_and_force_lets_it_through(project: Path) -> None:
    assert run_cli(["render"], cwd=project).exit_code == 0
    before = snapshot(project / "rendered")
    _drop_last_region(project)

    check_run = run_cli(["render", "--check"], cwd=project)
    assert check_run.exit_code == 1
    assert "would refuse to render" in check_run.stderr and "'ap-southeast-1'" in check_run.stderr

    refused = run_cli(["render"], cwd=project)
    assert refused.exit_code == 1
    assert "refusing to render" in refused.stderr and "--force" in refused.stderr
    gone = sorted(p for p in before if p.startswith("k8s/overlays/ap-southeast-1/"))
    assert gone and all(f"rendered/{p}" in refused.stderr for p in gone)
    assert snapshot(project / "rendered") == before, "a refused render wrote something"

    forced = run_cli(["render", "--force"], cwd=project)
    assert forced.exit_code == 0, forced.stderr
    after = snapshot(project / "rendered")
    assert not any(p.startswith("k8s/overlays/ap-southeast-1/") for p in after)
    assert run_cli(["render", "--check"], cwd=project).exit_code == 0


def test_the_share_limit_is_configurable(project: Path) -> None:
    assert run_cli(["render"], cwd=project).exit_code == 0
    # Dropping one region of three deletes 3 of the owned files; a 1% limit refuses that
    # even when the region rule is not what trips it.
    _drop_last_region(project)
    strict = run_cli(["render", "--max-delete-share", "1%"], cwd=project)
    assert strict.exit_code == 1 and "rendered files" in strict.stderr
    bad = run_cli(["render", "--max-delete-share", "2"], cwd=project)
    assert bad.exit_code == 2


def test_a_normal_edit_renders_without_force(project: Path) -> None:
    assert run_cli(["render"], cwd=project).exit_code == 0
    path = project / SPEC
    path.write_text(
        path.read_text(encoding="utf-8").replace("max: 15", "max: 16"), encoding="utf-8"
    )
    result = run_cli(["render"], cwd=project)
    assert result.exit_code == 0, result.stderr
    assert "refus" not in result.stderr
