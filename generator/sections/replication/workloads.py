"""Model replication in the clusters: the model-sync CronJob (primary region only), the
cache-invalidation watcher (every region), and the Workload Identity ServiceAccounts.

- ``k8s/base/workload``: the watcher Deployment, its PDB and leader-election RBAC (the
  overlays prefix them like the API's objects).
- ``k8s/overlays/<region>/workload``: the watcher's ServiceAccount, and patches that give
  the API ServiceAccount its Google service account and both Deployments their bucket.
- ``k8s/overlays/<primary>/workload``: the model-sync CronJob and its ServiceAccount.
Nothing carries a key: pods authenticate through GKE Workload Identity (the
``iam.gke.io/gcp-service-account`` annotation, bound by :mod:`config_connector`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator import emit
from generator.section import RenderedFile
from generator.sections.core import names as core_names
from generator.sections.core.model import Region
from generator.sections.core.workload import resources_block
from generator.sections.replication import names
from generator.sections.replication.model import Replication
from generator.spec import Spec

SYNC_USER = 1000
"""The Cloud CLI image runs as root by default; the sync runs as this uid instead."""
NO_SIDECAR = {"sidecar.istio.io/inject": "false"}
"""istio/istio#11659: an injected proxy never exits, so the Job would never complete."""
SCRATCH = "/tmp"  # noqa: S108 - an emptyDir: gcloud's config and logs on a read-only root
SCANNER_SKIP_ANNOTATION = "checkov.io/skip1"
LEADER_NEEDS_API = "CKV_K8S_38=leader election calls the Kubernetes API (a Lease)"


def _labels(rep: Replication, spec: Spec, name: str, component: str) -> dict[str, str]:
    return {
        **core_names.common_labels(spec),
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/component": component,
    }


def _metadata(
    rep: Replication,
    spec: Spec,
    name: str,
    component: str,
    annotations: dict[str, str] | None = None,
) -> dict[str, Any]:
    return emit.metadata(
        name,
        namespace=core_names.namespace(spec),
        labels=_labels(rep, spec, name, component),
        annotations=annotations,
    )


_CONTAINER_SECURITY = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
}


def _field_env(*pairs: tuple[str, str]) -> list[dict[str, Any]]:
    return [{"name": name, "valueFrom": {"fieldRef": {"fieldPath": path}}} for name, path in pairs]


def service_account(
    rep: Replication, spec: Spec, name: str, component: str, gsa: str
) -> dict[str, Any]:
    """A Workload Identity KSA: pods using it act as Google service account ``gsa``."""
    return {
        "metadata": _metadata(
            rep, spec, name, component, {names.WI_ANNOTATION: names.gsa_email(rep, gsa)}
        )
    }


def cronjob(rep: Replication, spec: Spec) -> dict[str, Any]:
    """The model sync: one container per destination, all copying from the primary."""
    sync = rep.sync
    source = names.bucket_url(rep, spec.primary)
    containers = [
        {
            "name": names.sync_container(region),
            "image": sync.image,
            "imagePullPolicy": "IfNotPresent",
            "command": [
                "gcloud",
                "storage",
                "rsync",
                source,
                names.bucket_url(rep, region),
                "--recursive",
                "--delete-unmatched-destination-objects",
            ],
            # Containers run side by side: each gets its own gcloud configuration folder.
            "env": [
                {"name": "CLOUDSDK_CONFIG", "value": f"{SCRATCH}/{names.sync_container(region)}"},
                {"name": "HOME", "value": SCRATCH},
            ],
            "resources": resources_block(sync.resources),
            "securityContext": _CONTAINER_SECURITY,
            "volumeMounts": [{"name": "scratch", "mountPath": SCRATCH}],
        }
        for region in spec.regions
        if region.role != "primary"
    ]
    labels = {
        **_labels(rep, spec, names.MODEL_SYNC, names.MODEL_SYNC),
        "app": names.MODEL_SYNC,
        **NO_SIDECAR,
    }
    return {
        "metadata": _metadata(rep, spec, names.MODEL_SYNC, names.MODEL_SYNC),
        "spec": {
            "schedule": sync.schedule,
            "timeZone": "Etc/UTC",
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": sync.starting_deadline_seconds,
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 3,
            "jobTemplate": {
                "spec": {
                    "backoffLimit": sync.backoff_limit,
                    "activeDeadlineSeconds": sync.active_deadline_seconds,
                    "ttlSecondsAfterFinished": sync.ttl_seconds_after_finished,
                    "template": {
                        "metadata": {"labels": labels, "annotations": dict(NO_SIDECAR)},
                        "spec": {
                            "serviceAccountName": names.MODEL_SYNC,
                            # gcloud talks to Google only (Workload Identity through the GKE
                            # metadata server): no Kubernetes token in the pod.
                            "automountServiceAccountToken": False,
                            "restartPolicy": "Never",
                            "securityContext": {
                                "runAsNonRoot": True,
                                "runAsUser": SYNC_USER,
                                "runAsGroup": SYNC_USER,
                                "seccompProfile": {"type": "RuntimeDefault"},
                            },
                            "containers": containers,
                            "volumes": [{"name": "scratch", "emptyDir": {"sizeLimit": "256Mi"}}],
                        },
                    },
                }
            },
        },
    }


