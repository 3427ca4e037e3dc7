"""Least privilege in the mesh and the pods (issue 13, item 4): no token where the
Kubernetes API is never called, a sidecar that outlives the app's preStop, an Istio
allow-list (gateway, scrapers, named callers) over a deny-all, and a default-deny
NetworkPolicy with the allows the system needs."""

from __future__ import annotations

import json
from typing import Any

from generator.sections.core.workload import PRESTOP_SLEEP_SECONDS
from tests.mesh_support import Doc, example, render_docs

MESH = "k8s/base/mesh"
WORKLOAD = "k8s/base/workload"


def _pod(doc: Doc) -> Doc:
    spec = doc["spec"]
    template = (
        spec["jobTemplate"]["spec"]["template"] if doc["kind"] == "CronJob" else spec["template"]
    )
    pod: Doc = template
    return pod


def test_only_the_watcher_mounts_a_service_account_token() -> None:
    files = render_docs(example())
    api = _pod(files[f"{WORKLOAD}/deployment.yaml"][0])["spec"]
    sync = _pod(files["k8s/overlays/us-east-1/workload/model-sync-cronjob.yaml"][0])["spec"]
    watcher_doc = files[f"{WORKLOAD}/cache-invalidation-deployment.yaml"][0]
    assert api["automountServiceAccountToken"] is False
    assert sync["automountServiceAccountToken"] is False
    # leader election renews a Lease: the one pod that needs a token says why to scanners
    assert _pod(watcher_doc)["spec"]["automountServiceAccountToken"] is True
    assert watcher_doc["metadata"]["annotations"]["checkov.io/skip1"].startswith("CKV_K8S_38=")


def test_a_single_watcher_needs_no_token() -> None:
    data = example()
    data["replication"]["watcher"]["replicas"] = 1
    watcher = render_docs(data)[f"{WORKLOAD}/cache-invalidation-deployment.yaml"][0]
    assert _pod(watcher)["spec"]["automountServiceAccountToken"] is False
    assert "annotations" not in watcher["metadata"]


def test_the_sidecar_drains_at_least_as_long_as_the_prestop() -> None:
    pod = _pod(render_docs(example())[f"{WORKLOAD}/deployment.yaml"][0])
    config = json.loads(pod["metadata"]["annotations"]["proxy.istio.io/config"])
    assert config["holdApplicationUntilProxyStarts"] is True
    drain = int(config["terminationDrainDuration"].removesuffix("s"))
    (container,) = pod["spec"]["containers"]
    prestop = container["lifecycle"]["preStop"]["sleep"]["seconds"]
    assert prestop == PRESTOP_SLEEP_SECONDS and drain >= prestop
    assert pod["spec"]["terminationGracePeriodSeconds"] > drain
    # read-only root filesystem, and a scratch folder the app may write
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]


def _rules(policy: Doc) -> list[Doc]:
    rules: list[Doc] = policy["spec"]["rules"]
    return rules


def test_the_mesh_denies_every_caller_it_does_not_name() -> None:
    files = render_docs(example())
    assert files[f"{MESH}/authorizationpolicy-allow-nothing.yaml"][0]["spec"] == {}
    api = files[f"{MESH}/authorizationpolicy-fingerprint-api.yaml"][0]
    assert api["spec"]["action"] == "ALLOW"
    assert api["spec"]["selector"] == {"matchLabels": {"app.kubernetes.io/name": "fingerprint-api"}}
    sources = [r["from"][0]["source"] for r in _rules(api)]
    assert sources == [
        {"principals": ["cluster.local/ns/istio-system/sa/istio-ingressgateway"]},
        {"namespaces": ["monitoring"]},
    ]
    assert _rules(api)[1]["to"] == [{"operation": {"methods": ["GET"], "paths": ["/metrics"]}}]
    watcher = files[f"{WORKLOAD}/cache-invalidation-authorizationpolicy.yaml"][0]
    assert _rules(watcher) == [
        {
            "from": [{"source": {"namespaces": ["monitoring"]}}],
            "to": [{"operation": {"ports": ["9090"]}}],
        }
    ]


