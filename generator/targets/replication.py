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

from generator import naming
from generator.model import Region, Resources, Spec
from generator.output import Context, RenderedFile
from generator.targets.kustomize import manifest

TARGET = "replication"
SYNC_USER = 1000
"""The Cloud CLI image runs as root by default; the sync runs as this uid instead."""
NO_SIDECAR = {"sidecar.istio.io/inject": "false"}
"""istio/istio#11659: an injected proxy never exits, so the Job would never complete."""
SCRATCH = "/tmp"  # noqa: S108 - an emptyDir: gcloud's config and logs on a read-only root


def _labels(spec: Spec, name: str, component: str) -> dict[str, str]:
    return {**naming.common_labels(spec), "app.kubernetes.io/name": name,
            "app.kubernetes.io/component": component}


def _metadata(spec: Spec, name: str, component: str,
              annotations: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": naming.namespace(spec),
                            "labels": _labels(spec, name, component)}
    if annotations:
        meta["annotations"] = annotations
    return meta


def _resources(resources: Resources) -> dict[str, Any]:
    requests = {"cpu": resources.cpu_request, "memory": resources.memory_request}
    limits = {k: v for k, v in (("cpu", resources.cpu_limit),
                                ("memory", resources.memory_limit)) if v}
    return {"requests": requests, **({"limits": limits} if limits else {})}


_CONTAINER_SECURITY = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                       "capabilities": {"drop": ["ALL"]}}


def _field_env(*pairs: tuple[str, str]) -> list[dict[str, Any]]:
    return [{"name": name, "valueFrom": {"fieldRef": {"fieldPath": path}}} for name, path in pairs]


def service_account(spec: Spec, name: str, component: str, gsa: str) -> dict[str, Any]:
    """A Workload Identity KSA: pods using it act as Google service account ``gsa``."""
    return {"metadata": _metadata(spec, name, component,
                                  {naming.WI_ANNOTATION: naming.gsa_email(spec, gsa)})}


def cronjob(spec: Spec) -> dict[str, Any]:
    """The model sync: one container per destination, all copying from the primary."""
    assert spec.replication
    sync = spec.replication.sync
    source = naming.bucket_url(spec, spec.primary)
    containers = [{
        "name": naming.sync_container(region),
        "image": sync.image,
        "imagePullPolicy": "IfNotPresent",
        "command": ["gcloud", "storage", "rsync", source, naming.bucket_url(spec, region),
                    "--recursive", "--delete-unmatched-destination-objects"],
        # Containers run side by side: each gets its own gcloud configuration folder.
        "env": [{"name": "CLOUDSDK_CONFIG",
                 "value": f"{SCRATCH}/{naming.sync_container(region)}"},
                {"name": "HOME", "value": SCRATCH}],
        "resources": _resources(sync.resources),
        "securityContext": _CONTAINER_SECURITY,
        "volumeMounts": [{"name": "scratch", "mountPath": SCRATCH}],
    } for region in spec.regions if region.role != "primary"]
    labels = {**_labels(spec, naming.MODEL_SYNC, naming.MODEL_SYNC), "app": naming.MODEL_SYNC,
              **NO_SIDECAR}
    return {
        "metadata": _metadata(spec, naming.MODEL_SYNC, naming.MODEL_SYNC),
        "spec": {
            "schedule": sync.schedule,
            "timeZone": "Etc/UTC",
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": sync.starting_deadline_seconds,
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 3,
            "jobTemplate": {"spec": {
                "backoffLimit": sync.backoff_limit,
                "activeDeadlineSeconds": sync.active_deadline_seconds,
                "ttlSecondsAfterFinished": sync.ttl_seconds_after_finished,
                "template": {
                    "metadata": {"labels": labels, "annotations": dict(NO_SIDECAR)},
                    "spec": {
                        "serviceAccountName": naming.MODEL_SYNC,
                        "restartPolicy": "Never",
                        "securityContext": {"runAsNonRoot": True, "runAsUser": SYNC_USER,
                                            "runAsGroup": SYNC_USER,
                                            "seccompProfile": {"type": "RuntimeDefault"}},
                        "containers": containers,
                        "volumes": [{"name": "scratch", "emptyDir": {"sizeLimit": "256Mi"}}],
                    },
                },
            }},
        },
    }


def _watcher_container(spec: Spec) -> dict[str, Any]:
    assert spec.replication
    watcher = spec.replication.watcher
    leader = watcher.replicas > 1
    env = _field_env(("POD_NAME", "metadata.name"), ("POD_NAMESPACE", "metadata.namespace"),
                     ("REGION", f"metadata.labels['{naming.REGION_LABEL}']"))
    env += [
        {"name": "MODEL_PATH", "value": spec.replication.path},
        {"name": "METRICS_PORT", "value": str(watcher.metrics_port)},
        {"name": "LEADER_ELECTION", "value": "true" if leader else "false"},
    ]
    if leader:
        env.append({"name": "LEADER_ELECTION_LEASE", "value": naming.WATCHER_LEASE})

    def probe(path: str, period: int) -> dict[str, Any]:
        return {"httpGet": {"path": path, "port": naming.METRICS_PORT_NAME},
                "periodSeconds": period, "failureThreshold": 3}

    return {
        "name": naming.WATCHER_CONTAINER,
        "image": watcher.image,
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"name": naming.METRICS_PORT_NAME, "containerPort": watcher.metrics_port,
                   "protocol": "TCP"}],
        "env": env,
        "resources": _resources(watcher.resources),
        "readinessProbe": probe(watcher.readiness, 5),
        "livenessProbe": probe(watcher.liveness, 10),
        "securityContext": _CONTAINER_SECURITY,
    }


