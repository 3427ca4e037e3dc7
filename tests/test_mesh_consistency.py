"""Changing the spec re-renders every mesh and delivery output consistently: a new
failover order, and a fourth region (on GKE, then on EKS)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.mesh_support import Doc, example, kustomize, locality, one, render_docs, render_to
from tests.spec_edit import add_region, keep_regions

MINE = ("k8s/base/", "k8s/overlays/", "argocd/")


def _failover(files: dict[str, list[Doc]]) -> dict[str, str]:
    rule = files["k8s/base/mesh/destinationrule.yaml"][0]
    entries = rule["spec"]["trafficPolicy"]["loadBalancer"]["localityLbSetting"]["failover"]
    return {e["from"]: e["to"] for e in entries}


def _fourth(provider: str) -> dict[str, Any]:
    data = add_region(
        example(),
        {
            "name": "us-west-2",
            "role": "secondary",
            "cluster": {"name": "us-west-2", "provider": provider},
            "location": {"aws": "us-west-2", "gcp": "us-west1"},
            "replicas": {"min": 2, "max": 8},
            "weight": 10,
            "latencyTargetMs": 150,
            "failover": ["us-east-1"],
        },
        {"us-east-1": 40, "eu-west-1": 30, "ap-southeast-1": 20, "us-west-2": 10},
        origin="203.0.113.40",
        health_check_id="44444444-4444-4444-4444-444444444444",
        neg_zones=["us-west1-a", "us-west1-b"],
    )
    if provider == "eks":
        data["mesh"]["istio"]["network"] = "perCluster"
    return data


def test_a_new_failover_order_changes_only_the_destination_rule() -> None:
    before = example()
    after = example()
    after["regions"][0]["failover"] = ["ap-southeast-1", "eu-west-1"]
    old, new = render_docs(before), render_docs(after)
    assert _failover(old)["us-east1"] == "europe-west1"
    assert _failover(new) == {**_failover(old), "us-east1": "asia-southeast1"}
    changed = sorted(
        p for p in set(old) | set(new) if p.startswith(MINE) and old.get(p) != new.get(p)
    )
    assert changed == ["k8s/base/mesh/destinationrule.yaml"]


def test_a_fourth_gke_region_appears_everywhere(tmp_path: Path) -> None:
    data = _fourth("gke")
    files = render_docs(data)
    assert _failover(files)["us-west1"] == "us-east1"
    assert sorted(_failover(files)) == sorted(locality(r) for r in data["regions"])
    appset = files["argocd/applicationset-fingerprint-api.yaml"][0]
    elements = appset["spec"]["generators"][0]["list"]["elements"]
    assert {"region": "us-west-2", "cluster": "us-west-2"} in elements
    assert len(elements) == 4
    for release in ("istio-base", "istiod", "istio-ingressgateway"):
        app = files[f"argocd/istio/us-west-2-{release}.yaml"][0]
        assert app["spec"]["destination"]["name"] == "us-west-2"
    for project in ("fingerprint-api", "fingerprint-api-istio"):
        destinations = files[f"argocd/appproject-{project}.yaml"][0]["spec"]["destinations"]
        assert "us-west-2" in {d["name"] for d in destinations}
    patch = files["k8s/overlays/us-west-2/gateway.patch.yaml"][0]
    assert patch["spec"]["servers"][0]["hosts"] == ["api.example.com", "us-west-2.api.example.com"]
    out = render_to(data, tmp_path)
    built = kustomize(out / "k8s" / "overlays" / "us-west-2")
    gateway = one(built, "Gateway")
    assert gateway["metadata"]["name"] == "fingerprint-api-gateway"
    assert {h for s in gateway["spec"]["servers"] for h in s["hosts"]} == {
        "api.example.com",
        "us-west-2.api.example.com",
    }
    assert one(built, "Deployment")["metadata"]["name"] == "us-west-2-fingerprint-api"
    assert _failover(
        {"k8s/base/mesh/destinationrule.yaml": [one(built, "DestinationRule")]}
    ) == _failover(files)


def test_a_fourth_eks_region_uses_aws_node_region_names() -> None:
    data = _fourth("eks")
    data.pop("replication", None)  # GKE Workload Identity cannot serve an EKS cluster
    files = render_docs(data)
    failover = _failover(files)
    assert failover["us-west-2"] == "us-east1"  # EKS nodes say us-west-2; GKE nodes us-east1
    assert "us-west1" not in failover
    istiod = files["argocd/istio/us-west-2-istiod.yaml"][0]["spec"]["source"]["helm"]
    assert istiod["valuesObject"]["global"]["network"] == "us-west-2-network"


def test_a_single_region_has_no_failover_but_keeps_outlier_detection() -> None:
    data = keep_regions(example(), ["us-east-1"])
    data["regions"][0]["weight"] = 100
    del data["regions"][0]["failover"]
    data.pop("replication", None)  # model replication needs a second region
    files = render_docs(data)
    policy = files["k8s/base/mesh/destinationrule.yaml"][0]["spec"]["trafficPolicy"]
    assert policy["loadBalancer"]["localityLbSetting"] == {"enabled": True}
    assert policy["outlierDetection"]["maxEjectionPercent"] == 100
    appset = files["argocd/applicationset-fingerprint-api.yaml"][0]
    assert appset["spec"]["generators"][0]["list"]["elements"] == [
        {"region": "us-east-1", "cluster": "us-east-1"}
    ]
    assert not [
        p for p in files if p.startswith(("k8s/overlays/eu-west-1", "argocd/istio/eu-west-1"))
    ]