def test_callers_named_in_the_spec_are_allowed() -> None:
    data = example()
    data["mesh"]["callers"] = [
        {"namespace": "checkout", "serviceAccount": "checkout-api"},
        {"namespace": "search"},
    ]
    files = render_docs(data)
    sources = [
        r["from"][0]["source"]
        for r in _rules(files[f"{MESH}/authorizationpolicy-fingerprint-api.yaml"][0])
    ]
    assert {"principals": ["cluster.local/ns/checkout/sa/checkout-api"]} in sources
    assert {"namespaces": ["search"]} in sources
    network = files[f"{MESH}/networkpolicy-fingerprint-api.yaml"][0]
    peers = network["spec"]["ingress"][0]["from"]
    named = [
        p["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
        for p in peers
        if "namespaceSelector" in p
    ]
    assert named == ["istio-system", "checkout", "search"]


def _ports(rule: Doc) -> set[tuple[str, int]]:
    return {(p["protocol"], p["port"]) for p in rule["ports"]}


def test_default_deny_network_policy_with_what_the_system_needs() -> None:
    files = render_docs(example())
    deny = files[f"{MESH}/networkpolicy-default-deny.yaml"][0]["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    egress = files[f"{MESH}/networkpolicy-allow-platform-egress.yaml"][0]["spec"]
    assert egress["podSelector"] == {} and egress["policyTypes"] == ["Egress"]
    dns, istiod, metadata, https = egress["egress"]
    assert _ports(dns) == {("UDP", 53), ("TCP", 53)} and "to" not in dns
    assert istiod["to"] == [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "istio-system"}},
            "podSelector": {"matchLabels": {"app": "istiod"}},
        }
    ]
    assert _ports(istiod) == {("TCP", 15012)}
    assert metadata["to"] == [
        {"ipBlock": {"cidr": "169.254.169.254/32"}},
        {"ipBlock": {"cidr": "169.254.169.252/32"}},
    ]
    assert _ports(https) == {("TCP", 443)}
    api = files[f"{MESH}/networkpolicy-fingerprint-api.yaml"][0]["spec"]
    mesh, scrape = api["ingress"]
    assert _ports(mesh) == {("TCP", 8000)}
    assert {"ipBlock": {"cidr": "10.0.0.0/8"}} in mesh["from"]  # another region's gateway
    assert _ports(scrape) == {("TCP", 8000), ("TCP", 15020), ("TCP", 15090)}
    watcher = files[f"{WORKLOAD}/cache-invalidation-networkpolicy.yaml"][0]["spec"]
    assert _ports(watcher["ingress"][0]) == {("TCP", 9090), ("TCP", 15020), ("TCP", 15090)}


def test_peer_ranges_from_the_spec_and_checked() -> None:
    data = example()
    data["mesh"]["peerCIDRs"] = ["10.8.0.0/14", "10.12.0.0/14"]
    api = render_docs(data)[f"{MESH}/networkpolicy-fingerprint-api.yaml"][0]["spec"]
    assert [p["ipBlock"]["cidr"] for p in api["ingress"][0]["from"] if "ipBlock" in p] == [
        "10.8.0.0/14",
        "10.12.0.0/14",
    ]
    from generator.build import build
    from generator.errors import MrgenError
    from generator.loader import load_text
    from tests.mesh_support import spec_text

    data["mesh"]["peerCIDRs"] = ["10.8.0.0/33"]
    try:
        build(load_text(spec_text(data), "spec/test.yaml"), "spec/test.yaml")
    except MrgenError as exc:
        assert [d.path for d in exc.diagnostics] == ["mesh.peerCIDRs[0]"]
    else:
        raise AssertionError("an invalid network was accepted")


def test_without_monitoring_nothing_admits_scrapers() -> None:
    data: dict[str, Any] = example()
    data["monitoring"] = {"enabled": False}
    files = render_docs(data)
    sources = [
        r["from"][0]["source"]
        for r in _rules(files[f"{MESH}/authorizationpolicy-fingerprint-api.yaml"][0])
    ]
    assert sources == [{"principals": ["cluster.local/ns/istio-system/sa/istio-ingressgateway"]}]
    assert len(files[f"{MESH}/networkpolicy-fingerprint-api.yaml"][0]["spec"]["ingress"]) == 1
    assert f"{WORKLOAD}/cache-invalidation-authorizationpolicy.yaml" not in files
