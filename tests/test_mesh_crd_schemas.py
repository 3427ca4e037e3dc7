"""Every Istio and Argo CD document mrgen renders validates against the upstream CRD
schemas in ../shared/schemas/crds (kubeconform layout ``<group>/<kind>_<version>.json``).
Patches are validated after kustomize applies them (the built overlays)."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import require_crd_schemas
from tests.mesh_support import Doc, example, kustomize, render_docs, render_to

CUSTOM_GROUPS = ("networking.istio.io", "security.istio.io", "argoproj.io")


@cache
def _validator(path: Path) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(json.loads(path.read_text(encoding="utf-8")))


def validator_for(doc: Doc) -> jsonschema.Draft7Validator:
    group, _, version = doc["apiVersion"].rpartition("/")
    path = require_crd_schemas() / group / f"{doc['kind'].lower()}_{version}.json"
    assert path.is_file(), f"no upstream schema for {doc['apiVersion']} {doc['kind']}: {path}"
    return _validator(path)


def errors(doc: Doc) -> list[str]:
    validator = validator_for(doc)
    return [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)
    ]


def _custom(docs: list[Doc]) -> list[Doc]:
    return [d for d in docs if str(d.get("apiVersion", "")).rpartition("/")[0] in CUSTOM_GROUPS]


def _checked(files: dict[str, list[Doc]]) -> int:
    count = 0
    for path, docs in sorted(files.items()):
        if path.endswith(".patch.yaml"):
            continue  # partial objects; the built overlays below cover them
        for doc in _custom(docs):
            found = errors(doc)
            assert found == [], f"{path}: {found}"
            count += 1
    return count


def test_rendered_custom_resources_match_upstream_schemas(tmp_path: Path) -> None:
    data = example()
    count = _checked(render_docs(data))
    assert count >= 4 + 3 + 1 + 1 + 3 * len(data["regions"])
    out = render_to(data, tmp_path)
    for region in data["regions"]:
        built = _custom(kustomize(out / "k8s" / "overlays" / region["name"]))
        assert {d["kind"] for d in built} >= {"Gateway", "VirtualService", "DestinationRule"}
        for doc in built:
            found = errors(doc)
            assert found == [], f"{region['name']} {doc['kind']}: {found}"


def test_v1beta1_istio_api_validates_too() -> None:
    data = example()
    data["mesh"]["istio"]["apiVersion"] = "networking.istio.io/v1beta1"
    files = render_docs(data)
    versions = {
        d["apiVersion"]
        for path in (
            "k8s/base/mesh/gateway.yaml",
            "k8s/base/mesh/virtualservice.yaml",
            "k8s/base/mesh/destinationrule.yaml",
            "k8s/overlays/us-east-1/gateway.patch.yaml",
        )
        for d in files[path]
    }
    assert versions == {"networking.istio.io/v1beta1"}
    assert _checked(files) > 0


@pytest.mark.parametrize("breakage", ["unknown field", "wrong type"])
def test_the_schema_check_catches_a_broken_document(breakage: str) -> None:
    rule = copy.deepcopy(render_docs(example())["k8s/base/mesh/destinationrule.yaml"][0])
    policy = rule["spec"]["trafficPolicy"]
    if breakage == "unknown field":
        policy["outlierDetection"]["maxEjectionPercentage"] = 100
    else:
        policy["loadBalancer"]["localityLbSetting"]["failover"][0]["to"] = ["us-east1"]
    assert errors(rule)