def watcher_deployment(spec: Spec) -> dict[str, Any]:
    assert spec.replication
    watcher = spec.replication.watcher
    selector = {"app.kubernetes.io/name": naming.WATCHER}
    pod_labels = {**_labels(spec, naming.WATCHER, naming.WATCHER), "app": naming.WATCHER}
    return {
        "metadata": _metadata(spec, naming.WATCHER, naming.WATCHER),
        "spec": {
            # No HPA: a fixed count; with more than one, a Lease picks the active replica.
            "replicas": watcher.replicas,
            "revisionHistoryLimit": 5,
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
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
                    "serviceAccountName": naming.WATCHER,
                    "terminationGracePeriodSeconds": 30,
                    "securityContext": {"runAsNonRoot": True,
                                        "seccompProfile": {"type": "RuntimeDefault"}},
                    "topologySpreadConstraints": [{
                        "maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
                        "whenUnsatisfiable": "ScheduleAnyway",
                        "labelSelector": {"matchLabels": selector},
                        "matchLabelKeys": ["pod-template-hash"],
                    }],
                    "containers": [_watcher_container(spec)],
                },
            },
        },
    }


def watcher_pdb(spec: Spec) -> dict[str, Any]:
    return {
        "metadata": _metadata(spec, naming.WATCHER, naming.WATCHER),
        "spec": {"maxUnavailable": 1,
                 "selector": {"matchLabels": {"app.kubernetes.io/name": naming.WATCHER}},
                 "unhealthyPodEvictionPolicy": "AlwaysAllow"},
    }


def leader_role(spec: Spec) -> dict[str, Any]:
    return {
        "metadata": _metadata(spec, naming.WATCHER_LEADER_ELECTION, naming.WATCHER),
        "rules": [
            # create cannot be limited to a name (the object does not exist yet).
            {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["create"]},
            {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"],
             "resourceNames": [naming.WATCHER_LEASE], "verbs": ["get", "watch", "update"]},
        ],
    }


def leader_binding(spec: Spec) -> dict[str, Any]:
    return {
        "metadata": _metadata(spec, naming.WATCHER_LEADER_ELECTION, naming.WATCHER),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                    "name": naming.WATCHER_LEADER_ELECTION},
        "subjects": [{"kind": "ServiceAccount", "name": naming.WATCHER,
                      "namespace": naming.namespace(spec)}],
    }


def _bucket_env_patch(spec: Spec, region: Region, name: str, container: str,
                      with_path: bool) -> dict[str, Any]:
    """Strategic-merge patch: the region's bucket (env merges by name, containers too)."""
    assert spec.replication
    env = [{"name": "MODEL_BUCKET", "value": naming.bucket_name(spec, region)}]
    if with_path:
        env.append({"name": "MODEL_PATH", "value": spec.replication.path})
    return {"metadata": {"name": name, "namespace": naming.namespace(spec)},
            "spec": {"template": {"spec": {"containers": [{"name": container, "env": env}]}}}}


def render(spec: Spec, context: Context) -> Iterator[RenderedFile]:
    if spec.replication is None:
        return
    base = naming.BASE_WORKLOAD
    yield manifest(context, f"{base}/cache-invalidation-deployment.yaml", "apps/v1",
                   "Deployment", watcher_deployment(spec), target=TARGET)
    if spec.replication.watcher.replicas > 1:
        yield manifest(context, f"{base}/cache-invalidation-poddisruptionbudget.yaml",
                       "policy/v1", "PodDisruptionBudget", watcher_pdb(spec), target=TARGET)
        yield manifest(context, f"{base}/cache-invalidation-role.yaml",
                       "rbac.authorization.k8s.io/v1", "Role", leader_role(spec), target=TARGET)
        yield manifest(context, f"{base}/cache-invalidation-rolebinding.yaml",
                       "rbac.authorization.k8s.io/v1", "RoleBinding", leader_binding(spec),
                       target=TARGET)
    for region in spec.regions:
        folder = naming.overlay_workload_dir(region)
        gsa = naming.regional_gsa(spec, region)
        yield manifest(context, f"{folder}/cache-invalidation-serviceaccount.yaml", "v1",
                       "ServiceAccount", service_account(spec, naming.WATCHER, naming.WATCHER,
                                                         gsa), region, TARGET)
        yield manifest(context, f"{folder}/cache-invalidation-deployment.patch.yaml", "apps/v1",
                       "Deployment", _bucket_env_patch(spec, region, naming.WATCHER,
                                                       naming.WATCHER_CONTAINER, False),
                       region, TARGET)
        api_sa = service_account(spec, naming.service_name(spec), "api", gsa)
        api_sa["metadata"] = {k: api_sa["metadata"][k] for k in ("name", "namespace",
                                                                  "annotations")}
        yield manifest(context, f"{folder}/api-serviceaccount.patch.yaml", "v1",
                       "ServiceAccount", api_sa, region, TARGET)
        yield manifest(context, f"{folder}/api-deployment.patch.yaml", "apps/v1", "Deployment",
                       _bucket_env_patch(spec, region, naming.service_name(spec),
                                         naming.CONTAINER, True), region, TARGET)
    primary = spec.primary
    folder = naming.overlay_workload_dir(primary)
    yield manifest(context, f"{folder}/model-sync-serviceaccount.yaml", "v1", "ServiceAccount",
                   service_account(spec, naming.MODEL_SYNC, naming.MODEL_SYNC,
                                   naming.model_sync_gsa(spec)), primary, TARGET)
    yield manifest(context, f"{folder}/model-sync-cronjob.yaml", "batch/v1", "CronJob",
                   cronjob(spec), primary, TARGET)
