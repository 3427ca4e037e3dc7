"""Istio releases and canary upgrades (issue 13, items 2 and 4): a supported release by
default, checked against the compatibility table for the Kubernetes version mrgen
validates; istiod by revision, namespaces and the gateway on the `stable` tag, and the next
release canaried beside it, region by region."""

from __future__ import annotations

from typing import Any

import pytest

from generator.build import build
from generator.errors import MrgenError
from generator.loader import load_text
from generator.sections.mesh import build as mesh_build
from generator.sections.mesh.release import KUBERNETES_VERSION, RELEASES
from tests.mesh_support import Doc, example, render_docs, spec_text

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-1")


def _outcome(data: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(errors, warnings) as 'path: message'."""
    try:
        spec = build(load_text(spec_text(data), "spec/test.yaml"), "spec/test.yaml")
    except MrgenError as exc:
        return [f"{d.path}: {d.message}" for d in exc.diagnostics], []
    return [], [
        f"{w.path}: {w.message}" for w in spec.warnings if not w.message.startswith("placeholder")
    ]


def _with_version(version: str, canary: dict[str, Any] | None = None) -> dict[str, Any]:
    data = example()
    data["mesh"]["istio"]["version"] = version
    if canary is not None:
        data["mesh"]["istio"]["canary"] = canary
    return data


def test_the_default_release_is_supported_on_the_validated_kubernetes() -> None:
    minor = ".".join(mesh_build.ISTIO_VERSION.split(".")[:2])
    release = RELEASES[minor]
    assert release.supported and minor == max(RELEASES, key=lambda m: tuple(map(int, m.split("."))))
    low, high = release.kubernetes
    assert (
        tuple(map(int, low.split(".")))
        <= tuple(map(int, KUBERNETES_VERSION.split(".")))
        <= tuple(map(int, high.split(".")))
    )
    data = example()
    del data["mesh"]["istio"]["version"]
    assert _outcome(data) == ([], [])


def test_istio_1_24_does_not_support_kubernetes_1_32() -> None:
    errors, _ = _outcome(_with_version("1.24.3"))
    assert errors == [
        "mesh.istio.version: Istio 1.24 supports Kubernetes 1.28 to 1.31, not "
        "1.32 (the version mrgen validates); use a supported release such as 1.31"
    ]


def test_a_release_past_its_end_of_life_is_a_warning() -> None:
    assert _outcome(_with_version("1.29.2")) == (
        [],
        [
            "mesh.istio.version: Istio 1.29 reached its end of life on Oct 12, 2026 and gets no "
            "more security fixes; upgrade (through mesh.istio.canary) to 1.31"
        ],
    )


def test_releases_outside_the_table() -> None:
    assert _outcome(_with_version("1.40.0"))[1] == [
        "mesh.istio.version: Istio 1.40 is newer than mrgen's compatibility table (newest "
        "1.31): check that it supports Kubernetes 1.32 before deploying"
    ]
    assert _outcome(_with_version("1.9.0"))[0] == [
        "mesh.istio.version: Istio 1.9 is past its end of life and does not support "
        "Kubernetes 1.32; use a supported release such as 1.31"
    ]


@pytest.mark.parametrize(
    ("canary", "message"),
    [
        (
            {"version": "1.31.1"},
            "mesh.istio.canary.version: the canary is the stable release "
            "1.31.1: give the next release, or remove canary once every "
            "region is promoted",
        ),
        (
            {"version": "1.30.2"},
            "mesh.istio.canary.version: the canary 1.30.2 is older than the "
            "stable release 1.31.1: a revision canary upgrades, it never "
            "downgrades",
        ),
        (
            {"version": "1.31.2", "promotedRegions": ["us-east-2"]},
            "mesh.istio.canary.promotedRegions[0]: 'us-east-2' is "
            "not a region in this spec; did you "
            "mean 'us-east-1'?",
        ),
    ],
)
def test_canary_mistakes(canary: dict[str, Any], message: str) -> None:
    assert _outcome(_with_version("1.31.1", canary))[0] == [message]


def test_revision_upgrades_span_at_most_two_minor_releases() -> None:
    errors, _ = _outcome(_with_version("1.30.2", {"version": "1.33.0"}))
    assert (
        "mesh.istio.canary.version: Istio upgrades by revision across at most 2 minor "
        "releases; 1.30.2 to 1.33.0 skips more: upgrade in steps" in errors
    )


def _istio(files: dict[str, list[Doc]], region: str, release: str) -> Doc:
    return files[f"argocd/istio/{region}-{release}.yaml"][0]


def _values(app: Doc) -> dict[str, Any]:
    values: dict[str, Any] = app["spec"]["source"]["helm"]["valuesObject"]
    return values


def test_istiod_is_a_revision_holding_the_stable_tag() -> None:
    files = render_docs(example())
    for region in REGIONS:
        istiod = _istio(files, region, "istiod")
        assert istiod["spec"]["source"]["targetRevision"] == "1.31.1"
        assert (_values(istiod)["revision"], _values(istiod)["revisionTags"]) == (
            "1-31-1",
            ["stable"],
        )
        assert _values(_istio(files, region, "istio-base"))["defaultRevision"] == "1-31-1"
        assert _values(_istio(files, region, "istio-ingressgateway"))["revision"] == "stable"
        assert f"argocd/istio/{region}-istiod-canary.yaml" not in files
    namespace = files["k8s/base/mesh/namespace.yaml"][0]["metadata"]["labels"]
    assert namespace["istio.io/rev"] == "stable" and "istio-injection" not in namespace


def test_a_canary_runs_beside_the_stable_revision_and_takes_the_tag_where_promoted() -> None:
    data = _with_version("1.30.2", {"version": "1.31.1", "promotedRegions": ["ap-southeast-1"]})
    assert _outcome(data)[0] == []
    files = render_docs(data)
    for region in REGIONS:
        promoted = region == "ap-southeast-1"
        stable, canary = _istio(files, region, "istiod"), _istio(files, region, "istiod-canary")
        assert stable["spec"]["source"]["targetRevision"] == "1.30.2"
        assert canary["spec"]["source"]["targetRevision"] == "1.31.1"
        assert canary["spec"]["source"]["helm"]["releaseName"] == "istiod-canary"
        assert _values(stable)["revision"] == "1-30-2"
        assert _values(canary)["revision"] == "1-31-1"
        assert _values(stable)["revisionTags"] == ([] if promoted else ["stable"])
        assert _values(canary)["revisionTags"] == (["stable", "canary"] if promoted else ["canary"])
        base = _istio(files, region, "istio-base")
        assert base["spec"]["source"]["targetRevision"] == "1.31.1"  # CRDs of the newest
        assert _values(base)["defaultRevision"] == ("1-31-1" if promoted else "1-30-2")
        gateway = _istio(files, region, "istio-ingressgateway")
        assert gateway["spec"]["source"]["targetRevision"] == ("1.31.1" if promoted else "1.30.2")
        assert canary["metadata"]["annotations"] == stable["metadata"]["annotations"]


def test_webhook_ca_bundles_istiod_patches_are_ignored() -> None:
    istiod = _istio(render_docs(example()), "us-east-1", "istiod")
    kinds = {d["kind"]: d["jqPathExpressions"] for d in istiod["spec"]["ignoreDifferences"]}
    assert ".webhooks[]?.clientConfig.caBundle" in kinds["MutatingWebhookConfiguration"]
    assert ".webhooks[]?.clientConfig.caBundle" in kinds["ValidatingWebhookConfiguration"]
