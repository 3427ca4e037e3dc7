"""AppProjects derived from what their Applications sync (issue 13, item 1): exactly the
repositories, destinations and kinds of the rendered objects, and a new section's objects
are admitted without touching the delivery section."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from generator import emit
from generator.section import RenderedFile
from generator.sections.delivery.projects import CHART_KINDS
from generator.sections.monitoring.section import SECTION as MONITORING_SECTION
from tests.mesh_support import Doc, example, render_docs

PLATFORM = "argocd/appproject-fingerprint-api-platform.yaml"
WORKLOADS = "argocd/appproject-fingerprint-api.yaml"
ISTIO = "argocd/appproject-fingerprint-api-istio.yaml"


def _kinds(project: Doc, key: str) -> set[tuple[str, str]]:
    return {(e["group"], e["kind"]) for e in project["spec"].get(key, [])}


def _rendered_kinds(
    files: dict[str, list[Doc]], prefix: str, namespaced: bool
) -> set[tuple[str, str]]:
    return {
        (d["apiVersion"].rpartition("/")[0], d["kind"])
        for path, docs in files.items()
        if path.startswith(prefix)
        and not path.endswith("kustomization.yaml")
        and not path.endswith(".patch.yaml")
        for d in docs
        if ("namespace" in d["metadata"]) == namespaced
    }


def test_projects_admit_exactly_the_rendered_kinds() -> None:
    files = render_docs(example())
    workloads, platform = files[WORKLOADS][0], files[PLATFORM][0]
    assert _kinds(workloads, "clusterResourceWhitelist") == _rendered_kinds(
        files, "k8s/base/", False
    ) | _rendered_kinds(files, "k8s/overlays/", False)
    assert _kinds(platform, "clusterResourceWhitelist") == _rendered_kinds(
        files, "k8s/platform/", False
    )
    synced = _rendered_kinds(files, "k8s/base/", True) | _rendered_kinds(
        files, "k8s/overlays/", True
    )
    children = {
        ("apps", "ReplicaSet"),
        ("", "Pod"),
        ("batch", "Job"),
        ("", "Endpoints"),
        ("discovery.k8s.io", "EndpointSlice"),
    }
    assert _kinds(workloads, "namespaceResourceWhitelist") == synced | children
    argo = _rendered_kinds(files, "argocd/", True)
    assert (
        _kinds(platform, "namespaceResourceWhitelist")
        == _rendered_kinds(files, "k8s/platform/", True) | argo
    )
    assert argo == {("argoproj.io", k) for k in ("AppProject", "Application", "ApplicationSet")}


def test_destinations_are_the_namespaces_objects_land_in() -> None:
    files = render_docs(example())
    platform = files[PLATFORM][0]["spec"]["destinations"]
    assert platform == [
        {"name": "us-east-1", "namespace": ns}
        for ns in ("argocd", "fingerprint-api", "fingerprint-prod", "monitoring")
    ]
    for doc in (files[WORKLOADS][0], files[PLATFORM][0], files[ISTIO][0]):
        spec = doc["spec"]
        assert all("*" not in d.values() for d in spec["destinations"])
        assert all("*" not in repo for repo in spec["sourceRepos"])


def test_the_istio_project_admits_the_charts_objects() -> None:
    project = render_docs(example())[ISTIO][0]
    cluster = {(g, k) for chart in CHART_KINDS.values() for g, k, c in chart if c}
    assert _kinds(project, "clusterResourceWhitelist") == cluster | {("", "Namespace")}
    assert project["spec"]["sourceRepos"] == ["https://charts.example.com/istio"]
    assert {d["namespace"] for d in project["spec"]["destinations"]} == {"istio-system"}


@pytest.fixture
def extra_layer_object(monkeypatch: pytest.MonkeyPatch) -> None:
    """The monitoring section also renders a cluster-scoped PriorityClass and a namespaced
    object in a namespace of its own: as a new section's objects would appear."""
    original = type(MONITORING_SECTION).render

    def render(self: object, *args: object) -> Iterator[RenderedFile]:
        yield from original(self, *args)  # type: ignore[arg-type]
        yield emit.yaml_file(
            "k8s/platform/monitoring/priorityclass-scrapers.yaml",
            emit.k8s(
                "scheduling.k8s.io/v1", "PriorityClass", emit.metadata("scrapers"), value=1000
            ),
        )
        yield emit.yaml_file(
            "k8s/platform/monitoring/probe-api.yaml",
            emit.k8s(
                "monitoring.coreos.com/v1",
                "Probe",
                emit.metadata("api", namespace="probes"),
                spec={},
            ),
        )

    monkeypatch.setattr(type(MONITORING_SECTION), "render", render)


@pytest.mark.usefixtures("extra_layer_object")
def test_a_new_sections_objects_are_admitted_automatically() -> None:
    files = render_docs(example(), cached=False)
    project = files[PLATFORM][0]
    assert ("scheduling.k8s.io", "PriorityClass") in _kinds(project, "clusterResourceWhitelist")
    assert ("monitoring.coreos.com", "Probe") in _kinds(project, "namespaceResourceWhitelist")
    assert {"name": "us-east-1", "namespace": "probes"} in project["spec"]["destinations"]
