"""GCLB: the Config Connector objects validate against the upstream CRD schemas, every
reference resolves to a rendered object, and the chain has the shape the LB needs."""

from __future__ import annotations

import copy
import json
import re
from fractions import Fraction
from typing import Any

import pytest
import yaml

from generator.sections.core import names as core_names
from generator.sections.global_routing import names as naming
from tests.conftest import require_crd_schemas
from tests.globalspec import example_data, files, model, require_module

Obj = dict[str, Any]
REF_KINDS = {
    "addressRef": "ComputeAddress",
    "targetHTTPSProxyRef": "ComputeTargetHTTPSProxy",
    "urlMapRef": "ComputeURLMap",
    "backendServiceRef": "ComputeBackendService",
    "healthCheckRef": "ComputeHealthCheck",
}
CERT_LINK = re.compile(r"^projects/(?P<project>[^/]+)/global/sslCertificates/(?P<name>[^/]+)$")
NEG_LINK = re.compile(
    r"^projects/(?P<project>[^/]+)/zones/(?P<zone>[^/]+)/networkEndpointGroups/(?P<name>[^/]+)$"
)


def _objects(data: dict[str, Any] | None = None) -> list[Obj]:
    layer = f"{core_names.platform_dir(naming.GCLB_LAYER)}/"
    return [
        yaml.safe_load(f.content)
        for p, f in sorted(files(model(data)).items())
        if p.startswith(layer) and not p.endswith("kustomization.yaml")
    ]


def _by_kind(objects: list[Obj], kind: str) -> list[Obj]:
    return [o for o in objects if o["kind"] == kind]


def _walk(value: Any, key: str = "") -> list[tuple[str, Any]]:
    found = [(key, value)]
    if isinstance(value, dict):
        for k, v in value.items():
            found.extend(_walk(v, k))
    elif isinstance(value, list):
        for item in value:
            found.extend(_walk(item, key))
    return found


def unresolved(objects: list[Obj]) -> list[str]:
    """Every reference that names no rendered object (empty when the chain is whole)."""
    names = {(o["kind"], o["metadata"]["name"]) for o in objects}
    problems = []
    for obj in objects:
        project = obj["metadata"]["annotations"]["cnrm.cloud.google.com/project-id"]
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        for key, value in _walk(obj["spec"]):
            if not (key.endswith("Ref") or key == "sslCertificates") or not value:
                continue
            if key == "sslCertificates":
                for ref in value if isinstance(value, list) else [value]:
                    m = CERT_LINK.match(ref.get("external", ""))
                    if (
                        not m
                        or m["project"] != project
                        or ("ComputeManagedSSLCertificate", m["name"]) not in names
                    ):
                        problems.append(f"{where}: certificate {ref} is not rendered")
                continue
            if key == "projectRef":
                if value != {"external": project}:
                    problems.append(f"{where}: projectRef {value} is not {project}")
            elif key == "networkEndpointGroupRef":
                m = NEG_LINK.match(value.get("external", ""))
                if not m or m["project"] != project:
                    problems.append(f"{where}: NEG {value} is not a zonal NEG of {project}")
            elif key not in REF_KINDS:
                problems.append(f"{where}: reference {key} is not checked by this test")
            elif (REF_KINDS[key], value.get("name")) not in names:
                problems.append(f"{where}: {key} {value} names no rendered {REF_KINDS[key]}")
    return problems


def test_objects_validate_against_the_upstream_schemas() -> None:
    jsonschema = require_module("jsonschema")
    folder = require_crd_schemas() / "compute.cnrm.cloud.google.com"
    objects = _objects()
    kinds = sorted({o["kind"] for o in objects})
    assert kinds == [
        "ComputeAddress",
        "ComputeBackendService",
        "ComputeForwardingRule",
        "ComputeHealthCheck",
        "ComputeManagedSSLCertificate",
        "ComputeTargetHTTPSProxy",
        "ComputeURLMap",
    ]
    for obj in objects:
        assert obj["apiVersion"] == "compute.cnrm.cloud.google.com/v1beta1"
        schema = json.loads((folder / f"{obj['kind'].lower()}_v1beta1.json").read_text())
        jsonschema.validate(obj, schema)


