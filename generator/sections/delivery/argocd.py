"""Argo CD objects (``argocd/``), synced to the platform cluster by a root Application.

Layout and order (``argocd.argoproj.io/sync-wave`` inside the root Application's sync):
- wave -3: the AppProjects (workloads, Istio install, platform), derived from what their
  Applications sync once everything else is rendered (:mod:`projects`);
- waves -2/-1/0: per region cluster, Istio's Helm charts base, istiod and gateway;
- wave 1: the workload ApplicationSet (one Application per region overlay) and one
  Application per platform layer.
The root Application itself is applied once by hand and then manages this folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator import emit
from generator.section import RenderedFile
from generator.sections.core import names as core_names
from generator.sections.core.model import Region
from generator.sections.delivery import names
from generator.sections.delivery.model import DELIVERY, Delivery
from generator.sections.mesh import names as mesh_names
from generator.sections.mesh.model import MESH, Mesh
from generator.spec import Spec

API = "argoproj.io/v1alpha1"
PROJECT_WAVE = -3
ISTIO_WAVES = {"base": -2, "istiod": -1, "gateway": 0}
WORKLOAD_WAVE = 1
PLATFORM_WAVE = 1
RETRY = {"limit": 5, "backoff": {"duration": "10s", "factor": 2, "maxDuration": "3m"}}
# istiod fills these in at run time (the validating webhook's caBundle and failurePolicy,
# the injection and revision-tag webhooks' caBundle); without ignoring them selfHeal would
# fight it (argoproj/argo-cd#1487).
WEBHOOK_DRIFT = [
    {
        "group": "admissionregistration.k8s.io",
        "kind": "ValidatingWebhookConfiguration",
        "jqPathExpressions": [".webhooks[]?.clientConfig.caBundle", ".webhooks[]?.failurePolicy"],
    },
    {
        "group": "admissionregistration.k8s.io",
        "kind": "MutatingWebhookConfiguration",
        "jqPathExpressions": [".webhooks[]?.clientConfig.caBundle"],
    },
]


def _parts(spec: Spec) -> tuple[Mesh, Delivery]:
    return spec[MESH], spec[DELIVERY]


def project_metadata(spec: Spec, name: str) -> dict[str, Any]:
    return _metadata(spec, name, PROJECT_WAVE)


def _metadata(
    spec: Spec, name: str, wave: int | None, extra_labels: dict[str, str] | None = None
) -> dict[str, Any]:
    _, delivery = _parts(spec)
    return emit.metadata(
        name,
        namespace=delivery.namespace,
        labels={**core_names.common_labels(spec), **(extra_labels or {})},
        annotations={names.SYNC_WAVE: str(wave)} if wave is not None else None,
    )


def _automated(extra_options: list[str]) -> dict[str, Any]:
    return {
        "automated": {"prune": True, "selfHeal": True, "allowEmpty": False},
        "syncOptions": extra_options,
        "retry": RETRY,
    }


def _git_source(spec: Spec, path: str) -> dict[str, Any]:
    _, delivery = _parts(spec)
    return {"repoURL": delivery.repo_url, "targetRevision": delivery.target_revision, "path": path}


def rolling_sync(delivery: Delivery) -> dict[str, Any]:
    """Region by region (Argo CD Progressive Syncs): each step selects its regions'
    Applications by label and waits for them to be Healthy before the next one starts;
    ``maxUpdate`` bounds how many of a step update at once. Needs progressive syncs enabled
    in the ApplicationSet controller; it then syncs the Applications itself (their automated
    policy is turned off, and Argo CD logs a warning for it)."""
    rollout = delivery.rollout
    return {
        "type": "RollingSync",
        "rollingSync": {
            "steps": [
                {
                    "matchExpressions": [
                        {"key": core_names.REGION_LABEL, "operator": "In", "values": list(step)}
                    ],
                    "maxUpdate": rollout.max_update,
                }
                for step in rollout.steps
            ]
        },
    }


def workload_applicationset(spec: Spec) -> dict[str, Any]:
    region_label = {core_names.REGION_LABEL: "{{.region}}"}
    return {
        "metadata": _metadata(spec, names.workload_applicationset_name(spec), WORKLOAD_WAVE),
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [
                {
                    "list": {
                        "elements": [
                            {"region": r.name, "cluster": r.cluster}
                            for r in sorted(spec.regions, key=lambda r: r.name)
                        ]
                    }
                }
            ],
            # Deleting the ApplicationSet must never delete the production workloads.
            "syncPolicy": {"preserveResourcesOnDeletion": True},
            "strategy": rolling_sync(spec[DELIVERY]),
            "template": {
                "metadata": {
                    # RollingSync steps select these Applications by their region label.
                    "name": names.workload_application_name_template(spec),
                    "labels": {**core_names.common_labels(spec), **region_label},
                },
                "spec": {
                    "project": names.project_names(spec[DELIVERY])["workloads"],
                    # The overlay already carries the namePrefix: no kustomize options here.
                    "source": _git_source(spec, names.overlay_source_template(spec[DELIVERY])),
                    "destination": {
                        "name": "{{.cluster}}",
                        "namespace": core_names.namespace(spec),
                    },
                    # CreateNamespace=false: the overlay ships the labelled Namespace.
                    "syncPolicy": _automated(["CreateNamespace=false", "PruneLast=true"]),
                },
            },
        },
    }


def _istio_values(spec: Spec, region: Region, chart: str, canary: bool = False) -> dict[str, Any]:
    mesh, _ = _parts(spec)
    istio = mesh.istio
    if chart == "base":
        # The default validating webhook goes to the revision serving the workloads.
        stable = mesh_names.revision(mesh_names.stable_version(mesh, region))
        return {"defaultRevision": stable, "global": {"istioNamespace": istio.namespace}}
    if chart == "istiod":
        return {
            **_revision_values(mesh, region, canary),
            "global": {
                "istioNamespace": istio.namespace,
                "meshID": istio.mesh_id,
                "multiCluster": {"clusterName": region.cluster},
                "network": mesh_names.mesh_network(mesh, region),
            },
        }
    # The gateway chart puts `labels` on its pods and Service: the Gateway selector matches.
    # Its pods select the stable tag, so they move to a new revision when the tag does.
    return {"labels": dict(mesh.gateway.selector), "revision": mesh_names.STABLE_TAG}


def _revision_values(mesh: Mesh, region: Region, canary: bool) -> dict[str, Any]:
    """istiod as a revision named after its version, with the revision tags it holds: the
    stable one serves the ``stable`` tag until the region is promoted to the canary."""
    moved = mesh_names.promoted(mesh, region)
    if canary:
        version = mesh.istio.canary.version if mesh.istio.canary else mesh.istio.version
        tags = [mesh_names.STABLE_TAG, mesh_names.CANARY_TAG] if moved else [mesh_names.CANARY_TAG]
    else:
        version, tags = mesh.istio.version, [] if moved else [mesh_names.STABLE_TAG]
    return {"revision": mesh_names.revision(version), "revisionTags": tags}


def _chart_version(mesh: Mesh, region: Region, chart: str, canary: bool) -> str:
    canary_version = mesh.istio.canary.version if mesh.istio.canary else None
    if chart == "base":
        return mesh_names.newest_version(mesh)  # CRDs first: they stay backward compatible
    if chart == "gateway":
        return mesh_names.stable_version(mesh, region)
    return canary_version if canary and canary_version else mesh.istio.version


def istio_application(
    spec: Spec, region: Region, chart: str, canary: bool = False
) -> dict[str, Any]:
    mesh, _ = _parts(spec)
    namespace = mesh.gateway.namespace if chart == "gateway" else mesh.istio.namespace
    sync = _automated(
        ["CreateNamespace=true", "ServerSideApply=true", "RespectIgnoreDifferences=true"]
    )
    if chart == "base":  # the first chart creates istio-system: label it with the network
        sync["managedNamespaceMetadata"] = {
            "labels": {"topology.istio.io/network": mesh_names.mesh_network(mesh, region)}
        }
    release = mesh_names.CANARY_ISTIOD_RELEASE if canary else mesh_names.ISTIO_RELEASES[chart]
    body: dict[str, Any] = {
        "project": names.project_names(spec[DELIVERY])["istio"],
        "source": {
            "repoURL": mesh.istio.helm_repo,
            "chart": chart,
            "targetRevision": _chart_version(mesh, region, chart, canary),
            "helm": {
                "releaseName": release,
                "valuesObject": _istio_values(spec, region, chart, canary),
            },
        },
        "destination": {"name": region.cluster, "namespace": namespace},
        "syncPolicy": sync,
    }
    if chart != "gateway":
        body["ignoreDifferences"] = WEBHOOK_DRIFT
    return {
        "metadata": _metadata(
            spec,
            names.istio_application_name(region, chart, canary),
            ISTIO_WAVES[chart],
            {core_names.REGION_LABEL: region.name},
        ),
        "spec": body,
    }


def platform_application(spec: Spec, layer: str) -> dict[str, Any]:
    _, delivery = _parts(spec)
    return {
        "metadata": _metadata(spec, names.platform_application_name(spec, layer), PLATFORM_WAVE),
        "spec": {
            "project": names.project_names(spec[DELIVERY])["platform"],
            "source": _git_source(
                spec, names.rendered_source(delivery, core_names.platform_dir(layer))
            ),
            "destination": {
                "name": delivery.platform_cluster,
                "namespace": core_names.namespace(spec),
            },
            "syncPolicy": _automated(["CreateNamespace=false", "PruneLast=true"]),
        },
    }


def root_application(spec: Spec) -> dict[str, Any]:
    _, delivery = _parts(spec)
    source = _git_source(spec, names.rendered_source(delivery, names.ARGOCD))
    source["directory"] = {"recurse": True}
    return {
        "metadata": _metadata(spec, names.root_application_name(spec), None),
        "spec": {
            "project": names.project_names(spec[DELIVERY])["platform"],
            "source": source,
            "destination": {"name": delivery.platform_cluster, "namespace": delivery.namespace},
            "syncPolicy": _automated(["PruneLast=true"]),
        },
    }


def render(delivery: Delivery, spec: Spec) -> Iterator[RenderedFile]:
    def out(kind: str, obj: dict[str, Any], path: str | None = None) -> RenderedFile:
        return emit.yaml_file(
            path or names.argocd_file(kind, obj["metadata"]["name"]), emit.k8s(API, kind, **obj)
        )

    yield out("Application", root_application(spec), names.root_file())
    yield out("ApplicationSet", workload_applicationset(spec))
    canaries = (False, True) if spec[MESH].istio.canary else (False,)
    for region in spec.regions:
        for chart in mesh_names.ISTIO_CHARTS:
            for canary in canaries if chart == "istiod" else (False,):
                yield out(
                    "Application",
                    istio_application(spec, region, chart, canary),
                    names.istio_application_file(region, chart, canary),
                )
    for layer in spec.layers:
        yield out(
            "Application", platform_application(spec, layer), names.platform_application_file(layer)
        )