def _watcher_container(rep: Replication, spec: Spec) -> dict[str, Any]:
    watcher = rep.watcher
    leader = watcher.replicas > 1
    env = _field_env(
        ("POD_NAME", "metadata.name"),
        ("POD_NAMESPACE", "metadata.namespace"),
        ("REGION", f"metadata.labels['{core_names.REGION_LABEL}']"),
    )
    env += [
        {"name": "MODEL_PATH", "value": rep.path},
        {"name": "METRICS_PORT", "value": str(watcher.metrics_port)},
        {"name": "LEADER_ELECTION", "value": "true" if leader else "false"},
    ]
    if leader:
        env.append({"name": "LEADER_ELECTION_LEASE", "value": names.WATCHER_LEASE})

    def probe(path: str, period: int) -> dict[str, Any]:
        return {
            "httpGet": {"path": path, "port": names.METRICS_PORT_NAME},
            "periodSeconds": period,
            "failureThreshold": 3,
        }

    return {
        "name": names.WATCHER_CONTAINER,
        "image": watcher.image,
        "imagePullPolicy": "IfNotPresent",
        "ports": [
            {
                "name": names.METRICS_PORT_NAME,
                "containerPort": watcher.metrics_port,
                "protocol": "TCP",
            }
        ],
        "env": env,
        "resources": resources_block(watcher.resources),
        "readinessProbe": probe(watcher.readiness, 5),
        "livenessProbe": probe(watcher.liveness, 10),
        "securityContext": _CONTAINER_SECURITY,
    }


def watcher_deployment(rep: Replication, spec: Spec) -> dict[str, Any]:
    watcher = rep.watcher
    leader = watcher.replicas > 1
    selector = {"app.kubernetes.io/name": names.WATCHER}
    pod_labels = {**_labels(rep, spec, names.WATCHER, names.WATCHER), "app": names.WATCHER}
    # The one pod that calls the Kubernetes API (its Lease): it keeps its token, and says so
    # to scanners (Checkov reads checkov.io/skip annotations).
    annotations = {SCANNER_SKIP_ANNOTATION: LEADER_NEEDS_API} if leader else None
    return {
        "metadata": _metadata(rep, spec, names.WATCHER, names.WATCHER, annotations),
        "spec": {
            # No HPA: a fixed count; with more than one, a Lease picks the active replica.
            "replicas": watcher.replicas,
            "revisionHistoryLimit": 5,
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
            },
            "selector": {"matchLabels": selector},
            "template": {
                "metadata": {
                    "labels": pod_labels,
                    "annotations": {
                        "proxy.istio.io/config": '{"holdApplicationUntilProxyStarts": true}',
                        "prometheus.io/scrape": "true",
                        "prometheus.io/port": str(watcher.metrics_port),
                        "prometheus.io/path": "/metrics",
                    },
                },
                "spec": {
                    "serviceAccountName": names.WATCHER,
                    # Leader election reads and renews a Lease: only then a token is needed.
                    "automountServiceAccountToken": leader,
                    "terminationGracePeriodSeconds": 30,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "topologySpreadConstraints": [
                        {
                            "maxSkew": 1,
                            "topologyKey": "topology.kubernetes.io/zone",
                            "whenUnsatisfiable": "ScheduleAnyway",
                            "labelSelector": {"matchLabels": selector},
                            "matchLabelKeys": ["pod-template-hash"],
                        }
                    ],
                    "containers": [_watcher_container(rep, spec)],
                },
            },
        },
    }