def test_schema_validation_can_fail() -> None:
    jsonschema = require_module("jsonschema")
    folder = require_crd_schemas() / "compute.cnrm.cloud.google.com"
    rule = copy.deepcopy(_by_kind(_objects(), "ComputeForwardingRule")[0])
    rule["spec"]["loadBalancingSchema"] = "EXTERNAL_MANAGED"  # a typo: unknown field
    schema = json.loads((folder / "computeforwardingrule_v1beta1.json").read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(rule, schema)


def test_every_reference_resolves_and_every_object_is_used() -> None:
    objects = _objects()
    assert unresolved(objects) == []
    referenced = {
        (REF_KINDS[k], v["name"]) for o in objects for k, v in _walk(o["spec"]) if k in REF_KINDS
    }
    for obj in objects:
        if obj["kind"] not in ("ComputeForwardingRule", "ComputeManagedSSLCertificate"):
            assert (obj["kind"], obj["metadata"]["name"]) in referenced, obj["metadata"]["name"]


@pytest.mark.parametrize(
    "kind",
    [
        "ComputeAddress",
        "ComputeURLMap",
        "ComputeHealthCheck",
        "ComputeBackendService",
        "ComputeTargetHTTPSProxy",
        "ComputeManagedSSLCertificate",
    ],
)
def test_a_renamed_object_breaks_resolution(kind: str) -> None:
    objects = copy.deepcopy(_objects())
    _by_kind(objects, kind)[0]["metadata"]["name"] = "renamed"
    assert unresolved(objects)


def test_the_chain_has_the_load_balancer_shape() -> None:
    spec = model()
    objects = _objects()
    (address,) = _by_kind(objects, "ComputeAddress")
    (rule,) = _by_kind(objects, "ComputeForwardingRule")
    (url_map,) = _by_kind(objects, "ComputeURLMap")
    (proxy,) = _by_kind(objects, "ComputeTargetHTTPSProxy")
    (cert,) = _by_kind(objects, "ComputeManagedSSLCertificate")
    backends = _by_kind(objects, "ComputeBackendService")
    assert address["spec"]["location"] == "global"
    assert rule["spec"]["location"] == "global" and rule["spec"]["portRange"] == "443"
    assert rule["spec"]["target"]["targetHTTPSProxyRef"]["name"] == proxy["metadata"]["name"]
    assert proxy["spec"]["sslCertificates"]
    assert cert["spec"]["managed"]["domains"] == ["api.example.com"]
    assert (
        {b["spec"]["loadBalancingScheme"] for b in backends}
        == {rule["spec"]["loadBalancingScheme"]}
        == {"EXTERNAL_MANAGED"}
    )
    for backend in backends:
        spec_b = backend["spec"]
        assert spec_b["location"] == "global" and spec_b["enableCdn"] is True
        assert spec_b["healthChecks"]
        assert spec_b["cdnPolicy"]["cacheMode"] == "USE_ORIGIN_HEADERS"
        assert not {"defaultTtl", "maxTtl", "clientTtl"} & set(spec_b["cdnPolicy"])
        assert len(spec_b["backend"]) == 3
    assert "defaultService" not in url_map["spec"]
    weighted = url_map["spec"]["defaultRouteAction"]["weightedBackendServices"]
    assert all(0 <= w["weight"] <= 1000 for w in weighted)
    total = sum(w["weight"] for w in weighted)
    shares = {w["backendServiceRef"]["name"]: Fraction(w["weight"], total) for w in weighted}
    assert shares == {
        naming.gclb_backend_service_name(spec, r.name): Fraction(r.weight, 100)
        for r in spec.regions
    }


def test_neg_backends_follow_the_spec_zones() -> None:
    data = example_data()
    data["globalRouting"]["gclb"]["negZones"]["eu-west-1"] = ["europe-west1-c"]
    data["regions"][1]["weight"], data["regions"][2]["weight"] = 40, 10
    objects = _objects(data)
    backend = next(
        o
        for o in _by_kind(objects, "ComputeBackendService")
        if o["metadata"]["name"].endswith("eu-west-1")
    )
    links = [b["group"]["networkEndpointGroupRef"]["external"] for b in backend["spec"]["backend"]]
    assert links == [
        "projects/fingerprint-prod/zones/europe-west1-c/"
        "networkEndpointGroups/fingerprint-api-ingress"
    ]
    (url_map,) = _by_kind(objects, "ComputeURLMap")
    weights = [
        w["weight"] for w in url_map["spec"]["defaultRouteAction"]["weightedBackendServices"]
    ]
    assert weights == [50, 40, 10]


def test_platform_layers_follow_the_providers() -> None:
    others = {"config-connector", "monitoring"}  # layers of other sections of the example
    assert [layer for layer in model().layers if layer not in others] == ["gclb", "route53"]
    data = example_data()
    data["globalRouting"]["providers"] = ["route53"]
    del data["globalRouting"]["gclb"]
    only_dns = model(data)
    assert [layer for layer in only_dns.layers if layer not in others] == ["route53"]
    assert not [p for p in files(only_dns) if p.startswith("k8s/platform/gclb/")]
    data = example_data()
    del data["globalRouting"]
    plain = model(data)
    assert [layer for layer in plain.layers if layer not in others] == []
    assert not [
        p
        for p in files(plain)
        if p.startswith(("k8s/platform/gclb/", "k8s/platform/route53/", "route53/"))
    ]
