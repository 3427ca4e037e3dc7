"""Custom resources: schema folders from --schema-dir and MRGEN_SCHEMA_DIR, strict like
kubeconform -strict, and a kind without a schema anywhere is an error."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from generator.outcheck.crd import strict_schema
from tests.conftest import require_crd_schemas, run_cli

DESTINATION_RULE = """\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: fingerprint-api
  namespace: fingerprint-api
spec:
  host: fingerprint-api.fingerprint-api.svc.cluster.local
  trafficPolicy:
    connectionPool:
      tcp:
        maxConections: 100
    outlierDetection:
      consecutive5xxErrors: 5
      maxEjectionPercent: 100
"""

WIDGET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "required": ["size"],
            "properties": {
                "size": {"type": "integer"},
                "extra": {
                    "type": "object",
                    "x-kubernetes-preserve-unknown-fields": True,
                    "properties": {"known": {"type": "string"}},
                },
            },
        },
    },
}


def widget_schemas(tmp_path: Path) -> Path:
    folder = tmp_path / "schemas"
    (folder / "widgets.example.com").mkdir(parents=True)
    (folder / "widgets.example.com" / "widget_v1.json").write_text(json.dumps(WIDGET_SCHEMA))
    return folder


def write_docs(tmp_path: Path, name: str, text: str) -> Path:
    root = tmp_path / "out"
    root.mkdir(exist_ok=True)
    (root / name).write_text(text)
    return root


def validate(root: Path, *extra: str) -> Any:
    return run_cli(
        ["validate", "--rendered", str(root), "--engine", "python", "--no-build", *extra]
    )


def test_custom_resource_unknown_field_against_the_upstream_schema(tmp_path: Path) -> None:
    crds = require_crd_schemas()
    root = write_docs(tmp_path, "destinationrule.yaml", DESTINATION_RULE)
    result = validate(root, "--schema-dir", str(crds))
    assert result.exit_code == 1, result.stdout
    assert (
        f"{root}/destinationrule.yaml:11:9: document 1 (DestinationRule fingerprint-api): "
        "spec.trafficPolicy.connectionPool.tcp.maxConections: unknown field" in result.stderr
    ), result.stderr
    fixed = DESTINATION_RULE.replace("maxConections", "maxConnections")
    root = write_docs(tmp_path, "destinationrule.yaml", fixed)
    assert validate(root, "--schema-dir", str(crds)).exit_code == 0


def test_custom_resource_top_level_and_metadata_are_strict(tmp_path: Path) -> None:
    crds = require_crd_schemas()
    # The upstream Istio schemas describe only spec and status: the root is closed by mrgen,
    # and metadata (open in CRD schemas) is checked against ObjectMeta.
    text = DESTINATION_RULE.replace("maxConections", "maxConnections").replace(
        "  namespace: fingerprint-api\n", "  namespace: fingerprint-api\n  lables: {}\n"
    )
    root = write_docs(tmp_path, "dr.yaml", text + "extra: 1\n")
    result = validate(root, "--schema-dir", str(crds))
    assert result.exit_code == 1
    assert (
        ":16:1: document 1 (DestinationRule fingerprint-api): extra: unknown field" in result.stderr
    ), result.stderr
    assert (
        ":6:3: document 1 (DestinationRule fingerprint-api): metadata.lables: unknown field"
        in result.stderr
    ), result.stderr


def test_no_schema_anywhere_is_an_error_not_a_pass(tmp_path: Path) -> None:
    root = write_docs(tmp_path, "dr.yaml", DESTINATION_RULE)
    result = validate(root)
    assert result.exit_code == 1
    assert (
        "dr.yaml:1:1: document 1 (DestinationRule fingerprint-api): (root): not a core kind "
        "of Kubernetes 1.32.0, and no schema folder given (--schema-dir or MRGEN_SCHEMA_DIR)"
        in result.stderr
    )


WIDGET = """\
apiVersion: widgets.example.com/v1
kind: Widget
metadata:
  name: gizmo
spec:
  size: {size}
  extra:
    known: yes-it-is
    free: anything
