"""The seam checker's model of a rendered tree: kustomize, ApplicationSets, PromQL, Argo CD
project logic, rule registry and documentation."""

from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import seams
from generator.outcheck.documents import Document
from generator.seams import appset, argoproject, kustomize, placement, promql, selectors
from generator.seams.tree import Obj, load
from tests.conftest import RENDERED, REPO, require_tool
from tests.seam_helpers import cluster, obj, write


def _key(data: dict[str, Any]) -> tuple[str, str, str, str]:
    meta = data["metadata"]
    return data["apiVersion"], data["kind"], meta.get("namespace", ""), meta["name"]


def test_resolver_builds_every_root_of_the_example_like_kubectl() -> None:
    kubectl = require_tool("kubectl")
    tree = load(RENDERED, str(RENDERED))
    roots = placement.roots(tree)
    assert len(roots) == 7
    for folder in roots:
        resolved = kustomize.resolve(tree, folder)
        assert resolved.unsupported == []
        out = subprocess.run(
            [kubectl, "kustomize", folder], capture_output=True, text=True, check=True, timeout=60
        ).stdout
        built = {_key(d): d for d in yaml.safe_load_all(out) if d}
        ours = {_key(p.data): p.data for p in resolved.pieces}
        assert ours == built, folder


def test_resolved_objects_point_at_the_patch_that_sets_a_field() -> None:
    tree = seams.read(RENDERED, "rendered")
    gateway = next(o for o in tree.placed if o.kind == "Gateway" and o.cluster == "eu-west-1")
    assert [d.file for d in gateway.docs] == [
        "rendered/k8s/base/mesh/gateway.yaml",
        "rendered/k8s/overlays/eu-west-1/gateway.patch.yaml",
    ]
    document, _ = gateway.where(("spec", "servers", 0, "hosts"))
    assert document.file.endswith("eu-west-1/gateway.patch.yaml")
    document, _ = gateway.where(("spec", "selector"))
    assert document.file.endswith("base/mesh/gateway.yaml")


def test_placement_of_the_example() -> None:
    tree = seams.read(RENDERED, "rendered")
    assert tree.clusters == ["ap-southeast-1", "eu-west-1", "us-east-1"]
    generated = {p.app.name: p for p in tree.placements if p.app.prefix}
    assert sorted(generated) == [
        "fingerprint-api-ap-southeast-1",
        "fingerprint-api-eu-west-1",
        "fingerprint-api-us-east-1",
    ]
    us = generated["fingerprint-api-us-east-1"]
    assert us.folders == ["rendered/k8s/overlays/us-east-1"]
    assert {o.name for o in us.objects if o.kind == "CronJob"} == {"us-east-1-model-sync"}
    istio = next(p for p in tree.placements if p.app.name == "us-east-1-istiod")
    assert istio.opaque == ["istiod"]
    assert [o.kind for o in istio.objects] == ["Namespace"]  # CreateNamespace=true


