"""Kubernetes workload and shared objects, laid out for kustomize.

- ``k8s/base/mesh``: objects with one unprefixed name in every cluster (Namespace,
  Service) so Istio merges the regions' endpoints into one service.
- ``k8s/base/workload``: Deployment, PDB, ServiceAccount; each overlay prefixes them.
- ``k8s/overlays/<region>/workload``: the region's HPA (its own min/max) plus the base.
The kustomization.yaml files are written by :mod:`generator.sections.core.layout`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from generator import emit
from generator.section import RenderedFile
from generator.sections.core import names
from generator.sections.core.model import Core, Region, Resources
from generator.sections.mesh.names import REVISION_LABEL, STABLE_TAG

PROBE_PERIOD_SECONDS = 10
PRESTOP_SLEEP_SECONDS = 10
DRAIN_MARGIN_SECONDS = 5
PROXY_DRAIN_SECONDS = PRESTOP_SLEEP_SECONDS + DRAIN_MARGIN_SECONDS
"""istio-proxy keeps serving this long after the pod is told to stop (its default, 5 s, is
shorter than the app's preStop sleep: in-flight and late requests would fail)."""
TERMINATION_GRACE_SECONDS = PRESTOP_SLEEP_SECONDS + 35
SCRATCH = "/tmp"  # noqa: S108 - an emptyDir: the root filesystem stays read-only


def _metadata(core: Core, name: str) -> dict[str, Any]:
    return emit.metadata(
        name, namespace=names.namespace(core), labels=names.common_labels(core, names.COMPONENT)
    )


def _probe(path: str, period: int, failures: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": path, "port": names.PORT_NAME},
        "periodSeconds": period,
        "failureThreshold": failures,
    }


def resources_block(resources: Resources) -> dict[str, Any]:
    """A container's ``resources``: requests, and the limits that are set."""
    requests = {"cpu": resources.cpu_request, "memory": resources.memory_request}
    limits = {
        k: v for k, v in (("cpu", resources.cpu_limit), ("memory", resources.memory_limit)) if v
    }
    return {"requests": requests, **({"limits": limits} if limits else {})}


def _container(core: Core) -> dict[str, Any]:
    service = core.service
    health = service.health
    field_env = [
        ("POD_NAME", "metadata.name"),
        ("POD_NAMESPACE", "metadata.namespace"),
        ("REGION", f"metadata.labels['{names.REGION_LABEL}']"),
    ]
    env: list[dict[str, Any]] = [
        {"name": name, "valueFrom": {"fieldRef": {"fieldPath": path}}} for name, path in field_env
    ]
    env.append({"name": "SERVICE_NAME", "value": service.name})
    env.extend({"name": k, "value": v} for k, v in service.env)
    container: dict[str, Any] = {
        "name": names.CONTAINER,
        "image": service.image,
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"name": names.PORT_NAME, "containerPort": service.port, "protocol": "TCP"}],
        "env": env,
        "resources": resources_block(service.resources),
        "startupProbe": _probe(
            health.startup,
            PROBE_PERIOD_SECONDS,
            math.ceil(health.startup_budget_seconds / PROBE_PERIOD_SECONDS),
        ),
        "readinessProbe": _probe(health.readiness, 5, 3),
        "livenessProbe": _probe(health.liveness, PROBE_PERIOD_SECONDS, 3),
        "lifecycle": {"preStop": {"sleep": {"seconds": PRESTOP_SLEEP_SECONDS}}},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [{"name": "tmp", "mountPath": SCRATCH}],
    }
    return container


def proxy_config(drain_seconds: int) -> str:
    """The pod's ``proxy.istio.io/config``: the app starts after its sidecar, and the sidecar
    drains at least as long as the app's preStop."""
    return json.dumps(
        {"holdApplicationUntilProxyStarts": True, "terminationDrainDuration": f"{drain_seconds}s"},
        separators=(",", ":"),
    )


def _spread(core: Core, key: str) -> dict[str, Any]:
    return {
        "maxSkew": 1,
        "topologyKey": key,
        "whenUnsatisfiable": "ScheduleAnyway",
        "labelSelector": {"matchLabels": names.selector_labels(core)},
        "matchLabelKeys": ["pod-template-hash"],
    }


