"""Seam rules of delivery (issue 13): each fires, located, and passes when fixed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.seam_helpers import copy_rendered, edit_yaml, findings, loc, obj, write

APPSET = Path("argocd/applicationset-fingerprint-api.yaml")
PLATFORM = Path("argocd/appproject-fingerprint-api-platform.yaml")
PROJECT = Path("argocd/appproject-fingerprint-api.yaml")
KCC = Path("k8s/platform/config-connector")
GENERATED = (
    "Applications fingerprint-api-ap-southeast-1 (ap-southeast-1), "
    "fingerprint-api-eu-west-1 (eu-west-1) and fingerprint-api-us-east-1 (us-east-1) "
    "cannot sync, so none of their objects is applied"
)


def test_every_application_is_admitted_by_its_project(tmp_path: Path) -> None:
    assert findings(copy_rendered(tmp_path), "app-project-permits") == []


def _without(key: str, group: str, kind: str) -> Callable[[Any], None]:
    def change(data: Any) -> None:
        data["spec"][key] = [
            e for e in data["spec"][key] if (e["group"], e["kind"]) != (group, kind)
        ]

    return change


def test_project_refuses_the_platform_namespace(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    edit_yaml(root / PLATFORM, _without("clusterResourceWhitelist", "", "Namespace"))
    assert findings(root, "app-project-permits") == [
        f"{loc(root / KCC / 'namespace.yaml', 'Namespace')}: app-project-permits: resource "
        ":Namespace is not permitted in project fingerprint-api-platform (add it to "
        "clusterResourceWhitelist): Application fingerprint-api-platform-config-connector "
        "(us-east-1) cannot sync, so none of its objects is applied"
    ]


def test_cluster_blacklist_refuses_what_the_whitelist_allows(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    edit_yaml(
        root / PROJECT,
        lambda d: d["spec"].update(clusterResourceBlacklist=[{"group": "", "kind": "Namespace"}]),
    )
    namespace = root / "k8s/base/mesh/namespace.yaml"
    assert findings(root, "app-project-permits") == [
        f"{loc(namespace, 'Namespace')}: app-project-permits: resource :Namespace is not "
        f"permitted in project fingerprint-api (add it to clusterResourceWhitelist): {GENERATED}"
    ]


def test_namespaced_whitelist_refuses_a_kind_it_lacks(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    edit_yaml(
        root / PROJECT, _without("namespaceResourceWhitelist", "networking.k8s.io", "NetworkPolicy")
    )
    found = findings(root, "app-project-permits")
    deny = root / "k8s/base/mesh/networkpolicy-default-deny.yaml"
    assert (
        f"{loc(deny, 'NetworkPolicy')}: app-project-permits: resource "
        "networking.k8s.io:NetworkPolicy is not permitted in project fingerprint-api (add "
        f"it to namespaceResourceWhitelist): {GENERATED}"
    ) in found
    assert all("NetworkPolicy" in f for f in found) and len(found) == 4  # 3 base, 1 watcher


def test_empty_namespaced_whitelist_refuses_every_namespaced_object(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    edit_yaml(root / PLATFORM, lambda d: d["spec"].update(namespaceResourceWhitelist=[]))
    found = findings(root, "app-project-permits")
    assert found and all("add it to namespaceResourceWhitelist" in f for f in found)
    assert any("argoproj.io:AppProject" in f and "fingerprint-api-argocd" in f for f in found)


def test_objects_in_a_namespace_the_project_does_not_list(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    edit_yaml(
        root / PLATFORM,
        lambda d: d["spec"].update(
            destinations=[e for e in d["spec"]["destinations"] if e["namespace"] != "monitoring"]
        ),
    )
    found = findings(root, "app-project-permits")
    rule = root / "k8s/platform/monitoring/prometheusrule-global-alerts.yaml"
    assert (
        f"{loc(rule, 'namespace: monitoring', len('namespace: '))}: app-project-permits: "
        "namespace monitoring is not permitted in project 'fingerprint-api-platform': "
        "Application fingerprint-api-platform-monitoring (us-east-1) cannot sync, so none "
        "of its objects is applied"
    ) in found
    assert all("namespace monitoring" in f for f in found)


def test_project_that_allows_what_its_applications_sync_passes(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    edit_yaml(root / PLATFORM, _without("clusterResourceWhitelist", "", "Namespace"))
    edit_yaml(
        root / PLATFORM,
        lambda d: d["spec"]["clusterResourceWhitelist"].append({"group": "", "kind": "Namespace"}),
    )
    assert findings(root, "app-project-permits") == []


def _repo(data: Any) -> None:
    data["spec"]["template"]["spec"]["source"]["repoURL"] = "https://git.example.com/other.git"


def _blacklist(data: Any) -> None:
    data["spec"]["namespaceResourceBlacklist"] = [
        {"group": "autoscaling", "kind": "HorizontalPodAutoscaler"}
    ]


def _deny_repo(data: Any) -> None:
    data["spec"]["sourceRepos"] = ["*", "!https://git.example.com/platform/*"]


def _no_eu(data: Any) -> None:
    data["spec"]["destinations"] = [
        d for d in data["spec"]["destinations"] if d["name"] != "eu-west-1"
    ]


@pytest.mark.parametrize(
    ("file", "change", "where", "expected"),
    [
        (
            APPSET,
            _repo,
            ("repoURL: https://git.example.com/other.git", len("repoURL: ")),
            "application repo https://git.example.com/other.git is not permitted in project "
            f"'fingerprint-api': {GENERATED}",
        ),
        (
            PROJECT,
            _deny_repo,
            ("repoURL: https://git.example.com/platform", len("repoURL: ")),
            "application repo https://git.example.com/platform/deploy.git is not permitted in "
            f"project 'fingerprint-api': {GENERATED}",
        ),
        (
            PROJECT,
            _no_eu,
            ("name: '{{.cluster}}'", 0),
            "application destination eu-west-1/fingerprint-api does not match any of the allowed "
            "destinations in project 'fingerprint-api': Application fingerprint-api-eu-west-1 "
            "(eu-west-1) cannot sync, so none of its objects is applied",
        ),
    ],
)
def test_project_refuses_generated_applications(
    tmp_path: Path, file: Path, change: Callable[[Any], None], where: tuple[str, int], expected: str
) -> None:
    root = copy_rendered(tmp_path)
    edit_yaml(root / file, change)
    at = loc(root / APPSET, where[0], where[1])
    assert f"{at}: app-project-permits: {expected}" in findings(root, "app-project-permits")


def test_namespaced_blacklist_refuses_objects_in_every_overlay(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    edit_yaml(root / PROJECT, _blacklist)
    hpa = root / "k8s/overlays/eu-west-1/workload/horizontalpodautoscaler.yaml"
    found = [f for f in findings(root, "app-project-permits") if "HorizontalPodAutoscaler" in f]
    assert len(found) == 3
    assert (
        f"{loc(hpa, 'HorizontalPodAutoscaler')}: app-project-permits: resource "
        "autoscaling:HorizontalPodAutoscaler is not permitted in project fingerprint-api "
        "(add it to namespaceResourceWhitelist): Application fingerprint-api-eu-west-1 "
        "(eu-west-1) cannot sync, so none of its objects is applied"
    ) in found


def test_missing_project(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    edit_yaml(root / APPSET, lambda d: d["spec"]["template"]["spec"].update(project="nope"))
    at = loc(root / APPSET, "project: nope", len("project: "))
    assert (
        f"{at}: app-project-permits: AppProject nope is not in the render; Argo CD "
        "refuses Application fingerprint-api-us-east-1"
    ) in findings(root, "app-project-permits")


REGIONS = ["ap-southeast-1", "eu-west-1", "us-east-1"]


def _steps(*groups: list[str]) -> Callable[[Any], None]:
    def change(data: Any) -> None:
        data["spec"]["strategy"] = {
            "type": "RollingSync",
            "rollingSync": {
                "steps": [
                    {"matchExpressions": [{"key": "region", "operator": "In", "values": group}]}
                    for group in groups
                ]
            },
        }

    return change


def test_applicationset_rolls_out_region_by_region_primary_last(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    assert findings(root, "rolling-sync-steps") == []
    strategy = yaml.safe_load((root / APPSET).read_text(encoding="utf-8"))["spec"]["strategy"]
    assert strategy["type"] == "RollingSync"
    steps = [
        (s["matchExpressions"][0]["values"], s["maxUpdate"])
        for s in strategy["rollingSync"]["steps"]
    ]
    assert steps == [(["ap-southeast-1"], 1), (["eu-west-1"], 1), (["us-east-1"], 1)]


def test_applicationset_updating_every_region_at_once(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    edit_yaml(root / APPSET, lambda d: d["spec"].pop("strategy"))
    assert findings(root, "rolling-sync-steps") == [
        f"{loc(root / APPSET, '- list:')}: rolling-sync-steps: the 3 Applications it generates "
        "(ap-southeast-1, eu-west-1 and us-east-1) update at once: without a RollingSync "
        "strategy a bad change reaches every region in the same sync"
    ]


def test_all_at_once_strategy_updates_every_region_at_once(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    edit_yaml(root / APPSET, lambda d: d["spec"].update(strategy={"type": "AllAtOnce"}))
    (found,) = findings(root, "rolling-sync-steps")
    assert found.startswith(
        f"{loc(root / APPSET, 'type: AllAtOnce')}: rolling-sync-steps: "
        "the 3 Applications it generates"
    )


@pytest.mark.parametrize(
    ("groups", "step", "message"),
    [
        (
            [REGIONS],
            0,
            "step 1 selects the Applications of every cluster (ap-southeast-1, eu-west-1 and "
            "us-east-1): they all update at once",
        ),
        (
            [["ap-southeast-1", "eu-west-1"], ["eu-west-1", "us-east-1"]],
            1,
            "step 2 selects fingerprint-api-eu-west-1 again (an "
            "earlier step already does): Argo CD "
            "reports the duplicate and keeps the first",
        ),
        (
            [["ap-southeast-1"], ["eu-west-1"]],
            None,
            "no step selects fingerprint-api-us-east-1: the ApplicationSet controller never syncs "
            "them",
        ),
    ],
)
def test_rolling_sync_steps_that_defeat_the_rollout(
    tmp_path: Path, groups: list[list[str]], step: int | None, message: str
) -> None:
    root = copy_rendered(tmp_path)
    edit_yaml(root / APPSET, _steps(*groups))
    lines = (root / APPSET).read_text().splitlines()
    if step is None:  # the steps list itself
        line = next(i for i, text in enumerate(lines, 1) if text.strip() == "steps:") + 1
        col = lines[line - 1].index("-") + 1
    else:  # one step: its first key
        line = [i for i, text in enumerate(lines, 1) if "- matchExpressions:" in text][step]
        col = lines[line - 1].index("matchExpressions") + 1
    assert findings(root, "rolling-sync-steps") == [
        f"{root / APPSET}:{line}:{col}: rolling-sync-steps: {message}"
    ]


CONTEXT = KCC / "configconnectorcontext.yaml"
ADDRESS = Path("k8s/platform/gclb/computeaddress-fingerprint-api-ip.yaml")
NOT_RECONCILED = (
    "no cluster-mode ConfigConnector is rendered: in namespaced mode they are never reconciled"
)


def _drop_resource(root: Path, folder: Path, name: str) -> None:
    edit_yaml(root / folder / "kustomization.yaml", lambda d: d["resources"].remove(name))


def test_every_config_connector_layer_shares_one_namespace_with_a_context(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    assert findings(root, "kcc-namespace-context") == []
    namespaces = set()
    for layer in ("config-connector", "gclb"):
        for path in (root / "k8s/platform" / layer).glob("*.yaml"):
            doc = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[0])
            if doc["apiVersion"].split("/")[0].endswith(".cnrm.cloud.google.com"):
                namespaces.add(doc["metadata"]["namespace"])
    assert namespaces == {"fingerprint-prod"}


def test_config_connector_namespace_without_its_context(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    _drop_resource(root, KCC, CONTEXT.name)
    member = (
        root
        / KCC
        / ("iampolicymember-fingerprint-models-ap-southeast-1-admin-fingerprint-model-sync.yaml")
    )
    assert findings(root, "kcc-namespace-context") == [
        f"{loc(member, 'namespace: fingerprint-prod', len('namespace: '))}: "
        "kcc-namespace-context: 29 Config Connector objects in namespace fingerprint-prod of "
        f"us-east-1, but no ConfigConnectorContext for fingerprint-prod and {NOT_RECONCILED}"
    ]


def test_config_connector_object_in_a_second_namespace(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    edit_yaml(root / ADDRESS, lambda d: d["metadata"].update(namespace="fingerprint-api"))
    assert findings(root, "kcc-namespace-context") == [
        f"{loc(root / ADDRESS, 'namespace: fingerprint-api', len('namespace: '))}: "
        "kcc-namespace-context: 1 Config Connector object in namespace fingerprint-api of "
        f"us-east-1, but no ConfigConnectorContext for fingerprint-api and {NOT_RECONCILED}"
    ]


def _add(root: Path, layer: str, document: dict[str, Any]) -> None:
    folder = root / "k8s/platform" / layer
    write(folder, "extra.yaml", document)
    edit_yaml(folder / "kustomization.yaml", lambda d: d["resources"].append("extra.yaml"))


def test_config_connector_context_for_the_second_namespace_passes(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    edit_yaml(root / ADDRESS, lambda d: d["metadata"].update(namespace="fingerprint-api"))
    _add(
        root,
        "gclb",
        obj(
            "core.cnrm.cloud.google.com/v1beta1",
            "ConfigConnectorContext",
            "configconnectorcontext.core.cnrm.cloud.google.com",
            "fingerprint-api",
            spec={"googleServiceAccount": "kcc@example.iam.gserviceaccount.com"},
        ),
    )
    assert findings(root, "kcc-namespace-context") == []


def test_config_connector_in_cluster_mode_passes(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    _drop_resource(root, KCC, CONTEXT.name)
    _add(
        root,
        "config-connector",
        obj(
            "core.cnrm.cloud.google.com/v1beta1",
            "ConfigConnector",
            "configconnector.core.cnrm.cloud.google.com",
            None,
            spec={"mode": "cluster"},
        ),
    )
    assert findings(root, "kcc-namespace-context") == []