def watcher_pdb(rep: Replication, spec: Spec) -> dict[str, Any]:
    return {
        "metadata": _metadata(rep, spec, names.WATCHER, names.WATCHER),
        "spec": {
            "maxUnavailable": 1,
            "selector": {"matchLabels": {"app.kubernetes.io/name": names.WATCHER}},
            "unhealthyPodEvictionPolicy": "AlwaysAllow",
        },
    }


def leader_role(rep: Replication, spec: Spec) -> dict[str, Any]:
    return {
        "metadata": _metadata(rep, spec, names.WATCHER_LEADER_ELECTION, names.WATCHER),
        "rules": [
            # create cannot be limited to a name (the object does not exist yet).
            {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["create"]},
            {
                "apiGroups": ["coordination.k8s.io"],
                "resources": ["leases"],
                "resourceNames": [names.WATCHER_LEASE],
                "verbs": ["get", "watch", "update"],
            },
        ],
    }


def leader_binding(rep: Replication, spec: Spec) -> dict[str, Any]:
    return {
        "metadata": _metadata(rep, spec, names.WATCHER_LEADER_ELECTION, names.WATCHER),
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "Role",
            "name": names.WATCHER_LEADER_ELECTION,
        },
        "subjects": [
            {
                "kind": "ServiceAccount",
                "name": names.WATCHER,
                "namespace": core_names.namespace(spec),
            }
        ],
    }


def _bucket_env_patch(
    rep: Replication, spec: Spec, region: Region, name: str, container: str, with_path: bool
) -> dict[str, Any]:
    """Strategic-merge patch: the region's bucket (env merges by name, containers too)."""
    env = [{"name": "MODEL_BUCKET", "value": names.bucket_name(rep, region)}]
    if with_path:
        env.append({"name": "MODEL_PATH", "value": rep.path})
    return {
        "metadata": {"name": name, "namespace": core_names.namespace(spec)},
        "spec": {"template": {"spec": {"containers": [{"name": container, "env": env}]}}},
    }


def render(rep: Replication, spec: Spec) -> Iterator[RenderedFile]:
    def out(
        folder: str, component: str, api: str, kind: str, obj: dict[str, Any], patch: bool = False
    ) -> RenderedFile:
        path = core_names.component_file(folder, component, kind, patch=patch)
        return emit.yaml_file(path, emit.k8s(api, kind, **obj))

    base, rbac = core_names.BASE_WORKLOAD, "rbac.authorization.k8s.io/v1"
    watcher = names.WATCHER
    yield out(base, watcher, "apps/v1", "Deployment", watcher_deployment(rep, spec))
    if rep.watcher.replicas > 1:
        yield out(
            base,
            watcher,
            "policy/v1",
            "PodDisruptionBudget",
            watcher_pdb(rep, spec),
        )
        yield out(base, watcher, rbac, "Role", leader_role(rep, spec))
        yield out(base, watcher, rbac, "RoleBinding", leader_binding(rep, spec))
    for region in spec.regions:
        folder = core_names.overlay_workload_dir(region)
        gsa = names.regional_gsa(rep, region)
        yield out(
            folder,
            watcher,
            "v1",
            "ServiceAccount",
            service_account(rep, spec, watcher, watcher, gsa),
        )
        yield out(
            folder,
            watcher,
            "apps/v1",
            "Deployment",
            _bucket_env_patch(rep, spec, region, watcher, names.WATCHER_CONTAINER, False),
            patch=True,
        )
        api_sa = service_account(rep, spec, core_names.service_name(spec), "api", gsa)
        api_sa["metadata"] = {
            k: api_sa["metadata"][k] for k in ("name", "namespace", "annotations")
        }
        yield out(folder, "api", "v1", "ServiceAccount", api_sa, patch=True)
        yield out(
            folder,
            "api",
            "apps/v1",
            "Deployment",
            _bucket_env_patch(
                rep, spec, region, core_names.service_name(spec), core_names.CONTAINER, True
            ),
            patch=True,
        )
    folder = core_names.overlay_workload_dir(spec.primary)
    yield out(
        folder,
        names.MODEL_SYNC,
        "v1",
        "ServiceAccount",
        service_account(rep, spec, names.MODEL_SYNC, names.MODEL_SYNC, names.model_sync_gsa(rep)),
    )
    yield out(folder, names.MODEL_SYNC, "batch/v1", "CronJob", cronjob(rep, spec))
