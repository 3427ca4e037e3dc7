"""Seam rules of the traffic path (issue 11): each fires, located, and passes when fixed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.seam_helpers import (
    cluster,
    copy_rendered,
    edit_yaml,
    findings,
    gateway,
    health_check,
    loc,
    obj,
    record,
    virtual_service,
    write,
)

WIDE = ["api.example.com", "*.api.example.com"]


def _two_regions(
    root: Path,
    us: list[str],
    eu: list[str],
    eu_routes: list[str] | None = None,
) -> Path:
    cluster(root, "us", gateway(*us), virtual_service(*us))
    cluster(root, "eu", gateway(*eu), virtual_service(*(eu if eu_routes is None else eu_routes)))
    return write(
        root,
        "route53/change-batch.json",
        {
            "Changes": [
                record(
                    "us.api.example.com",
                    alias="us.origin.api.example.com",
                    set_id="us-1",
                    failover="PRIMARY",
                ),
                record(
                    "us.api.example.com",
                    alias="eu.origin.api.example.com",
                    set_id="us-2",
                    failover="SECONDARY",
                ),
                record("us.origin.api.example.com", ip="192.0.2.10"),
                record("eu.origin.api.example.com", ip="192.0.2.20"),
            ]
        },
    )


def serve_every_name(root: Path) -> None:
    """Fix the example: every overlay's Gateway and VirtualService list *.api.example.com."""
    for overlay in sorted((root / "k8s" / "overlays").iterdir()):

        def servers(data: Any) -> None:
            for server in data["spec"]["servers"]:
                server["hosts"] = list(WIDE)

        edit_yaml(overlay / "gateway.patch.yaml", servers)
        edit_yaml(
            overlay / "virtualservice.patch.yaml", lambda d: d["spec"].update(hosts=list(WIDE))
        )


def test_dns_name_not_served_where_it_fails_over(tmp_path: Path) -> None:
    batch = _two_regions(
        tmp_path, ["us.api.example.com", "us.origin.api.example.com"], ["eu.origin.api.example.com"]
    )
    at = loc(batch, '"us.api.example.com"')
    assert findings(tmp_path, "dns-name-served") == [
        f"{at}: dns-name-served: us.api.example.com can land "
        "in eu and us, but no Gateway server in eu lists it: clients sent there fail the TLS "
        "handshake or get 404"
    ]


def test_dns_name_listed_by_the_gateway_but_not_routed(tmp_path: Path) -> None:
    batch = _two_regions(
        tmp_path,
        ["*.api.example.com"],
        ["*.api.example.com"],
        eu_routes=["eu.origin.api.example.com"],
    )
    at = loc(batch, '"us.api.example.com"')
    assert findings(tmp_path, "dns-name-served") == [
        f"{at}: dns-name-served: us.api.example.com can land "
        "in eu and us, but no VirtualService bound to the Gateway in eu lists it: clients "
        "sent there fail the TLS handshake or get 404"
    ]


def test_dns_name_leading_to_an_address_no_cluster_claims(tmp_path: Path) -> None:
    cluster(tmp_path, "us", gateway("*"), virtual_service("*"))
    batch = write(
        tmp_path,
        "route53/change-batch.json",
        {"Changes": [record("edge.example.com", ip="198.51.100.9")]},
    )
    at = loc(batch, '"edge.example.com"')
    assert findings(tmp_path, "dns-name-served") == [
        f"{at}: dns-name-served: edge.example.com leads to "
        "198.51.100.9, which no cluster of the render claims (no Service or gateway chart pins "
        "it, and no label of its origin record names a region)"
    ]


def test_dns_names_served_everywhere_pass(tmp_path: Path) -> None:
    _two_regions(tmp_path, ["*.api.example.com"], ["*.api.example.com"])
    assert findings(tmp_path, "dns-name-served") == []


