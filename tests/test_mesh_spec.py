"""The mesh and delivery spec sections: defaults, and located semantic errors."""

from __future__ import annotations

from typing import Any

import pytest

from generator.build import build
from generator.durations import format_ms, parse_ms
from generator.errors import MrgenError
from generator.loader import load_text
from tests.mesh_support import example, render_docs, spec_text


def _problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(MrgenError) as caught:
        build(load_text(spec_text(data), "spec/test.yaml"), "spec/test.yaml")
    return [str(d) for d in caught.value.diagnostics]


def _line_of(data: dict[str, Any], needle: str) -> int:
    """1-based line of the first line of the dumped spec containing ``needle``."""
    lines = spec_text(data).splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_sections_are_optional_with_defaults() -> None:
    data = example()
    del data["mesh"], data["delivery"]
    files = render_docs(data)
    gateway = files["k8s/base/mesh/gateway.yaml"][0]
    assert gateway["apiVersion"] == "networking.istio.io/v1"
    assert gateway["spec"]["servers"][0]["hosts"] == ["fingerprint-api.example.com"]
    assert gateway["spec"]["servers"][0]["tls"]["credentialName"] == "fingerprint-api-tls"
    patch = files["k8s/overlays/eu-west-1/gateway.patch.yaml"][0]
    assert patch["spec"]["servers"][0]["hosts"] == [
        "fingerprint-api.example.com",
        "eu-west-1.fingerprint-api.example.com",
    ]
    root = files["argocd/root.yaml"][0]
    assert root["spec"]["destination"]["name"] == "us-east-1"  # the primary's cluster
    assert root["spec"]["source"]["repoURL"] == "https://git.example.com/platform/deploy.git"
    assert root["spec"]["source"]["path"] == "rendered/argocd"
    outlier = files["k8s/base/mesh/destinationrule.yaml"][0]["spec"]["trafficPolicy"][
        "outlierDetection"
    ]
    assert outlier["maxEjectionPercent"] == 100


def test_durations_round_trip() -> None:
    assert parse_ms("1500ms") == 1500 and parse_ms("5s") == 5000 and parse_ms("2m") == 120_000
    assert format_ms(1500) == "1500ms" and format_ms(5000) == "5s"
    assert parse_ms("1h") == 3_600_000
    for text in ("5", "1.5s", "0s", "5d", "s"):
        with pytest.raises(ValueError):
            parse_ms(text)


def test_retries_must_fit_in_the_timeout() -> None:
    data = example()
    data["mesh"]["route"]["retries"]["attempts"] = 3  # 4 tries x 1500ms = 6s > 5s
    problems = _problems(data)
    assert len(problems) == 1
    line = _line_of(data, "perTryTimeout")
    assert problems[0].startswith(f"spec/test.yaml:{line}:")
    assert "mesh.route.retries.perTryTimeout" in problems[0]
    assert "6s" in problems[0] and "5s" in problems[0]


def test_timeouts_must_clear_the_latency_targets() -> None:
    data = example()
    data["regions"][2]["latencyTargetMs"] = 3000  # ap-southeast-1
    problems = _problems(data)
    joined = "\n".join(problems)
    assert "mesh.route.timeout" in joined and "ap-southeast-1" in joined
    assert "mesh.route.retries.perTryTimeout" in joined


def test_every_problem_is_reported_together_and_located() -> None:
    data = example()
    data["mesh"]["outlierDetection"]["maxEjectionPercent"] = 10
    data["mesh"]["connectionPool"]["connectTimeout"] = "2s"  # > perTryTimeout 1500ms
    data["mesh"]["hostnames"] = ["api.example.com", "eu-west-1.api.example.com"]
    problems = _problems(data)
    assert len(problems) == 3, problems
    expected = {
        "mesh.outlierDetection.maxEjectionPercent": _line_of(data, "maxEjectionPercent"),
        "mesh.connectionPool.connectTimeout": _line_of(data, "connectTimeout"),
        "mesh.hostnames[1]": _line_of(data, "- eu-west-1.api.example.com"),
    }
    for path, line in expected.items():
        assert any(
            p.startswith(f"spec/test.yaml:{line}:") and f" {path}: " in p for p in problems
        ), (path, problems)


def test_mixed_clouds_cannot_share_one_network() -> None:
    data = example()
    data["regions"][1]["cluster"]["provider"] = "eks"
    data.pop("replication", None)  # Workload Identity would also (rightly) refuse EKS
    data.pop("globalRouting", None)  # and so would the GCLB's zonal NEG backends
    problems = _problems(data)
    assert len(problems) == 1 and "mesh.istio.network" in problems[0]
    data["mesh"]["istio"]["network"] = "perCluster"
    files = render_docs(data)
    networks = {
        files[f"argocd/istio/{r}-istiod.yaml"][0]["spec"]["source"]["helm"]["valuesObject"][
            "global"
        ]["network"]
        for r in ("us-east-1", "eu-west-1")
    }
    assert len(networks) == 2


def test_schema_rejects_unknown_fields_and_bad_durations() -> None:
    data = example()
    data["mesh"]["route"]["timeout"] = "5"
    data["delivery"]["repoUrl"] = "https://git.example.com/x.git"
    joined = "\n".join(_problems(data))
    assert "mesh.route.timeout" in joined
    assert "repoUrl" in joined


def test_long_application_names_are_rejected() -> None:
    data = example()
    data["service"]["name"] = "a" * 50
    data["service"]["namespace"] = "short"
    joined = "\n".join(_problems(data))
    assert "Argo CD Application name" in joined
