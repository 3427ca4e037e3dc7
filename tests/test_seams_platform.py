"""Seam rules of the platform (issue 17): nothing to check in the example render yet, so each
rule passes there and is broken on hand-made declarations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RENDERED
from tests.seam_helpers import copy_rendered, edit_yaml, findings, loc, loc_exact, obj, write

KCC = Path("k8s/platform/config-connector")
CONTAINER = "container.cnrm.cloud.google.com/v1beta1"


def _cluster_secrets(root: Path, *names: str) -> Path:
    return write(
        root,
        "argocd/clusters.yaml",
        *[
            obj(
                "v1",
                "Secret",
                f"cluster-{name}",
                "argocd",
                metadata={"labels": {"argocd.argoproj.io/secret-type": "cluster"}},
                stringData={"name": name, "server": f"https://{name}.clusters.example.com"},
            )
            for name in names
        ],
    )


@pytest.mark.parametrize("rule", ["cluster-declared", "wi-pool-matches", "pod-ranges-disjoint"])
def test_nothing_declared_yet_in_the_example(rule: str) -> None:
    assert findings(RENDERED, rule) == []


def test_every_destination_declared_passes(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    _cluster_secrets(root, "us-east-1", "eu-west-1", "ap-southeast-1")
    assert findings(root, "cluster-declared") == []


def test_destinations_of_an_undeclared_cluster(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    _cluster_secrets(root, "us-east-1", "eu-west-1")
    found = findings(root, "cluster-declared")
    declared = "(declared: eu-west-1 and us-east-1)"
    appset = root / "argocd/applicationset-fingerprint-api.yaml"
    istiod = root / "argocd/istio/ap-southeast-1-istiod.yaml"
    project = root / "argocd/appproject-fingerprint-api.yaml"
    at = loc(appset, "name: '{{.cluster}}'", len("name: "))  # the template's destination
    assert (
        f"{at}: cluster-declared: "
        "Application fingerprint-api-ap-southeast-1 deploys to cluster ap-southeast-1, "
        f"which the render does not declare {declared}: Argo CD cannot resolve the "
        "destination"
    ) in found
    assert (
        f"{loc_exact(istiod, 'name: ap-southeast-1', len('name: '))}: cluster-declared: "
        "Application ap-southeast-1-istiod deploys to cluster ap-southeast-1, which the "
        f"render does not declare {declared}: Argo CD cannot resolve the destination"
    ) in found
    assert (
        f"{loc(project, 'name: ap-southeast-1', len('name: '))}: cluster-declared: "
        "AppProject fingerprint-api allows cluster ap-southeast-1, which the render does "
        f"not declare {declared}"
    ) in found
    assert len(found) == 6  # 3 Istio Applications, the generated one, 2 projects


def _container_cluster(root: Path, name: str, **spec: Any) -> None:
    write(
        root / KCC,
        f"containercluster-{name}.yaml",
        obj(
            CONTAINER,
            "ContainerCluster",
            name,
            "fingerprint-prod",
            spec={"location": "us-east1", **spec},
        ),
    )
    edit_yaml(
        root / KCC / "kustomization.yaml",
        lambda d: d["resources"].append(f"containercluster-{name}.yaml"),
    )


@pytest.mark.parametrize(
    ("spec", "shown"),
    [
        (
            {"workloadIdentityConfig": {"workloadPool": "other-project.svc.id.goog"}},
            "other-project.svc.id.goog",
        ),
        ({}, "no workload pool"),
    ],
)
def test_workload_identity_member_in_another_pool(
    tmp_path: Path, spec: dict[str, Any], shown: str
) -> None:
    root = copy_rendered(tmp_path)
    _container_cluster(root, "us-east-1", **spec)
    member = root / KCC / "iampolicymember-wi-us-east-1-fingerprint-api.yaml"
    found = findings(root, "wi-pool-matches")
    assert len(found) == 3  # the three service accounts of us-east-1
    assert (
        f"{loc(member, 'serviceAccount:')}: wi-pool-matches: "
        "serviceAccount:fingerprint-prod.svc.id.goog[fingerprint-api/us-east-1-"
        "fingerprint-api] uses workload pool fingerprint-prod.svc.id.goog, but "
        f"fingerprint-api/us-east-1-fingerprint-api runs in us-east-1 ({shown}): the "
        "binding grants nothing and the pod gets 403"
    ) in found


def test_workload_identity_member_in_its_cluster_pool_passes(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    _container_cluster(
        root, "us-east-1", workloadIdentityConfig={"workloadPool": "fingerprint-prod.svc.id.goog"}
    )
    assert findings(root, "wi-pool-matches") == []


def _ranges(tmp_path: Path, eu: dict[str, Any]) -> Path:
    policy = {"clusterIpv4CidrBlock": "10.0.0.0/14", "servicesIpv4CidrBlock": "10.4.0.0/20"}
    subnet = obj(
        "compute.cnrm.cloud.google.com/v1beta1",
        "ComputeSubnetwork",
        "eu-subnet",
        "infra",
        spec={
            "ipCidrRange": "10.128.0.0/20",
            "region": "europe-west1",
            "secondaryIpRange": [{"rangeName": "eu-pods", "ipCidrRange": "10.1.0.0/16"}],
        },
    )
    return write(
        tmp_path,
        "platform/clusters.yaml",
        obj(
            CONTAINER,
            "ContainerCluster",
            "us",
            "infra",
            spec={"location": "us-east1", "ipAllocationPolicy": policy},
        ),
        obj(
            CONTAINER,
            "ContainerCluster",
            "eu",
            "infra",
            spec={
                "location": "europe-west1",
                "ipAllocationPolicy": eu,
                "subnetworkRef": {"name": "eu-subnet"},
            },
        ),
        subnet,
    )


@pytest.mark.parametrize(
    ("eu", "needle", "message"),
    [
        (
            {"clusterIpv4CidrBlock": "10.2.0.0/16"},
            "clusterIpv4CidrBlock: 10.2",
            "the pod range 10.2.0.0/16 of eu overlaps the pod range 10.0.0.0/14 of us",
        ),
        (
            {"clusterSecondaryRangeName": "eu-pods"},
            "clusterSecondaryRangeName:",
            "the pod range 10.1.0.0/16 of eu overlaps the pod range 10.0.0.0/14 of us",
        ),
        (
            {"clusterIpv4CidrBlock": "10.8.0.0/14", "servicesIpv4CidrBlock": "10.4.0.0/22"},
            "servicesIpv4CidrBlock: 10.4.0.0/22",
            "the service range 10.4.0.0/22 of eu overlaps the service range 10.4.0.0/20 of us",
        ),
    ],
)
def test_overlapping_cluster_ranges(
    tmp_path: Path, eu: dict[str, Any], needle: str, message: str
) -> None:
    path = _ranges(tmp_path, eu)
    key = needle.split(":")[0] + ": "
    assert findings(tmp_path, "pod-ranges-disjoint") == [
        f"{loc(path, needle, len(key))}: pod-ranges-disjoint: {message}: cross-cluster "
        "traffic to those addresses is ambiguous"
    ]


def test_disjoint_cluster_ranges_pass(tmp_path: Path) -> None:
    _ranges(
        tmp_path, {"clusterIpv4CidrBlock": "10.8.0.0/14", "servicesIpv4CidrBlock": "10.12.0.0/20"}
    )
    assert findings(tmp_path, "pod-ranges-disjoint") == []