def test_kustomize_features_the_resolver_supports(tmp_path: Path) -> None:
    base = tmp_path / "base"
    write(
        base,
        "deploy.yaml",
        obj(
            "apps/v1",
            "Deployment",
            "web",
            None,
            spec={
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {
                        "serviceAccountName": "web",
                        "containers": [
                            {"name": "web", "image": "a", "env": [{"name": "A", "value": "1"}]}
                        ],
                    },
                },
            },
        ),
    )
    write(base, "sa.yaml", obj("v1", "ServiceAccount", "web", None))
    write(base, "kustomization.yaml", {"resources": ["deploy.yaml", "sa.yaml"]})
    overlay = tmp_path / "prod"
    write(
        overlay,
        "patch.yaml",
        [{"op": "replace", "value": "b", "path": "/spec/template/spec/containers/0/image"}],
    )
    write(
        overlay,
        "kustomization.yaml",
        {
            "resources": ["../base"],
            "namespace": "shop",
            "namePrefix": "prod-",
            "commonAnnotations": {"team": "x"},
            "labels": [{"pairs": {"env": "prod"}, "includeSelectors": True}],
            "patches": [
                {"path": "patch.yaml", "target": {"kind": "Deployment", "name": "web"}},
                {
                    "patch": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
                    "spec:\n  template:\n    spec:\n      containers:\n"
                    "      - name: web\n        env:\n        - name: B\n"
                    "          value: '2'\n"
                },
            ],
        },
    )
    tree = load(tmp_path, str(tmp_path))
    pieces = {p.data["kind"]: p.data for p in kustomize.resolve(tree, str(overlay)).pieces}
    deploy = pieces["Deployment"]
    assert deploy["metadata"] == {
        "name": "prod-web",
        "namespace": "shop",
        "labels": {"env": "prod"},
        "annotations": {"team": "x"},
    }
    assert deploy["spec"]["selector"]["matchLabels"] == {"app": "web", "env": "prod"}
    container = deploy["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "b"
    assert [e["name"] for e in container["env"]] == ["B", "A"]
    assert deploy["spec"]["template"]["spec"]["serviceAccountName"] == "prod-web"
    assert pieces["ServiceAccount"]["metadata"]["name"] == "prod-web"


def _appset(spec: dict[str, Any]) -> Obj:
    data = obj("argoproj.io/v1alpha1", "ApplicationSet", "set", "argocd", spec=spec)
    return Obj(data, (Document("set.yaml", 1, data),), "argocd")


def test_applicationset_generators_and_templates(tmp_path: Path) -> None:
    cluster(
        tmp_path,
        "argocd",
        *[
            obj(
                "v1",
                "Secret",
                f"c-{n}",
                "argocd",
                metadata={"labels": {"argocd.argoproj.io/secret-type": "cluster", "tier": tier}},
                stringData={"name": n, "server": f"https://{n}"},
            )
            for n, tier in (("a", "prod"), ("b", "dev"))
        ],
    )
    tree = load(tmp_path, str(tmp_path))
    template = {
        "metadata": {"name": "app-{{name}}-{{env}}"},
        "spec": {"destination": {"server": "{{server}}"}},
    }
    generated = [
        a.name
        for _, a in appset.generate(
            tree,
            _appset(
                {
                    "generators": [
                        {
                            "matrix": {
                                "generators": [
                                    {"clusters": {"selector": {"matchLabels": {"tier": "prod"}}}},
                                    {"list": {"elements": [{"env": "x"}, {"env": "y"}]}},
                                ]
                            }
                        }
                    ],
                    "template": template,
                }
            ),
        )
    ]
    assert generated == ["app-a-x", "app-a-y"]
    go = [
        a.spec["destination"]
        for _, a in appset.generate(
            tree,
            _appset(
                {
                    "goTemplate": True,
                    "generators": [{"clusters": {}}],
                    "template": {
                        "metadata": {"name": "{{ .name }}-{{.metadata.labels.tier}}"},
                        "spec": {"destination": {"name": "{{.name}}", "namespace": "{{.nope}}"}},
                    },
                }
            ),
        )
    ]
    assert go == [{"name": "a", "namespace": "{{.nope}}"}, {"name": "b", "namespace": "{{.nope}}"}]
    assert appset.unsupported(_appset({"generators": [{"git": {}}]}), tree) == ["git"]


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (
            'sum by (job) (rate(http_requests_total{job="api",code=~"5.."}[5m])) / on(job) '
            "group_left sum(rate(x[5m] offset 1h))",
            [("http_requests_total", (("job", "=", "api"), ("code", "=~", "5.."))), ("x", ())],
        ),
        ('{__name__="up", job!="b"} or vector(0)', [("up", (("job", "!=", "b"),))]),
        ("histogram_quantile(0.9, sum without (pod) (h_bucket)) > bool 1", [("h_bucket", ())]),
    ],
)
def test_promql_selectors(expr: str, expected: list[tuple[str, tuple[Any, ...]]]) -> None:
    found = [
        (s.metric, tuple((m.label, m.op, m.value) for m in s.matchers))
        for s in promql.selectors(expr)
    ]
    assert found == expected


