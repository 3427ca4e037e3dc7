"""Placeholders are loud (issue 13, item 5): the example's hosts and ids are located warnings
of `mrgen validate`, errors under `--strict`, and `mrgen init` asks for each of them."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import placeholders
from generator.build import build
from generator.errors import WARNING
from generator.loader import load_text
from tests.conftest import EXAMPLE_SPEC, REPO, run_cli
from tests.mesh_support import example, spec_text

PLACEHOLDER_PATHS = [
    "service.image",
    "replication.sync.image",
    "replication.watcher.image",
    "mesh.istio.helmRepo",
    "mesh.hostnames[0]",
    "delivery.repoURL",
    "monitoring.blackbox.instance",
    "globalRouting.domain",
    "globalRouting.route53.hostedZoneId",
    "globalRouting.route53.zoneName",
    *[
        f"globalRouting.route53.{part}.{region}"
        for part in ("origins", "healthCheckIds")
        for region in ("us-east-1", "eu-west-1", "ap-southeast-1")
    ],
]


def _warnings(data: dict[str, Any]) -> list[str]:
    spec = build(load_text(spec_text(data), "spec/test.yaml"), "spec/test.yaml")
    assert all(w.severity == WARNING for w in spec.warnings)
    return [w.path for w in spec.warnings]


def _real(data: dict[str, Any]) -> dict[str, Any]:
    """The example with every placeholder replaced by a value of one's own."""
    data["service"]["image"] = "registry.acme.io/fingerprint/api@sha256:" + "a" * 64
    data["replication"]["sync"]["image"] = "registry.acme.io/google-cloud-cli:499.0.0-slim"
    data["replication"]["watcher"]["image"] = "registry.acme.io/cache-invalidation:1.0.3"
    data["mesh"]["istio"]["helmRepo"] = "https://istio-release.storage.googleapis.com/charts"
    data["mesh"]["hostnames"] = ["api.acme.io"]
    data["delivery"]["repoURL"] = "https://github.com/acme/deploy.git"
    data["monitoring"]["blackbox"]["instance"] = "https://api.acme.io/healthz"
    routing = data["globalRouting"]
    routing["domain"] = "api.acme.io"
    routing["route53"].update(
        hostedZoneId="Z2FDTNDATAQYW2",
        zoneName="acme.io",
        origins={"us-east-1": "34.1.2.3", "eu-west-1": "34.1.2.4", "ap-southeast-1": "34.1.2.5"},
        healthCheckIds={
            r: f"{i}f3c5a2e-9b1d-4c7e-8a6f-0d2b4e6f8a1c"
            for i, r in enumerate(routing["route53"]["origins"])
        },
    )
    return data


@pytest.mark.parametrize(
    ("value", "what"),
    [
        ("https://git.example.com/platform/deploy.git", "the documentation host git.example.com"),
        ("registry.example.com/x/y:1", "the documentation host registry.example.com"),
        ("example.org", "the documentation host example.org"),
        ("api.corp.invalid", "the documentation host api.corp.invalid"),
        ("198.51.100.7", "the documentation address 198.51.100.7"),
        ("2001:db8::1", "the documentation address 2001:db8::1"),
        (
            "11111111-1111-1111-1111-111111111111",
            "the example id 11111111-1111-1111-1111-111111111111",
        ),
        ("Z0123456789ABCDEFGHIJ", "the example id Z0123456789ABCDEFGHIJ"),
        ("arn:aws:iam::123456789012:role/x", "the documentation AWS account 123456789012"),
    ],
)
def test_placeholder_values(value: str, what: str) -> None:
    assert placeholders.find(value) == what


@pytest.mark.parametrize(
    "value",
    [
        "https://github.com/acme/deploy.git",
        "api.acme.io",
        "notexample.com",
        "myexample.com.au",
        "34.120.1.2",
        "Z2FDTNDATAQYW2",
        "6f3c5a2e-9b1d-4c7e-8a6f-0d2b4e6f8a1c",
        "prometheus.monitoring.us-east-1.internal:9090",
        "fingerprint-prod",
    ],
)
def test_real_values_are_not_placeholders(value: str) -> None:
    assert placeholders.find(value) is None


def test_every_placeholder_of_the_example_is_a_warning() -> None:
    assert sorted(_warnings(example())) == sorted(PLACEHOLDER_PATHS)


def test_a_spec_with_its_own_values_has_no_warnings() -> None:
    assert _warnings(_real(example())) == []


def test_defaulted_placeholders_are_located_where_the_key_belongs() -> None:
    data = _real(example())
    del data["delivery"]["repoURL"], data["mesh"]["istio"]["helmRepo"]
    assert sorted(_warnings(data)) == ["delivery.repoURL", "mesh.istio.helmRepo"]