def deployment(core: Core) -> dict[str, Any]:
    pod_labels = {
        **names.common_labels(core),
        "app.kubernetes.io/component": "api",
        "app": core.service.name,
    }
    return {
        "metadata": _metadata(core, core.service.name),
        "spec": {
            # No replicas: the HPA owns the count (Argo CD selfHeal would fight it).
            "revisionHistoryLimit": 5,
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0},
            },
            "selector": {"matchLabels": names.selector_labels(core)},
            "template": {
                "metadata": {
                    "labels": pod_labels,
                    "annotations": {"proxy.istio.io/config": proxy_config(PROXY_DRAIN_SECONDS)},
                },
                "spec": {
                    "serviceAccountName": core.service.name,
                    # The API never calls the Kubernetes API: no token in the pod.
                    "automountServiceAccountToken": False,
                    "terminationGracePeriodSeconds": TERMINATION_GRACE_SECONDS,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "topologySpreadConstraints": [
                        _spread(core, "topology.kubernetes.io/zone"),
                        _spread(core, "kubernetes.io/hostname"),
                    ],
                    "containers": [_container(core)],
                    "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}],
                },
            },
        },
    }


def hpa(core: Core, region: Region) -> dict[str, Any]:
    return {
        "metadata": _metadata(core, core.service.name),
        "spec": {
            "scaleTargetRef": {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "name": core.service.name,
            },
            "minReplicas": region.min_replicas,
            "maxReplicas": region.max_replicas,
            "metrics": [
                {
                    # ContainerResource: the istio-proxy sidecar's CPU does not skew the average.
                    "type": "ContainerResource",
                    "containerResource": {
                        "name": "cpu",
                        "container": names.CONTAINER,
                        "target": {
                            "type": "Utilization",
                            "averageUtilization": core.service.target_cpu_utilization,
                        },
                    },
                }
            ],
            "behavior": {
                "scaleDown": {
                    "stabilizationWindowSeconds": 300,
                    "policies": [{"type": "Percent", "value": 50, "periodSeconds": 60}],
                },
                "scaleUp": {
                    "stabilizationWindowSeconds": 0,
                    "policies": [{"type": "Percent", "value": 100, "periodSeconds": 30}],
                },
            },
        },
    }


def pdb(core: Core) -> dict[str, Any]:
    return {
        "metadata": _metadata(core, core.service.name),
        "spec": {
            "maxUnavailable": core.service.max_unavailable,
            "selector": {"matchLabels": names.selector_labels(core)},
            "unhealthyPodEvictionPolicy": "AlwaysAllow",
        },
    }


def service(core: Core) -> dict[str, Any]:
    return {
        "metadata": _metadata(core, names.service_name(core)),
        "spec": {
            "type": "ClusterIP",
            "selector": names.selector_labels(core),
            "ports": [
                {
                    "name": names.PORT_NAME,
                    "port": core.service.port,
                    "targetPort": names.PORT_NAME,
                    "protocol": "TCP",
                    "appProtocol": "http",
                }
            ],
        },
    }


def namespace(core: Core) -> dict[str, Any]:
    # Injection by revision tag: the istiod revision holding the tag serves the namespace, so
    # a control-plane upgrade moves it by moving the tag (mesh.istio.canary).
    labels = {**names.common_labels(core), REVISION_LABEL: STABLE_TAG}
    return {"metadata": emit.metadata(names.namespace(core), labels=labels)}


def render(core: Core) -> Iterator[RenderedFile]:
    mesh, workload = names.BASE_MESH, names.BASE_WORKLOAD
    objects: list[tuple[str, str, str, dict[str, Any]]] = [
        (mesh, "v1", "Namespace", namespace(core)),
        (mesh, "v1", "Service", service(core)),
        (workload, "apps/v1", "Deployment", deployment(core)),
        (workload, "policy/v1", "PodDisruptionBudget", pdb(core)),
        (workload, "v1", "ServiceAccount", {"metadata": _metadata(core, core.service.name)}),
    ]
    for folder, api, kind, obj in objects:
        yield emit.yaml_file(names.object_file(folder, kind), emit.k8s(api, kind, **obj))
    for region in core.regions:
        yield emit.yaml_file(
            names.object_file(names.overlay_workload_dir(region), "HorizontalPodAutoscaler"),
            emit.k8s("autoscaling/v2", "HorizontalPodAutoscaler", **hpa(core, region)),
        )
