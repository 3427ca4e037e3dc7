"""One Config Connector namespace model for every platform layer (issue 13, item 3):
replication's objects and the GCLB's share one namespace, which has a
ConfigConnectorContext (namespaced mode) or the cluster declares cluster mode."""

from __future__ import annotations

from typing import Any

from generator.build import build
from generator.errors import MrgenError
from generator.loader import load_text
from tests.mesh_support import Doc, example, render_docs, spec_text

KCC = "k8s/platform/config-connector"
CNRM = ".cnrm.cloud.google.com"


def _cnrm(files: dict[str, list[Doc]]) -> list[Doc]:
    return [
        d
        for path, docs in files.items()
        if path.startswith("k8s/platform/")
        for d in docs
        if d["apiVersion"].split("/")[0].endswith(CNRM) and not d["apiVersion"].startswith("core.")
    ]


def test_every_layer_uses_the_one_namespace_and_its_context() -> None:
    files = render_docs(example())
    assert {d["metadata"]["namespace"] for d in _cnrm(files)} == {"fingerprint-prod"}
    assert any(p.startswith("k8s/platform/gclb/") for p in files)
    (context,) = files[f"{KCC}/configconnectorcontext.yaml"]
    assert context["metadata"] == {
        **context["metadata"],
        "namespace": "fingerprint-prod",
        "name": "configconnectorcontext.core.cnrm.cloud.google.com",
    }
    assert context["spec"] == {
        "googleServiceAccount": "config-connector@fingerprint-prod.iam.gserviceaccount.com"
    }
    assert files[f"{KCC}/namespace.yaml"][0]["metadata"]["name"] == "fingerprint-prod"


def test_the_namespace_and_account_from_the_spec() -> None:
    data = example()
    data["configConnector"] = {
        "namespace": "gcp-objects",
        "googleServiceAccount": "kcc-prod@platform.iam.gserviceaccount.com",
    }
    files = render_docs(data)
    assert {d["metadata"]["namespace"] for d in _cnrm(files)} == {"gcp-objects"}
    (context,) = files[f"{KCC}/configconnectorcontext.yaml"]
    assert context["metadata"]["namespace"] == "gcp-objects"
    assert context["spec"]["googleServiceAccount"] == "kcc-prod@platform.iam.gserviceaccount.com"


def test_cluster_mode_declares_it_instead_of_a_context() -> None:
    data = example()
    data["configConnector"] = {"mode": "cluster"}
    files = render_docs(data)
    assert f"{KCC}/configconnectorcontext.yaml" not in files
    (cluster,) = files[f"{KCC}/configconnector.yaml"]
    assert "namespace" not in cluster["metadata"]
    assert cluster["spec"] == {
        "mode": "cluster",
        "googleServiceAccount": "config-connector@fingerprint-prod.iam.gserviceaccount.com",
    }
    project = files["argocd/appproject-fingerprint-api-platform.yaml"][0]["spec"]
    assert {"group": "core.cnrm.cloud.google.com", "kind": "ConfigConnector"} in project[
        "clusterResourceWhitelist"
    ]


def test_replication_older_namespace_field_still_names_it_but_cannot_disagree() -> None:
    data = example()
    data["replication"]["configConnectorNamespace"] = "legacy-ns"
    assert {d["metadata"]["namespace"] for d in _cnrm(render_docs(data))} == {"legacy-ns"}
    data["configConnector"] = {"namespace": "other-ns"}
    try:
        build(load_text(spec_text(data), "spec/test.yaml"), "spec/test.yaml")
    except MrgenError as exc:
        assert [d.path for d in exc.diagnostics] == ["replication.configConnectorNamespace"]
        assert "every layer uses one namespace" in exc.diagnostics[0].message
    else:
        raise AssertionError("two Config Connector namespaces were accepted")


def test_the_gclb_alone_still_gets_a_namespace_with_a_context() -> None:
    data: dict[str, Any] = example()
    del data["replication"]
    data["globalRouting"]["gclb"]["project"] = "lb-project"
    files = render_docs(data)
    assert {d["metadata"]["namespace"] for d in _cnrm(files)} == {"lb-project"}
    assert files[f"{KCC}/configconnectorcontext.yaml"][0]["metadata"]["namespace"] == "lb-project"


def test_without_config_connector_objects_nothing_is_rendered() -> None:
    data: dict[str, Any] = example()
    del data["replication"]
    data["globalRouting"]["providers"] = ["route53"]
    del data["globalRouting"]["gclb"]
    files = render_docs(data)
    assert not any(p.startswith(KCC) or p == "argocd/platform/config-connector.yaml" for p in files)
