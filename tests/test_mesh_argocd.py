"""Argo CD objects of the example spec: domain notes section 9, checks 41-43, plus the
AppProjects, the Istio install order and the platform-layer Applications."""

from __future__ import annotations

import re
from typing import Any

import pytest

from generator.sections.config_connector.section import SECTION as CONFIG_CONNECTOR_SECTION
from generator.sections.global_routing.section import SECTION as GLOBAL_ROUTING_SECTION
from generator.sections.monitoring.section import SECTION as MONITORING_SECTION
from generator.sections.replication.section import SECTION as REPLICATION_SECTION
from tests.mesh_support import Doc, all_docs, example, of_kind, one, render_docs

DNS_1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
GO_PARAM = re.compile(r"\{\{\s*\.(\w+)\s*\}\}")
WAVE = "argocd.argoproj.io/sync-wave"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return example()


@pytest.fixture(scope="module")
def argo(spec: dict[str, Any]) -> list[Doc]:
    return all_docs(render_docs(spec), "argocd/")


def _expand(value: Any, element: dict[str, str]) -> Any:
    """Apply one list-generator element to a template, the way goTemplate would."""
    if isinstance(value, str):
        return GO_PARAM.sub(lambda m: element[m.group(1)], value)
    if isinstance(value, dict):
        return {_expand(k, element): _expand(v, element) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, element) for v in value]
    return value


def _generated(appset: Doc) -> list[Doc]:
    elements = appset["spec"]["generators"][0]["list"]["elements"]
    return [_expand(appset["spec"]["template"], e) for e in elements]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_one_generated_application_per_region(spec: dict[str, Any], argo: list[Doc]) -> None:
    appset = one(argo, "ApplicationSet")
    apps = _generated(appset)
    regions = {r["name"]: r for r in spec["regions"]}
    rendered = spec["delivery"]["renderedPath"]
    assert sorted(a["metadata"]["labels"]["region"] for a in apps) == sorted(regions)
    for app in apps:
        region = regions[app["metadata"]["labels"]["region"]]
        destination = app["spec"]["destination"]
        assert destination == {
            "name": region["cluster"]["name"],
            "namespace": spec["service"]["namespace"],
        }
        assert "server" not in destination
        assert app["spec"]["source"]["path"] == f"{rendered}/k8s/overlays/{region['name']}"
        assert app["spec"]["source"]["repoURL"] == spec["delivery"]["repoURL"]
        automated = app["spec"]["syncPolicy"]["automated"]
        assert automated == {"prune": True, "selfHeal": True, "allowEmpty": False}
        assert "CreateNamespace=false" in app["spec"]["syncPolicy"]["syncOptions"]
        assert app["spec"]["syncPolicy"]["retry"]["limit"] >= 1
        assert app["metadata"]["name"] == f"{spec['service']['name']}-{region['name']}"
        # a sync-wave on the template would do nothing: RollingSync steps order them
        assert WAVE not in app["metadata"].get("annotations", {})


def test_applicationset_templating_is_strict(argo: list[Doc]) -> None:
    appset = one(argo, "ApplicationSet")
    assert appset["spec"]["goTemplate"] is True
    assert appset["spec"]["goTemplateOptions"] == ["missingkey=error"]
    assert appset["spec"]["syncPolicy"]["preserveResourcesOnDeletion"] is True
    keys = set(appset["spec"]["generators"][0]["list"]["elements"][0])
    for text in _strings(appset["spec"]["template"]):
        for opened in re.findall(r"\{\{[^}]*\}\}", text):
            match = GO_PARAM.fullmatch(opened)
            assert match, f"not a Go template parameter: {opened!r}"
            assert match.group(1) in keys
    for app in _generated(appset):
        name = app["metadata"]["name"]
        assert len(name) <= 63 and DNS_1123.match(name), name


def test_no_name_prefix_in_argo_sources(argo: list[Doc]) -> None:
    sources = [a["spec"]["source"] for a in _generated(one(argo, "ApplicationSet"))]
    sources += [a["spec"]["source"] for a in of_kind(argo, "Application")]
    for source in sources:
        assert "namePrefix" not in source.get("kustomize", {})


def test_every_application_lives_in_argocd_and_fits(spec: dict[str, Any], argo: list[Doc]) -> None:
    for doc in argo:
        assert doc["metadata"]["namespace"] == spec["delivery"]["namespace"]
        assert len(doc["metadata"]["name"]) <= 63 and DNS_1123.match(doc["metadata"]["name"])
    for app in of_kind(argo, "Application"):
        destination = app["spec"]["destination"]
        assert "name" in destination and "server" not in destination