"""


@pytest.mark.parametrize("how", ["flag", "env"])
def test_schema_dir_by_flag_or_environment(
    tmp_path: Path, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    schemas = widget_schemas(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    args: list[str] = []
    if how == "flag":
        args = ["--schema-dir", str(empty), "--schema-dir", str(schemas)]
    else:
        monkeypatch.setenv("MRGEN_SCHEMA_DIR", os.pathsep.join([str(empty), str(schemas)]))
    root = write_docs(tmp_path, "widget.yaml", WIDGET.format(size=3))
    result = validate(root, *args)
    assert result.exit_code == 0, result.stderr
    assert "1 documents in 1 files" in result.stdout
    root = write_docs(tmp_path, "widget.yaml", WIDGET.format(size="big"))
    result = validate(root, *args)
    assert result.exit_code == 1
    assert (
        "widget.yaml:6:9: document 1 (Widget gizmo): spec.size: 'big' is not of type "
        "'integer'" in result.stderr
    ), result.stderr


def test_missing_schema_dir_flag_is_a_clear_error(tmp_path: Path) -> None:
    root = write_docs(tmp_path, "widget.yaml", WIDGET.format(size=3))
    result = validate(root, "--schema-dir", str(tmp_path / "no-such-schemas"))
    assert result.exit_code == 2
    assert "no-such-schemas" in result.stderr and "does not exist" in result.stderr


def test_missing_schema_dir_in_environment_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MRGEN_SCHEMA_DIR", str(tmp_path / "no-such-schemas"))
    root = write_docs(tmp_path, "widget.yaml", WIDGET.format(size=3))
    result = validate(root)
    assert result.exit_code == 2
    assert "MRGEN_SCHEMA_DIR" in result.stderr and "no-such-schemas" in result.stderr


def test_strict_schema_closes_only_objects_that_are_silent() -> None:
    closed = strict_schema(WIDGET_SCHEMA)
    assert closed["additionalProperties"] is False
    assert set(closed["properties"]) >= {"apiVersion", "kind", "metadata", "spec"}
    spec = closed["properties"]["spec"]
    assert spec["additionalProperties"] is False
    assert "additionalProperties" not in spec["properties"]["extra"]  # preserve-unknown-fields
    assert "additionalProperties" not in WIDGET_SCHEMA  # the loaded schema is not modified


def test_strict_schema_leaves_combinator_branches_open() -> None:
    schema = {
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
                "oneOf": [
                    {"properties": {"a": {}}, "required": ["a"]},
                    {"properties": {"b": {}}, "required": ["b"]},
                ],
            }
        },
    }
    closed = strict_schema(schema)
    branches = closed["properties"]["spec"]["oneOf"]
    assert all("additionalProperties" not in branch for branch in branches)


def test_shared_schemas_have_the_expected_layout() -> None:
    crds = require_crd_schemas()
    files = sorted(crds.glob("*/*.json"))
    assert files
    assert all(p.stem.rsplit("_", 1)[0] == p.stem.rsplit("_", 1)[0].lower() for p in files)
    assert (crds / "networking.istio.io" / "destinationrule_v1.json").is_file()


def test_go_regex_flags_are_translated() -> None:
    from generator.outcheck.crd import python_pattern

    fixed = python_pattern("^(?i)(abort|warn)?$")
    assert fixed is not None
    import re

    assert re.fullmatch(fixed, "ABORT") and not re.fullmatch(fixed, "stop")
    assert python_pattern("^[a-z]+$") == "^[a-z]+$"
    assert python_pattern("(unclosed") is None


def test_every_shared_schema_loads_and_validates(tmp_path: Path) -> None:
    crds = require_crd_schemas()
    docs = []
    for path in sorted(crds.glob("*/*.json")):
        kind, version = path.stem.rsplit("_", 1)
        docs.append(
            f"apiVersion: {path.parent.name}/{version}\nkind: {kind}\n"
            f"metadata:\n  name: x\n  namespace: y\n"
        )
    root = write_docs(tmp_path, "all.yaml", "---\n".join(docs))
    result = validate(root, "--schema-dir", str(crds))
    # Kinds are lowercased in file names, so the documents carry lowercase kinds; each one
    # must reach its schema (no "no schema" error) and never crash mrgen.
    assert result.exit_code in (0, 1), result.stderr
    assert "no schema for" not in result.stderr
    assert "cannot be applied" not in result.stderr


def test_prometheus_rule_with_go_only_regex_is_validated(tmp_path: Path) -> None:
    crds = require_crd_schemas()
    rule = """\
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: fingerprint-api
spec:
  groups:
  - name: slo
    partial_response_strategy: {value}
    rules:
    - alert: HighErrorRate
      expr: vector(1)
"""
    root = write_docs(tmp_path, "rule.yaml", rule.format(value="warn"))
    assert validate(root, "--schema-dir", str(crds)).exit_code == 0
    root = write_docs(tmp_path, "rule.yaml", rule.format(value="explode"))
    result = validate(root, "--schema-dir", str(crds))
    assert result.exit_code == 1
    assert "spec.groups[0].partial_response_strategy: 'explode' does not match" in result.stderr
