"""Kubernetes workload and shared objects, laid out for kustomize.

- ``k8s/base/mesh``: objects with one unprefixed name in every cluster (Namespace,
  Service) so Istio merges the regions' endpoints into one service.
- ``k8s/base/workload``: Deployment, PDB, ServiceAccount; each overlay prefixes them.
- ``k8s/overlays/<region>/workload``: the region's HPA (its own min/max) plus the base.
The kustomization.yaml files are written by :mod:`generator.targets.kustomization`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from generator import naming
from generator.model import Region, Spec
from generator.output import Context, RenderedFile

TARGET = "kustomize"
PROBE_PERIOD_SECONDS = 10
PRESTOP_SLEEP_SECONDS = 10


def _metadata(spec: Spec, name: str, component: str | None = None) -> dict[str, Any]:
    labels = naming.common_labels(spec)
    if component:
        labels["app.kubernetes.io/component"] = component
    return {"name": name, "namespace": naming.namespace(spec), "labels": labels}


def _probe(path: str, period: int, failures: int) -> dict[str, Any]:
    return {"httpGet": {"path": path, "port": naming.PORT_NAME},
            "periodSeconds": period, "failureThreshold": failures}


def _container(spec: Spec) -> dict[str, Any]:
    service = spec.service
    health = service.health
    requests = {"cpu": service.resources.cpu_request, "memory": service.resources.memory_request}
    limits = {k: v for k, v in (("cpu", service.resources.cpu_limit),
                                ("memory", service.resources.memory_limit)) if v}
    field_env = [
        ("POD_NAME", "metadata.name"),
        ("POD_NAMESPACE", "metadata.namespace"),
        ("REGION", f"metadata.labels['{naming.REGION_LABEL}']"),
    ]
    env: list[dict[str, Any]] = [
        {"name": name, "valueFrom": {"fieldRef": {"fieldPath": path}}} for name, path in field_env
    ]
    env.append({"name": "SERVICE_NAME", "value": service.name})
    env.extend({"name": k, "value": v} for k, v in service.env)
    container: dict[str, Any] = {
        "name": naming.CONTAINER,
        "image": service.image,
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"name": naming.PORT_NAME, "containerPort": service.port, "protocol": "TCP"}],
        "env": env,
        "resources": {"requests": requests, **({"limits": limits} if limits else {})},
        "startupProbe": _probe(health.startup, PROBE_PERIOD_SECONDS,
                               math.ceil(health.startup_budget_seconds / PROBE_PERIOD_SECONDS)),
        "readinessProbe": _probe(health.readiness, 5, 3),
        "livenessProbe": _probe(health.liveness, PROBE_PERIOD_SECONDS, 3),
        "lifecycle": {"preStop": {"sleep": {"seconds": PRESTOP_SLEEP_SECONDS}}},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
    }
    return container


def _spread(spec: Spec, key: str) -> dict[str, Any]:
    return {
        "maxSkew": 1,
        "topologyKey": key,
        "whenUnsatisfiable": "ScheduleAnyway",
        "labelSelector": {"matchLabels": naming.selector_labels(spec)},
        "matchLabelKeys": ["pod-template-hash"],
    }


def deployment(spec: Spec) -> dict[str, Any]:
    pod_labels = {**naming.common_labels(spec), "app.kubernetes.io/component": "api",
                  "app": spec.service.name}
    return {
        "metadata": _metadata(spec, spec.service.name, "api"),
        "spec": {
            # No replicas: the HPA owns the count (Argo CD selfHeal would fight it).
            "revisionHistoryLimit": 5,
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
            "selector": {"matchLabels": naming.selector_labels(spec)},
            "template": {
                "metadata": {
                    "labels": pod_labels,
                    "annotations": {
                        "proxy.istio.io/config": '{"holdApplicationUntilProxyStarts": true}',
                    },
                },
                "spec": {
                    "serviceAccountName": spec.service.name,
                    "terminationGracePeriodSeconds": PRESTOP_SLEEP_SECONDS + 35,
                    "securityContext": {"runAsNonRoot": True,
                                        "seccompProfile": {"type": "RuntimeDefault"}},
                    "topologySpreadConstraints": [
                        _spread(spec, "topology.kubernetes.io/zone"),
                        _spread(spec, "kubernetes.io/hostname"),
                    ],
                    "containers": [_container(spec)],
                },
            },
        },
    }


def hpa(spec: Spec, region: Region) -> dict[str, Any]:
    return {
        "metadata": _metadata(spec, spec.service.name, "api"),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                               "name": spec.service.name},
            "minReplicas": region.min_replicas,
            "maxReplicas": region.max_replicas,
            "metrics": [{
                # ContainerResource: the istio-proxy sidecar's CPU does not skew the average.
                "type": "ContainerResource",
                "containerResource": {
                    "name": "cpu",
                    "container": naming.CONTAINER,
                    "target": {"type": "Utilization",
                               "averageUtilization": spec.service.target_cpu_utilization},
                },
            }],
            "behavior": {
                "scaleDown": {"stabilizationWindowSeconds": 300,
                              "policies": [{"type": "Percent", "value": 50, "periodSeconds": 60}]},
                "scaleUp": {"stabilizationWindowSeconds": 0,
                            "policies": [{"type": "Percent", "value": 100, "periodSeconds": 30}]},
            },
        },
    }


def pdb(spec: Spec) -> dict[str, Any]:
    return {
        "metadata": _metadata(spec, spec.service.name, "api"),
        "spec": {
            "maxUnavailable": spec.service.max_unavailable,
            "selector": {"matchLabels": naming.selector_labels(spec)},
            "unhealthyPodEvictionPolicy": "AlwaysAllow",
        },
    }


def service(spec: Spec) -> dict[str, Any]:
    return {
        "metadata": _metadata(spec, naming.service_name(spec), "api"),
        "spec": {
            "type": "ClusterIP",
            "selector": naming.selector_labels(spec),
            "ports": [{"name": naming.PORT_NAME, "port": spec.service.port,
                       "targetPort": naming.PORT_NAME, "protocol": "TCP", "appProtocol": "http"}],
        },
    }


def namespace(spec: Spec) -> dict[str, Any]:
    labels = {**naming.common_labels(spec), "istio-injection": "enabled"}
    return {"metadata": {"name": naming.namespace(spec), "labels": labels}}


def manifest(context: Context, path: str, api_version: str, kind: str, obj: dict[str, Any],
             region: Region | None = None, target: str = TARGET) -> RenderedFile:
    """One object per file, through the shared manifest layout."""
    body = [(key, obj[key]) for key in sorted(obj) if key != "metadata"]
    content = context.templates.render(
        "common/manifest.yaml.j2", target, region.name if region else None,
        apiVersion=api_version, kind=kind, metadata=obj["metadata"], body=body)
    return RenderedFile(path, content)


def render(spec: Spec, context: Context) -> Iterator[RenderedFile]:
    mesh, workload = naming.BASE_MESH, naming.BASE_WORKLOAD
    yield manifest(context, f"{mesh}/namespace.yaml", "v1", "Namespace", namespace(spec))
    yield manifest(context, f"{mesh}/service.yaml", "v1", "Service", service(spec))
    yield manifest(context, f"{workload}/deployment.yaml", "apps/v1", "Deployment",
                   deployment(spec))
    yield manifest(context, f"{workload}/poddisruptionbudget.yaml", "policy/v1",
                   "PodDisruptionBudget", pdb(spec))
    yield manifest(context, f"{workload}/serviceaccount.yaml", "v1", "ServiceAccount",
                   {"metadata": _metadata(spec, spec.service.name, "api")})
    for region in spec.regions:
        folder = naming.overlay_workload_dir(region)
        yield manifest(context, f"{folder}/horizontalpodautoscaler.yaml", "autoscaling/v2",
                       "HorizontalPodAutoscaler", hpa(spec, region), region)