def test_validate_prints_located_warnings_and_strict_fails(project: Path) -> None:
    relaxed = run_cli(["validate"], cwd=project)
    assert relaxed.exit_code == 0, relaxed.stderr
    assert relaxed.stdout.endswith(f", {len(PLACEHOLDER_PATHS)} warnings\n")
    lines = relaxed.stderr.splitlines()
    assert len(lines) == len(PLACEHOLDER_PATHS)
    spec_lines = EXAMPLE_SPEC.read_text(encoding="utf-8").splitlines()
    for line in lines:
        where, path, message = line.split(": ", 2)
        file, row, col = where.rsplit(":", 2)
        assert file == "spec/fingerprint-api.yaml" and path in PLACEHOLDER_PATHS
        assert message.startswith("warning: placeholder: ")
        value = message.split("'")[1]
        assert spec_lines[int(row) - 1][int(col) - 1 :].lstrip('"').startswith(value), line

    strict = run_cli(["validate", "--strict"], cwd=project)
    assert strict.exit_code == 1
    errors = strict.stderr.splitlines()
    assert errors[-1] == f"mrgen: {len(PLACEHOLDER_PATHS)} problems found"
    assert [e.replace("placeholder: ", "warning: placeholder: ", 1) for e in errors[:-1]] == lines


def test_render_says_how_many_warnings_and_still_renders(project: Path) -> None:
    result = run_cli(["render"], cwd=project)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"mrgen: spec/fingerprint-api.yaml has {len(PLACEHOLDER_PATHS)} "
        "warning(s) (placeholder values, ...); `mrgen validate` lists "
        "them\n"
    )


def test_strict_passes_without_placeholders(project: Path) -> None:
    spec = project / "spec" / EXAMPLE_SPEC.name
    spec.write_text(spec_text(_real(example())), encoding="utf-8")
    result = run_cli(["validate", "--strict"], cwd=project)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""


def test_strict_is_for_specs_only() -> None:
    result = run_cli(["validate", "--rendered", str(REPO / "rendered"), "--strict"])
    assert result.exit_code == 2 and "--strict" in result.stderr


def test_init_lists_the_placeholders_left_to_fill(tmp_path: Path) -> None:
    result = run_cli(["init", "p"], cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    listed = [line.strip() for line in result.stdout.splitlines() if line.startswith("  ")]
    # the blackbox default probes the first hostname: it is a placeholder until that is
    assert sorted(line.split(": ")[1] for line in listed) == [
        "delivery.repoURL",
        "mesh.hostnames[0]",
        "mesh.istio.helmRepo",
        "monitoring.blackbox.instance",
        "service.image",
    ]
    assert all(line.startswith("p/spec/fingerprint-api.yaml:") for line in listed)
    assert run_cli(["validate", "--strict"], cwd=tmp_path / "p").exit_code == 1


def test_init_flags_fill_every_placeholder(tmp_path: Path) -> None:
    result = run_cli(
        [
            "init",
            "p",
            "--image",
            "registry.acme.io/api@sha256:" + "b" * 64,
            "--repo-url",
            "https://github.com/acme/deploy.git",
            "--helm-repo",
            "https://istio-release.storage.googleapis.com/charts",
            "--hostname",
            "api.acme.io",
            "--hostname",
            "api.acme.eu",
        ],
        cwd=tmp_path,
    )
    assert result.exit_code == 0, result.stderr
    assert "left to fill" not in result.stdout
    data = yaml.safe_load((tmp_path / "p/spec/fingerprint-api.yaml").read_text())
    assert data["mesh"]["hostnames"] == ["api.acme.io", "api.acme.eu"]
    assert data["delivery"]["repoURL"] == "https://github.com/acme/deploy.git"
    strict = run_cli(["validate", "--strict"], cwd=tmp_path / "p")
    assert strict.exit_code == 0, strict.stderr
    assert run_cli(["render"], cwd=tmp_path / "p").exit_code == 0


def test_init_asks_for_what_the_flags_leave_out(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from generator.cli import main

    answers = "api.acme.io\n\nhttps://github.com/acme/deploy.git\n\n"
    result = CliRunner().invoke(main, ["init", str(tmp_path / "p"), "--ask"], input=answers)
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((tmp_path / "p/spec/fingerprint-api.yaml").read_text())
    assert data["mesh"]["hostnames"] == ["api.acme.io"]
    assert data["delivery"]["repoURL"] == "https://github.com/acme/deploy.git"
    assert "service.image" in result.output and "mesh.istio.helmRepo" in result.output


def test_the_schema_shipped_with_init_is_the_repository_one(tmp_path: Path) -> None:
    assert run_cli(["init", "p"], cwd=tmp_path).exit_code == 0
    assert (tmp_path / "p/spec/mrgen.schema.json").read_bytes() == (
        REPO / "spec/mrgen.schema.json"
    ).read_bytes()
    shutil.rmtree(tmp_path / "p")
