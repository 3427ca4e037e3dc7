"""Argo CD AppProjects, derived from what each project's Applications actually sync.

Computed once every other file is rendered (the delivery section's ``finish`` step), from
the rendered objects themselves, so a new section's objects are admitted without touching
this module:

1. every Application under ``argocd/``, and every Application the ApplicationSets generate
   (list generators, ``{{.key}}`` templates), gives its project, source repository and
   destination;
2. a source path inside the render is resolved the way Argo CD does: a folder with a
   ``kustomization.yaml`` through its ``resources`` (recursively), any other folder as a
   directory source; a Helm chart source by the objects the chart is known to contain
   (:data:`CHART_KINDS`, the Istio charts);
3. the project then permits exactly that: its source repositories; a destination for each
   (cluster, namespace) an object lands in; the cluster-scoped kinds (objects without a
   namespace: mrgen writes the namespace of every namespaced object); the namespaced kinds,
   plus the kinds their controllers create (ReplicaSets, Pods, ...: a project's namespaced
   whitelist also filters Argo CD's resource tree).

Nothing broader: no ``*`` namespace, repository or kind.

References:
- https://argo-cd.readthedocs.io/en/stable/user-guide/projects/
- https://argo-cd.readthedocs.io/en/stable/operator-manual/project-specification/
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from generator import emit
from generator.errors import fail
from generator.section import RenderedFile
from generator.sections.delivery import names
from generator.sections.delivery.model import Delivery
from generator.spec import Spec

API = "argoproj.io/v1alpha1"
KUSTOMIZATION = "kustomization.yaml"
GroupKind = tuple[str, str]
ADMISSION, RBAC = "admissionregistration.k8s.io", "rbac.authorization.k8s.io"
CHART_KINDS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    # (group, kind, cluster-scoped), from istio/istio manifests/charts/*/templates (1.31).
    "base": (
        ("apiextensions.k8s.io", "CustomResourceDefinition", True),
        (ADMISSION, "ValidatingWebhookConfiguration", True),
        (ADMISSION, "ValidatingAdmissionPolicy", True),
        (ADMISSION, "ValidatingAdmissionPolicyBinding", True),
        ("", "ServiceAccount", False),
    ),
    "istiod": (
        (RBAC, "ClusterRole", True),
        (RBAC, "ClusterRoleBinding", True),
        (ADMISSION, "MutatingWebhookConfiguration", True),
        (ADMISSION, "ValidatingWebhookConfiguration", True),
        (ADMISSION, "ValidatingAdmissionPolicy", True),
        (ADMISSION, "ValidatingAdmissionPolicyBinding", True),
        ("", "ConfigMap", False),
        ("apps", "Deployment", False),
        ("", "Service", False),
        ("discovery.k8s.io", "EndpointSlice", False),
        ("autoscaling", "HorizontalPodAutoscaler", False),
        ("networking.k8s.io", "NetworkPolicy", False),
        ("policy", "PodDisruptionBudget", False),
        (RBAC, "Role", False),
        (RBAC, "RoleBinding", False),
        ("", "ServiceAccount", False),
    ),
    "gateway": (
        ("apps", "Deployment", False),
        ("", "Service", False),
        ("autoscaling", "HorizontalPodAutoscaler", False),
        ("networking.k8s.io", "NetworkPolicy", False),
        ("policy", "PodDisruptionBudget", False),
        (RBAC, "Role", False),
        (RBAC, "RoleBinding", False),
        ("", "ServiceAccount", False),
    ),
}
CHILDREN: dict[GroupKind, tuple[GroupKind, ...]] = {
    ("apps", "Deployment"): (("apps", "ReplicaSet"),),
    ("apps", "ReplicaSet"): (("", "Pod"),),
    ("apps", "StatefulSet"): (("", "Pod"), ("apps", "ControllerRevision")),
    ("apps", "DaemonSet"): (("", "Pod"), ("apps", "ControllerRevision")),
    ("batch", "CronJob"): (("batch", "Job"),),
    ("batch", "Job"): (("", "Pod"),),
    ("", "Service"): (("", "Endpoints"), ("discovery.k8s.io", "EndpointSlice")),
}
"""What controllers create from a synced object: Argo CD shows them in the resource tree
only when the project's namespaced whitelist admits them (argoproj/argo-cd#28564)."""
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML has it: this reads every rendered file once more."""
_TEMPLATE = re.compile(r"\{\{\s*\.?([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


@dataclass(frozen=True)
class Synced:
    group: str
    kind: str
    namespace: str | None
    """None: a cluster-scoped object."""


@dataclass
class Grant:
    """What one AppProject must permit."""

    repos: set[str] = field(default_factory=set)
    destinations: set[tuple[str, str]] = field(default_factory=set)
    cluster_kinds: set[GroupKind] = field(default_factory=set)
    namespaced_kinds: set[GroupKind] = field(default_factory=set)


def _group(api_version: str) -> str:
    return api_version.rpartition("/")[0]


def _object(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("apiVersion"), str)
        and isinstance(doc.get("kind"), str)
        and isinstance(doc.get("metadata", {}), dict)
    )


def documents(files: Iterable[RenderedFile]) -> dict[str, list[dict[str, Any]]]:
    """The Kubernetes documents of every YAML file, by path (a file that does not parse is
    skipped here: the render reports it, located, when it parses every file back)."""
    out = {}
    for file in files:
        if file.documents is not None:  # serialized from these: no need to parse them back
            out[file.path] = [dict(d) for d in file.documents if _object(d)]
        elif file.path.endswith((".yaml", ".yml")):
            try:
                docs = [d for d in yaml.load_all(file.content, Loader=_LOADER) if _object(d)]
            except yaml.YAMLError:
                continue
            out[file.path] = docs
    return out


def _resolve(
    folder: str,
    docs: Mapping[str, list[dict[str, Any]]],
    recurse: bool,
    seen: frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    """The objects Argo CD applies from ``folder``: kustomize, else a directory source."""
    kustomization = posixpath.join(folder, KUSTOMIZATION)
    if kustomization in docs:
        if folder in seen:
            raise fail(kustomization, "kustomization resources form a cycle")
        (body,) = docs[kustomization]
        objects: list[dict[str, Any]] = []
        for entry in body.get("resources", []):
            target = posixpath.normpath(posixpath.join(folder, entry))
            if target in docs:
                objects.extend(docs[target])
            else:
                objects.extend(_resolve(target, docs, False, seen | {folder}))
        override = body.get("namespace")
        if override:
            objects = [
                {**o, "metadata": {**o["metadata"], "namespace": override}} if _namespace(o) else o
                for o in objects
            ]
        return objects
    prefix = folder.rstrip("/") + "/"
    return [
        d
        for path, found in sorted(docs.items())
        if path.startswith(prefix) and (recurse or "/" not in path[len(prefix) :])
        for d in found
    ]


def _substitute(value: Any, element: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        return _TEMPLATE.sub(lambda m: str(element[m.group(1)]), value)
    if isinstance(value, dict):
        return {k: _substitute(v, element) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, element) for v in value]
    return value


def applications(docs: Mapping[str, list[dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    """Every Application: written ones, and those the ApplicationSets' list generators
    make."""
    for path, found in sorted(docs.items()):
        for doc in found:
            if _group(doc.get("apiVersion", "")) != "argoproj.io":
                continue
            if doc.get("kind") == "Application":
                yield doc
            elif doc.get("kind") == "ApplicationSet":
                spec = doc["spec"]
                for generator in spec["generators"]:
                    if set(generator) != {"list"}:
                        raise fail(
                            path,
                            "mrgen derives AppProjects from list generators "
                            f"only, not {sorted(generator)}",
                        )
                    for element in generator["list"]["elements"]:
                        yield _substitute(spec["template"], element)


def _namespace(obj: Mapping[str, Any]) -> str | None:
    namespace = obj.get("metadata", {}).get("namespace")
    return str(namespace) if namespace else None


def _chart_objects(chart: str, namespace: str, where: str) -> list[Synced]:
    if chart not in CHART_KINDS:
        raise fail(
            where,
            f"chart {chart!r}: mrgen does not know its objects "
            "(CHART_KINDS), so its project cannot admit them",
        )
    return [Synced(g, k, None if cluster else namespace) for g, k, cluster in CHART_KINDS[chart]]


def _synced(
    app: dict[str, Any], delivery: Delivery, docs: Mapping[str, list[dict[str, Any]]]
) -> list[Synced]:
    spec, where = app["spec"], app["metadata"]["name"]
    source, namespace = spec["source"], spec["destination"].get("namespace", "")
    if "chart" in source:
        out = _chart_objects(source["chart"], namespace, where)
    else:
        prefix = delivery.rendered_path.rstrip("/") + "/"
        if not source["path"].startswith(prefix):
            raise fail(where, f"source path {source['path']!r} is outside the render")
        folder = source["path"][len(prefix) :]
        recurse = bool(source.get("directory", {}).get("recurse"))
        out = [
            Synced(_group(o["apiVersion"]), o["kind"], _namespace(o))
            for o in _resolve(folder, docs, recurse)
        ]
    if "CreateNamespace=true" in spec.get("syncPolicy", {}).get("syncOptions", []):
        out.append(Synced("", "Namespace", None))
    return out


def _with_children(kinds: set[GroupKind]) -> set[GroupKind]:
    out, todo = set(kinds), list(kinds)
    while todo:
        for child in CHILDREN.get(todo.pop(), ()):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def grants(delivery: Delivery, docs: Mapping[str, list[dict[str, Any]]]) -> dict[str, Grant]:
    """What every project referenced by an Application must permit."""
    out: dict[str, Grant] = {}
    for app in applications(docs):
        spec = app["spec"]
        grant = out.setdefault(spec["project"], Grant())
        destination = spec["destination"]
        cluster = destination.get("name") or destination["server"]
        namespace = destination.get("namespace", "")
        grant.repos.add(spec["source"]["repoURL"])
        grant.destinations.add((cluster, namespace))
        for obj in _synced(app, delivery, docs):
            if obj.namespace is None:
                grant.cluster_kinds.add((obj.group, obj.kind))
            else:
                grant.namespaced_kinds.add((obj.group, obj.kind))
                grant.destinations.add((cluster, obj.namespace))
    return out


def _kinds(kinds: Iterable[GroupKind]) -> list[dict[str, str]]:
    return [{"group": g, "kind": k} for g, k in sorted(kinds)]


def project(name: str, description: str, grant: Grant) -> dict[str, Any]:
    return {
        "description": description,
        "sourceRepos": sorted(grant.repos),
        "destinations": [{"name": c, "namespace": n} for c, n in sorted(grant.destinations)],
        "clusterResourceWhitelist": _kinds(grant.cluster_kinds),
        "namespaceResourceWhitelist": _kinds(_with_children(grant.namespaced_kinds)),
    }


def render(
    delivery: Delivery,
    spec: Spec,
    files: Sequence[RenderedFile],
    metadata: Callable[[str], dict[str, Any]],
) -> Iterator[RenderedFile]:
    """The AppProjects (``metadata(name)`` gives each one's metadata)."""
    purposes = names.project_names(delivery)
    descriptions = {
        "workloads": f"{spec.service.name}: the per-region overlays",
        "istio": f"{spec.service.name}: Istio in every region (Helm charts)",
        "platform": f"{spec.service.name}: Argo CD's own objects and the platform layers",
    }
    own = {purpose: names.argocd_file("AppProject", name) for purpose, name in purposes.items()}
    # The AppProjects are objects of argocd/ too: the root Application syncs them.
    docs = documents(files)
    for purpose, path in own.items():
        docs[path] = [emit.k8s(API, "AppProject", metadata(purposes[purpose]))]
    found = grants(delivery, docs)
    for purpose, name in purposes.items():
        body = project(name, descriptions[purpose], found.get(name, Grant()))
        yield emit.yaml_file(own[purpose], emit.k8s(API, "AppProject", metadata(name), spec=body))