def test_argo_cd_globs_and_project_logic() -> None:
    assert selectors.glob("https://git.example.com/*", "https://git.example.com/a", "/")
    assert not selectors.glob("https://git.example.com/*", "https://git.example.com/a/b", "/")
    assert selectors.glob("https://git.example.com/**", "https://git.example.com/a/b", "/")
    assert selectors.glob("{a,b}-*", "b-x") and not selectors.glob("[!a]*", "ab")
    project = Obj(
        obj(
            "argoproj.io/v1alpha1",
            "AppProject",
            "p",
            "argocd",
            spec={
                "sourceRepos": ["*", "!git@github.com:evil/*"],
                "destinations": [
                    {"name": "*", "namespace": "team-*"},
                    {"server": "*", "namespace": "!kube-system"},
                ],
                "namespaceResourceWhitelist": [],
                "clusterResourceWhitelist": [{"group": "", "kind": "Namespace", "name": "team-*"}],
            },
        ),
        (),
    )
    assert argoproject.source_permitted(project, "https://github.com/good/repo.git")
    assert not argoproject.source_permitted(project, "git@github.com:evil/repo.git")
    assert argoproject.destination_permitted(project, "c", "", "team-a")
    assert not argoproject.destination_permitted(project, "", "https://x", "kube-system")
    assert not argoproject.kind_permitted(project, "apps", "Deployment", "x", namespaced=True)
    assert argoproject.kind_permitted(project, "", "Namespace", "team-a", namespaced=False)
    assert not argoproject.kind_permitted(project, "", "Namespace", "other", namespaced=False)
    open_project = Obj(obj("argoproj.io/v1alpha1", "AppProject", "q", "argocd", spec={}), ())
    assert argoproject.kind_permitted(open_project, "apps", "Deployment", "x", namespaced=True)
    assert not argoproject.kind_permitted(open_project, "", "Namespace", "x", namespaced=False)


def test_rule_selection() -> None:
    assert [r.id for r in seams.select(["dns-*", "scrape-once"])] == [
        "dns-name-served",
        "scrape-once",
    ]
    assert seams.select(skip=["*"]) == []
    assert len(seams.select()) == len(seams.RULES)
    with pytest.raises(seams.UnknownRule, match="'dns' matches no seam rule"):
        seams.select(["dns"])


def test_every_rule_is_documented_referenced_and_small() -> None:
    page = (REPO / "docs" / "seams.md").read_text(encoding="utf-8")
    ids = [r.id for r in seams.RULES]
    assert len(set(ids)) == len(ids)
    for rule in seams.RULES:
        assert rule.reference.startswith("https://"), rule.id
        assert rule.description.endswith("."), rule.id
        assert f"### `{rule.id}`" in page, f"docs/seams.md does not list {rule.id}"
        assert rule.reference in page, f"docs/seams.md lacks the reference of {rule.id}"
        module = REPO / "generator" / "seams" / "rules" / (rule.id.replace("-", "_") + ".py")
        source = module.read_text(encoding="utf-8")
        docstring = ast.get_docstring(ast.parse(source)) or ""
        assert docstring.startswith(f"{rule.id}:") and "https://" in docstring, rule.id
    for module in (REPO / "generator" / "seams").rglob("*.py"):
        assert len(module.read_text().splitlines()) < 400, module


def test_json_documents_keep_their_positions() -> None:
    tree = load(RENDERED, "rendered")
    batch = tree.by_file["rendered/route53/change-batch.json"][0]
    assert batch.where(("Changes", 0, "ResourceRecordSet", "Name")) == (6, 17)
    assert json.loads((RENDERED / "route53/change-batch.json").read_text()) == batch.data