def test_the_example_with_every_name_served_passes(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    serve_every_name(root)
    assert findings(root, "dns-name-served") == []
    assert findings(root, "health-check-served") == []


def _checked(
    root: Path, hosts: list[str], http: list[dict[str, Any]] | None = None, sni: bool = True
) -> Path:
    cluster(root, "us", gateway(*hosts), virtual_service(*hosts, http=http))
    write(
        root,
        "route53/change-batch.json",
        {"Changes": [record("us.origin.api.example.com", ip="192.0.2.10")]},
    )
    return write(
        root, "route53/health-checks/us.json", health_check("us.origin.api.example.com", sni=sni)
    )


@pytest.mark.parametrize(
    ("hosts", "http", "sni", "reason"),
    [
        (
            ["us.api.example.com"],
            None,
            True,
            "no Gateway HTTPS server on port 443 in us accepts SNI us.origin.api.example.com",
        ),
        (
            ["us.origin.api.example.com"],
            None,
            False,
            "no Gateway HTTPS server on port 443 in us accepts connections without SNI",
        ),
        (
            ["us.origin.api.example.com"],
            [
                {"match": [{"uri": {"prefix": "/health"}}], "directResponse": {"status": 503}},
                {"route": [{"destination": {"host": "api"}}]},
            ],
            True,
            "no VirtualService in us routes /healthz for us.origin.api.example.com",
        ),
    ],
)
def test_health_check_that_can_never_pass(
    tmp_path: Path, hosts: list[str], http: list[dict[str, Any]] | None, sni: bool, reason: str
) -> None:
    check = _checked(tmp_path, hosts, http, sni)
    at = loc(check, '"us.origin.api.example.com"')
    assert findings(tmp_path, "health-check-served") == [
        f"{at}: health-check-served: the HTTPS health "
        f"check of us.origin.api.example.com/healthz can never pass: {reason}; Route53 then "
        "treats the record as unhealthy and DNS failover does not work"
    ]


def test_health_check_served_and_routed_passes(tmp_path: Path) -> None:
    _checked(
        tmp_path,
        ["us.origin.api.example.com"],
        [{"match": [{"uri": {"exact": "/healthz"}}], "route": [{"destination": {"host": "api"}}]}],
    )
    assert findings(tmp_path, "health-check-served") == []


def test_health_check_of_the_example(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    check = root / "k8s" / "platform" / "route53" / "healthcheck-us-east-1.yaml"
    assert (
        f"{loc(check, 'us-east-1.origin.api.example.com')}: health-check-served: the HTTPS "
        "health check of us-east-1.origin.api.example.com/healthz can never pass: no "
        "Gateway HTTPS server on port 443 in us-east-1 accepts SNI "
        "us-east-1.origin.api.example.com; Route53 then treats the record as unhealthy "
        "and DNS failover does not work" in findings(root, "health-check-served")
    )


FAILOVER_MESSAGE = (
    "locality-failover-multicluster: locality failover for "
    "fingerprint-api.fingerprint-api.svc.cluster.local across ap-southeast-1, eu-west-1 and "
    "us-east-1 needs endpoint discovery and shared trust, but {problems}: each istiod only "
    "knows its own cluster's endpoints, so failover has nowhere to go"
)


def _mesh_secrets(root: Path, skip: str = "") -> None:
    """Each overlay: ExternalSecrets for the other clusters' remote secrets and cacerts."""
    overlays = sorted(p for p in (root / "k8s" / "overlays").iterdir())
    for overlay in overlays:
        peers = [p.name for p in overlays if p != overlay and overlay.name != skip]
        docs = [
            obj(
                "external-secrets.io/v1",
                "ExternalSecret",
                f"istio-remote-secret-{peer}",
                "istio-system",
                spec={
                    "target": {
                        "template": {
                            "metadata": {
                                "labels": {"istio/multiCluster": "true"},
                                "annotations": {"networking.istio.io/cluster": peer},
                            }
                        }
                    }
                },
            )
            for peer in peers
        ]
        docs.append(
            obj(
                "external-secrets.io/v1",
                "ExternalSecret",
                "cacerts",
                "istio-system",
                spec={"target": {"name": "cacerts"}},
            )
        )
        write(overlay, "multicluster.yaml", *docs)
        edit_yaml(
            overlay / "kustomization.yaml", lambda d: d["resources"].append("multicluster.yaml")
        )


def _failover_at(root: Path) -> str:
    return loc(root / "k8s" / "base" / "mesh" / "destinationrule.yaml", "- from: asia")


def test_locality_failover_without_discovery_or_trust(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    problems = (
        "no remote secret for another cluster is rendered in ap-southeast-1, "
        "eu-west-1 and us-east-1 and no shared root of trust (cacerts or istio-csr) "
        "is rendered in ap-southeast-1, eu-west-1 and us-east-1"
    )
    assert findings(root, "locality-failover-multicluster") == [
        f"{_failover_at(root)}: {FAILOVER_MESSAGE.format(problems=problems)}"
    ]


def test_locality_failover_with_one_cluster_missing_its_remote_secrets(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    _mesh_secrets(root, skip="us-east-1")
    problems = "us-east-1 has no remote secret for ap-southeast-1 and eu-west-1"
    assert findings(root, "locality-failover-multicluster") == [
        f"{_failover_at(root)}: {FAILOVER_MESSAGE.format(problems=problems)}"
    ]


def test_locality_failover_with_discovery_and_trust_passes(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    _mesh_secrets(root)
    assert findings(root, "locality-failover-multicluster") == []


def test_neg_without_an_annotated_service(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    found = findings(root, "neg-backed-by-service")
    path = root / "k8s/platform/gclb/computebackendservice-fingerprint-api-bes-us-east-1.yaml"
    assert len(found) == 3
    assert (
        f"{loc(path, 'projects/fingerprint-prod/zones/us-east1-b')}: neg-backed-by-service: "
        "NEG fingerprint-api-ingress (zones us-east1-b, us-east1-c and us-east1-d) is never "
        "created: no Service in any cluster carries a cloud.google.com/neg annotation "
        "naming it, so this backend service has no endpoints"
    ) in found


def test_neg_annotated_through_the_gateway_chart_passes(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    annotation = '{"exposed_ports": {"443": {"name": "fingerprint-api-ingress"}}}'
    for app in sorted((root / "argocd" / "istio").glob("*-istio-ingressgateway.yaml")):
        edit_yaml(
            app,
            lambda d: d["spec"]["source"]["helm"]["valuesObject"].update(
                service={"annotations": {"cloud.google.com/neg": annotation}}
            ),
        )
    assert findings(root, "neg-backed-by-service") == []


CERT = "k8s/platform/gclb/computemanagedsslcertificate-fingerprint-api-cert.yaml"


def test_managed_certificate_for_a_name_route53_answers(tmp_path: Path) -> None:
    root = copy_rendered(tmp_path)
    assert findings(root, "managed-cert-dns") == [
        f"{loc(root / CERT, 'api.example.com')}: managed-cert-dns: api.example.com is on a "
        "Google-managed certificate, but Route53 answers it with an alias to "
        "ap-southeast-1.api.example.com (and 2 more), not with the load balancer's address: "
        "the certificate never provisions and the HTTPS proxy cannot serve"
    ]


@pytest.mark.parametrize(("answer", "fires"), [("198.51.100.7", False), ("198.51.100.8", True)])
def test_managed_certificate_name_pointing_at_the_load_balancer(
    tmp_path: Path, answer: str, fires: bool
) -> None:
    root = copy_rendered(tmp_path)
    edit_yaml(root / CERT, lambda d: d["spec"]["managed"].update(domains=["lb.example.com"]))
    edit_yaml(
        root / "k8s/platform/gclb/computeaddress-fingerprint-api-ip.yaml",
        lambda d: d["spec"].update(address="198.51.100.7"),
    )
    write(root, "route53/lb-batch.json", {"Changes": [record("lb.example.com", ip=answer)]})
    found = findings(root, "managed-cert-dns")
    assert bool(found) == fires, found
    if fires:
        assert found[0].endswith(
            "Route53 answers it with A 198.51.100.8, not with the load "
            "balancer's address: the certificate never provisions and "
            "the HTTPS proxy cannot serve"
        )
