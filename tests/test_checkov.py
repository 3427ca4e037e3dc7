"""Checkov on the rendered kustomize output (issue 13, item 6): the findings the review and
the issue name are gone: pods that mount a service-account token they never use
(CKV_K8S_38) and pods without a NetworkPolicy (CKV2_K8S_6).

Checkov runs fully offline: ``--skip-download`` (no policies from the platform), no API key,
no package-update or secrets-validation calls, and none of the caller's ``CKV_*``,
``BC_*`` or ``PRISMA*`` settings. It is an external tool like kubectl and promtool (its
dependency pins do not fit the test environment's, so it is not a Python test extra):
install it apart (``pipx install checkov``); the test skips naming it when it is missing,
and fails under ``MRGEN_REQUIRE_TOOLS=1``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import RENDERED, require_tool
from tests.k8s_helpers import kustomize_build

CHECKS = ("CKV_K8S_38", "CKV2_K8S_6")
"""Service-account tokens only where needed; every pod covered by a NetworkPolicy."""
OFFLINE = {
    "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",  # no version lookup on PyPI
    "BC_SKIP_MAPPING": "TRUE",  # no check-id mapping download
    "CKV_VALIDATE_SECRETS": "false",
    "CKV_GITHUB_CONFIG_FETCH_DATA": "false",
    "CKV_GITLAB_CONFIG_FETCH_DATA": "false",
}


def _offline_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CKV_", "BC_", "PRISMA", "CHECKOV_"))
    }
    return {**env, **OFFLINE}


def _build(rendered: Path, out: Path) -> None:
    """Every kustomize root Argo CD syncs, built, one file each."""
    out.mkdir(parents=True)
    roots = [
        *sorted((rendered / "k8s/overlays").iterdir()),
        *sorted((rendered / "k8s/platform").iterdir()),
    ]
    for root in roots:
        docs = kustomize_build(root)
        (out / f"{root.parent.name}-{root.name}.yaml").write_text(
            yaml.safe_dump_all(docs, sort_keys=False), encoding="utf-8"
        )


def _checkov(folder: Path) -> dict[str, Any]:
    checkov = require_tool("checkov")
    result = subprocess.run(
        [
            checkov,
            "--directory",
            str(folder),
            "--framework",
            "kubernetes",
            "--skip-download",
            "--check",
            ",".join(CHECKS),
            "--output",
            "json",
            "--quiet",
            "--compact",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=_offline_env(),
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    found: dict[str, Any] = report[0] if isinstance(report, list) else report
    return found


def _failed(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    if "results" not in report:  # nothing failed and --quiet: only a summary
        return []
    return sorted(
        (f["check_id"], f["resource"], Path(f["file_path"]).name)
        for f in report["results"]["failed_checks"]
    )


def test_no_unneeded_token_and_every_pod_under_a_network_policy(tmp_path: Path) -> None:
    require_tool("checkov")
    _build(RENDERED, tmp_path / "built")
    report = _checkov(tmp_path / "built")
    assert _failed(report) == []
    summary = report["summary"]
    assert summary["parsing_errors"] == 0 and summary["passed"] > 0
    # the watcher keeps its token for leader election, and says so in a skip annotation
    assert summary["skipped"] == len(list((RENDERED / "k8s/overlays").iterdir()))


def test_the_checks_fire_on_a_broken_render(tmp_path: Path) -> None:
    """A copy with the API's token mounted and the NetworkPolicies gone: the same run
    reports both, so a clean result above means the checks ran."""
    require_tool("checkov")
    broken = tmp_path / "rendered"
    shutil.copytree(RENDERED, broken)
    deployment = broken / "k8s/base/workload/deployment.yaml"
    doc = yaml.safe_load(deployment.read_text(encoding="utf-8"))
    doc["spec"]["template"]["spec"]["automountServiceAccountToken"] = True
    deployment.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    for folder in (broken / "k8s/base/mesh", broken / "k8s/base/workload"):
        kustomization = folder / "kustomization.yaml"
        data = yaml.safe_load(kustomization.read_text(encoding="utf-8"))
        data["resources"] = [r for r in data["resources"] if "networkpolicy" not in r]
        kustomization.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    _build(broken, tmp_path / "built")
    failed = _failed(_checkov(tmp_path / "built"))
    assert {check for check, _, _ in failed} == set(CHECKS)
    assert (
        "CKV_K8S_38",
        "Deployment.fingerprint-api.us-east-1-fingerprint-api",
        "overlays-us-east-1.yaml",
    ) in failed
