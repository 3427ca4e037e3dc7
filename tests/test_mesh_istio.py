"""Istio objects as each region's cluster receives them (kubectl kustomize of every
overlay of the example spec): domain notes section 9, checks 3 and 14-18."""

from __future__ import annotations

from typing import Any

import pytest

from tests.mesh_support import (
    Doc,
    duration_ms,
    example,
    kustomize,
    locality,
    of_kind,
    one,
    render_docs,
    render_to,
)

MESH_KINDS = ("Service", "DestinationRule", "VirtualService", "Gateway", "PeerAuthentication")
WORKLOAD_KINDS = ("Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceAccount")


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return example()


@pytest.fixture(scope="module")
def built(spec: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Doc]]:
    """Region name -> the documents `kubectl kustomize k8s/overlays/<region>` produces."""
    out = render_to(spec, tmp_path_factory.mktemp("mesh"))
    return {r["name"]: kustomize(out / "k8s" / "overlays" / r["name"]) for r in spec["regions"]}


def _fqdn(spec: dict[str, Any]) -> str:
    return f"{spec['service']['name']}.{spec['service']['namespace']}.svc.cluster.local"


def test_every_overlay_builds_without_duplicates(built: dict[str, list[Doc]]) -> None:
    for region, docs in built.items():
        keys = [(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]) for d in docs]
        assert len(keys) == len(set(keys)), region
        for kind in ("Gateway", "VirtualService", "DestinationRule", "PeerAuthentication"):
            one(docs, kind)


def test_mesh_names_stay_unprefixed_and_workloads_are_prefixed(
    spec: dict[str, Any], built: dict[str, list[Doc]]
) -> None:
    per_region: dict[str, set[tuple[str, str]]] = {}
    for region, docs in built.items():
        names = per_region.setdefault(region, set())
        for doc in docs:
            name = doc["metadata"]["name"]
            if doc["kind"] in MESH_KINDS:
                names.add((doc["kind"], name))
                assert not name.startswith(f"{region}-"), (doc["kind"], name)
            if doc["kind"] in WORKLOAD_KINDS:
                assert name.startswith(f"{region}-"), (doc["kind"], name)
            if doc["kind"] != "Namespace":
                assert doc["metadata"]["namespace"] == spec["service"]["namespace"]
        for kind in WORKLOAD_KINDS:
            assert any(
                d["kind"] == kind and d["metadata"]["name"] == f"{region}-{spec['service']['name']}"
                for d in docs
            ), kind
    first = next(iter(per_region.values()))
    assert {kind for kind, _ in first} == set(MESH_KINDS)
    for region, names in per_region.items():
        assert names == first, f"mesh object names differ in {region}: {names ^ first}"


def test_destination_rule_host_is_the_service_fqdn(
    spec: dict[str, Any], built: dict[str, list[Doc]]
) -> None:
    for docs in built.values():
        rule, route = one(docs, "DestinationRule"), one(docs, "VirtualService")
        service = one(docs, "Service")
        assert rule["spec"]["host"] == _fqdn(spec)
        name, namespace = rule["spec"]["host"].split(".")[:2]
        assert (service["metadata"]["name"], service["metadata"]["namespace"]) == (name, namespace)
        hosts = {d["destination"]["host"] for h in route["spec"]["http"] for d in h["route"]}
        assert hosts == {rule["spec"]["host"]}


def test_failover_entries_follow_the_spec(
    spec: dict[str, Any], built: dict[str, list[Doc]]
) -> None:
    regions = {r["name"]: r for r in spec["regions"]}
    localities = {locality(r) for r in regions.values()}
    primary = next(r for r in regions.values() if r["role"] == "primary")
    for docs in built.values():
        policy = one(docs, "DestinationRule")["spec"]["trafficPolicy"]
        setting = policy["loadBalancer"]["localityLbSetting"]
        entries = setting["failover"]
        assert setting["enabled"] is True
        assert "distribute" not in setting and "failoverPriority" not in setting
        sources = [e["from"] for e in entries]
        assert sorted(sources) == sorted(localities)  # every region exactly once as `from`
        for entry in entries:
            assert entry["from"] != entry["to"]
            assert entry["to"] in localities
            for value in entry.values():
                assert "/" not in value and "*" not in value
        by_source = {e["from"]: e["to"] for e in entries}
        assert by_source[locality(primary)] == locality(regions[primary["failover"][0]])
        for region in regions.values():
            first = region.get("failover", [])[:1]
            if first:
                assert by_source[locality(region)] == locality(regions[first[0]])


def test_guide_failover_uses_gke_node_region_names(built: dict[str, list[Doc]]) -> None:
    """The guide's clusters are GKE: nodes say us-east1, not us-east-1."""
    entries = one(built["us-east-1"], "DestinationRule")["spec"]["trafficPolicy"]["loadBalancer"][
        "localityLbSetting"
    ]["failover"]
    assert {"from": "us-east1", "to": "europe-west1"} in entries
    assert all(e["from"] != "us-east-1" for e in entries)


def test_outlier_detection_wherever_failover_is_set(built: dict[str, list[Doc]]) -> None:
    for docs in built.values():
        for rule in of_kind(docs, "DestinationRule"):
            policies = [rule["spec"].get("trafficPolicy", {})]
            policies += [s.get("trafficPolicy", {}) for s in rule["spec"].get("subsets", [])]
            for policy in policies:
                setting = policy.get("loadBalancer", {}).get("localityLbSetting", {})
                if setting.get("failover") or setting.get("failoverPriority"):
                    outlier = policy["outlierDetection"]
                    assert outlier["maxEjectionPercent"] >= 50
                    assert outlier["consecutive5xxErrors"] >= 1
            assert policies[0]["connectionPool"]["tcp"]["maxConnections"] >= 1


