"""The kustomize layout builds with kubectl, validates strictly, and gets the domain right.

Checks follow the Kubernetes part of domain-notes section 9 (items 1-13).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from generator.build import build
from generator.loader import load_file
from generator.spec import Spec
from tests.conftest import EXAMPLE_SPEC, RENDERED
from tests.k8s_helpers import key, kustomize_build, validate_core

SPEC: Spec = build(load_file(EXAMPLE_SPEC), "spec/fingerprint-api.yaml")
REGIONS = [r.name for r in SPEC.regions]
DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
CORE_GROUPS = {"v1", "apps/v1", "autoscaling/v2", "policy/v1", "batch/v1"}


@pytest.fixture(scope="module")
def built() -> dict[str, list[dict[str, Any]]]:
    return {r: kustomize_build(RENDERED / "k8s" / "overlays" / r) for r in REGIONS}


def by_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind]


def one(docs: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    """The service's own object of ``kind`` (other components have other names)."""
    shared = kind in ("Namespace", "Service")
    found = [
        d
        for d in by_kind(docs, kind)
        if (shared and d["metadata"]["name"] in (SPEC.service.name, SPEC.service.namespace))
        or d["metadata"]["name"]
        == f"{d['metadata'].get('labels', {}).get('region')}-{SPEC.service.name}"
    ]
    assert len(found) == 1, f"expected one {kind} of the service, got {len(found)}"
    return found[0]


def test_every_overlay_builds_without_duplicates(built: dict[str, list[dict[str, Any]]]) -> None:
    for region, docs in built.items():
        keys = [key(d) for d in docs]
        assert len(keys) == len(set(keys)), region
        assert {
            "Namespace",
            "Service",
            "Deployment",
            "HorizontalPodAutoscaler",
            "PodDisruptionBudget",
            "ServiceAccount",
        } <= {d["kind"] for d in docs}


def test_core_documents_validate_strictly(built: dict[str, list[dict[str, Any]]]) -> None:
    checked = 0
    for docs in built.values():
        for doc in docs:
            if doc["apiVersion"] in CORE_GROUPS:
                validate_core(doc)
                checked += 1
    assert checked >= 6 * len(REGIONS)


Built = dict[str, list[dict[str, Any]]]


def test_strict_validation_catches_a_broken_document(built: Built) -> None:
    import kubernetes_validate

    deployment = dict(one(built[REGIONS[0]], "Deployment"))
    deployment["spec"] = {**deployment["spec"], "replicaz": 3}
    with pytest.raises(kubernetes_validate.ValidationError):
        validate_core(deployment)


def test_namespace_and_shared_names(built: dict[str, list[dict[str, Any]]]) -> None:
    for region, docs in built.items():
        ns = one(docs, "Namespace")
        assert ns["metadata"]["name"] == SPEC.service.namespace
        # injection by revision tag: the istiod revision holding "stable" serves it
        assert ns["metadata"]["labels"]["istio.io/rev"] == "stable"
        assert "istio-injection" not in ns["metadata"]["labels"]
        for doc in docs:
            if doc["kind"] != "Namespace":
                assert doc["metadata"]["namespace"] == SPEC.service.namespace
        assert one(docs, "Service")["metadata"]["name"] == SPEC.service.name
        for kind in (
            "Deployment",
            "HorizontalPodAutoscaler",
            "PodDisruptionBudget",
            "ServiceAccount",
        ):
            assert one(docs, kind)["metadata"]["name"] == f"{region}-{SPEC.service.name}"


def test_hpa_owns_replicas(built: dict[str, list[dict[str, Any]]]) -> None:
    for region in SPEC.regions:
        docs = built[region.name]
        hpa, deployment = one(docs, "HorizontalPodAutoscaler"), one(docs, "Deployment")
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
        assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (
            region.min_replicas,
            region.max_replicas,
        )
        assert "replicas" not in deployment["spec"]
        assert (
            deployment["spec"]["template"]["spec"]["serviceAccountName"]
            == one(docs, "ServiceAccount")["metadata"]["name"]
        )
    guide = {r.name: (r.min_replicas, r.max_replicas) for r in SPEC.regions}
    assert guide == {"us-east-1": (5, 20), "eu-west-1": (3, 15), "ap-southeast-1": (2, 10)}


def test_region_label_everywhere_but_selectors(built: dict[str, list[dict[str, Any]]]) -> None:
    for region, docs in built.items():
        for doc in docs:
            assert doc["metadata"]["labels"]["region"] == region, key(doc)
            spec = doc.get("spec", {})
            selector = spec.get("selector", {})
            labels = selector.get("matchLabels", selector) if isinstance(selector, dict) else {}
            assert "region" not in labels, key(doc)
        template = one(docs, "Deployment")["spec"]["template"]
        assert template["metadata"]["labels"]["region"] == region
    for kustomization in RENDERED.rglob("kustomization.yaml"):
        assert "commonLabels" not in yaml.safe_load(kustomization.read_text())


def test_name_lengths(built: dict[str, list[dict[str, Any]]]) -> None:
    for docs in built.values():
        for doc in docs:
            name = doc["metadata"]["name"]
            limit = 52 if doc["kind"] == "CronJob" else 63
            assert len(name) <= limit and DNS_LABEL.match(name), name
            for value in doc["metadata"].get("labels", {}).values():
                assert len(value) <= 63


def test_pdb_stays_below_hpa_minimum(built: dict[str, list[dict[str, Any]]]) -> None:
    for region in SPEC.regions:
        docs = built[region.name]
        pdb = one(docs, "PodDisruptionBudget")["spec"]
        assert ("minAvailable" in pdb) != ("maxUnavailable" in pdb)
        assert pdb.get("minAvailable", 0) < region.min_replicas
        assert pdb.get("maxUnavailable", 1) < region.min_replicas or region.min_replicas == 1
        pod_labels = one(docs, "Deployment")["spec"]["template"]["metadata"]["labels"]
        assert pdb["selector"]["matchLabels"].items() <= pod_labels.items()


def test_pod_hygiene(built: dict[str, list[dict[str, Any]]]) -> None:
    for docs in built.values():
        deployment = one(docs, "Deployment")
        pod = deployment["spec"]["template"]
        labels = pod["metadata"]["labels"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
        assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
        for spread in pod["spec"]["topologySpreadConstraints"]:
            assert spread["labelSelector"]["matchLabels"].items() <= labels.items()
        container = pod["spec"]["containers"][0]
        assert {"cpu", "memory"} <= set(container["resources"]["requests"])
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            assert container[probe]["httpGet"]["port"] == "http"
        assert (
            container["readinessProbe"]["httpGet"]["path"]
            != container["livenessProbe"]["httpGet"]["path"]
        )
        assert not container["image"].endswith(":latest")
        assert all(len(p["name"]) <= 15 for p in container["ports"])


def test_service_port_is_http_and_resolves(built: dict[str, list[dict[str, Any]]]) -> None:
    for docs in built.values():
        port = one(docs, "Service")["spec"]["ports"][0]
        assert port["port"] == SPEC.service.port == 8000
        assert port["name"].startswith("http")
        container_ports = {
            p["name"]
            for p in one(docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]["ports"]
        }
        assert port["targetPort"] in container_ports