def test_projects_restrict_sources_destinations_and_cluster_kinds(
    spec: dict[str, Any], argo: list[Doc]
) -> None:
    projects = {p["metadata"]["name"]: p for p in of_kind(argo, "AppProject")}
    workloads = projects[spec["delivery"]["project"]]["spec"]
    assert workloads["sourceRepos"] == [spec["delivery"]["repoURL"]]
    assert workloads["clusterResourceWhitelist"] == [{"group": "", "kind": "Namespace"}]
    expected = {(r["cluster"]["name"], spec["service"]["namespace"]) for r in spec["regions"]}
    assert {(d["name"], d["namespace"]) for d in workloads["destinations"]} == expected
    for project in projects.values():
        for destination in project["spec"]["destinations"]:
            assert "server" not in destination
        assert "*" not in project["spec"]["sourceRepos"]
        assert all(d["namespace"] != "*" for d in project["spec"]["destinations"])
    # every Application names a rendered project, and its destination is allowed there
    apps = of_kind(argo, "Application") + _generated(one(argo, "ApplicationSet"))
    for app in apps:
        project = projects[app["spec"]["project"]]["spec"]
        destination = app["spec"]["destination"]
        assert any(
            d["name"] == destination["name"] and d["namespace"] == destination["namespace"]
            for d in project["destinations"]
        ), app["metadata"]["name"]
        assert app["spec"]["source"]["repoURL"] in project["sourceRepos"]


def test_istio_charts_install_before_the_workloads(spec: dict[str, Any], argo: list[Doc]) -> None:
    istio = spec["mesh"]["istio"]
    charts = [a for a in of_kind(argo, "Application") if "chart" in a["spec"]["source"]]
    waves: dict[str, set[int]] = {}
    for app in charts:
        source = app["spec"]["source"]
        assert source["targetRevision"] == istio["version"]
        waves.setdefault(source["chart"], set()).add(int(app["metadata"]["annotations"][WAVE]))
    assert waves == {"base": {-2}, "istiod": {-1}, "gateway": {0}}
    clusters = sorted(r["cluster"]["name"] for r in spec["regions"])
    for chart in waves:
        assert (
            sorted(
                a["spec"]["destination"]["name"]
                for a in charts
                if a["spec"]["source"]["chart"] == chart
            )
            == clusters
        )
    appset = one(argo, "ApplicationSet")
    workload_wave = int(appset["metadata"]["annotations"][WAVE])
    assert workload_wave > max(max(w) for w in waves.values())
    for project in of_kind(argo, "AppProject"):
        assert int(project["metadata"]["annotations"][WAVE]) < min(min(w) for w in waves.values())


def test_istiod_multicluster_values(spec: dict[str, Any], argo: list[Doc]) -> None:
    istio = spec["mesh"]["istio"]
    networks = set()
    for app in of_kind(argo, "Application"):
        if app["spec"]["source"].get("chart") != "istiod":
            continue
        values = app["spec"]["source"]["helm"]["valuesObject"]["global"]
        assert values["meshID"] == istio["meshID"]
        assert values["multiCluster"]["clusterName"] == app["spec"]["destination"]["name"]
        networks.add(values["network"])
    assert len(networks) == 1  # network: shared


def test_root_application_syncs_the_argocd_folder(spec: dict[str, Any], argo: list[Doc]) -> None:
    roots = [
        a
        for a in of_kind(argo, "Application")
        if a["spec"]["source"].get("path", "").endswith("/argocd")
    ]
    assert len(roots) == 1
    root = roots[0]
    assert root["spec"]["source"]["path"] == f"{spec['delivery']['renderedPath']}/argocd"
    assert root["spec"]["destination"] == {
        "name": spec["delivery"]["platformCluster"],
        "namespace": spec["delivery"]["namespace"],
    }


def test_platform_layers_each_get_an_application(
    monkeypatch: pytest.MonkeyPatch, spec: dict[str, Any]
) -> None:
    # Only the Application per layer is under test: pretend two sections own the layers.
    monkeypatch.setattr(type(REPLICATION_SECTION), "layers", lambda *_: ())
    monkeypatch.setattr(type(CONFIG_CONNECTOR_SECTION), "layers", lambda *_: ())
    monkeypatch.setattr(type(MONITORING_SECTION), "layers", lambda *_: ("monitoring", "route53"))
    monkeypatch.setattr(type(GLOBAL_ROUTING_SECTION), "layers", lambda *_: ())
    files = render_docs(spec, cached=False)
    apps = {p: docs[0] for p, docs in files.items() if p.startswith("argocd/platform/")}
    assert sorted(apps) == ["argocd/platform/monitoring.yaml", "argocd/platform/route53.yaml"]
    for layer in ("monitoring", "route53"):
        app = apps[f"argocd/platform/{layer}.yaml"]
        assert (
            app["spec"]["source"]["path"]
            == f"{spec['delivery']['renderedPath']}/k8s/platform/{layer}"
        )
        assert app["spec"]["destination"]["name"] == spec["delivery"]["platformCluster"]
        assert app["spec"]["syncPolicy"]["automated"]["prune"] is True
    platform = files["argocd/appproject-fingerprint-api-platform.yaml"][0]["spec"]
    assert {d["name"] for d in platform["destinations"]} == {spec["delivery"]["platformCluster"]}