def _gateway_hosts(gateway: Doc) -> set[str]:
    return {h for s in gateway["spec"]["servers"] for h in s["hosts"]}


def test_virtual_service_binds_to_a_rendered_gateway(built: dict[str, list[Doc]]) -> None:
    for docs in built.values():
        route = one(docs, "VirtualService")
        gateways = {
            f"{g['metadata']['namespace']}/{g['metadata']['name']}": g
            for g in of_kind(docs, "Gateway")
        }
        entries = route["spec"]["gateways"]
        assert "mesh" in entries
        bound = [e for e in entries if e != "mesh"]
        assert bound, "the VirtualService is not bound to the ingress Gateway"
        for entry in bound:
            assert entry.count("/") == 1, entry
            assert entry in gateways, f"{entry} is not a rendered Gateway"
            for server in gateways[entry]["spec"]["servers"]:
                assert set(route["spec"]["hosts"]) <= set(server["hosts"])


def test_routes_weights_and_retries_fit(built: dict[str, list[Doc]]) -> None:
    for docs in built.values():
        rule = one(docs, "DestinationRule")
        subsets = {s["name"] for s in rule["spec"].get("subsets", [])}
        for http in one(docs, "VirtualService")["spec"]["http"]:
            weights = [d.get("weight", 100) for d in http["route"]]
            assert all(isinstance(w, int) and w >= 0 for w in weights)
            assert sum(weights) == 100
            for destination in http["route"]:
                if "subset" in destination["destination"]:
                    assert destination["destination"]["subset"] in subsets
            timeout = duration_ms(http["timeout"])
            retries = http["retries"]
            per_try = duration_ms(retries["perTryTimeout"])
            assert retries["attempts"] * per_try <= timeout
            # attempts counts retries: the first call also gets a perTryTimeout
            assert (retries["attempts"] + 1) * per_try <= timeout


def test_gateway_serves_global_and_own_hostnames_over_tls(
    spec: dict[str, Any], built: dict[str, list[Doc]]
) -> None:
    public = spec["mesh"]["hostnames"]
    for region, docs in built.items():
        gateway = one(docs, "Gateway")
        assert gateway["spec"]["selector"] == spec["mesh"]["gateway"]["selector"]
        servers = gateway["spec"]["servers"]
        names = [s["port"]["name"] for s in servers]
        assert len(names) == len(set(names))
        assert _gateway_hosts(gateway) == {*public, f"{region}.{public[0]}"}
        assert set(one(docs, "VirtualService")["spec"]["hosts"]) == _gateway_hosts(gateway)
        https = [s for s in servers if s["port"]["protocol"] == "HTTPS"]
        assert https
        for server in https:
            assert server["tls"]["mode"] == "SIMPLE"
            assert server["tls"]["credentialName"] == spec["mesh"]["gateway"]["credentialName"]
        for server in servers:
            if server["port"]["protocol"] == "HTTP":
                assert server["tls"] == {"httpsRedirect": True}


def test_no_secret_is_rendered_anywhere(spec: dict[str, Any], built: dict[str, list[Doc]]) -> None:
    files = render_docs(spec)
    for path, docs in files.items():
        for doc in docs:
            assert doc.get("kind") != "Secret", path
    for docs in built.values():
        assert not of_kind(docs, "Secret")


def test_strict_mtls_for_the_namespace(spec: dict[str, Any], built: dict[str, list[Doc]]) -> None:
    for docs in built.values():
        policy = one(docs, "PeerAuthentication")
        assert policy["apiVersion"] == "security.istio.io/v1"
        assert policy["metadata"]["namespace"] == spec["service"]["namespace"]
        assert "selector" not in policy["spec"]
        assert policy["spec"]["mtls"] == {"mode": "STRICT"}


def test_gateway_chart_labels_match_the_gateway_selector(spec: dict[str, Any]) -> None:
    files = render_docs(spec)
    selector = spec["mesh"]["gateway"]["selector"]
    gateway = files["k8s/base/mesh/gateway.yaml"][0]
    apps = [
        d
        for p, docs in files.items()
        if p.startswith("argocd/")
        for d in docs
        if d["kind"] == "Application" and d["spec"]["source"].get("chart") == "gateway"
    ]
    assert len(apps) == len(spec["regions"])
    for app in apps:
        assert app["spec"]["source"]["helm"]["valuesObject"]["labels"] == selector
        assert app["spec"]["destination"]["namespace"] == spec["mesh"]["gateway"]["namespace"]
    assert gateway["spec"]["selector"] == selector


def test_tls_secret_namespace_is_the_gateway_workloads() -> None:
    """credentialName is resolved in the gateway pods' namespace: moving the gateway
    workload moves the gateway chart, and the Gateway object stays with the app."""
    data = example()
    data["mesh"]["gateway"]["namespace"] = "edge"
    files = render_docs(data)
    gateway = files["k8s/base/mesh/gateway.yaml"][0]
    assert gateway["metadata"]["namespace"] == data["service"]["namespace"]
    app = files["argocd/istio/us-east-1-istio-ingressgateway.yaml"][0]
    assert app["spec"]["destination"]["namespace"] == "edge"
    project = files["argocd/appproject-fingerprint-api-istio.yaml"][0]
    assert {"name": "us-east-1", "namespace": "edge"} in project["spec"]["destinations"]
