"""Google Cloud objects of model replication, as Config Connector resources applied once
to the platform cluster (``k8s/platform/config-connector``):

- a StorageBucket per region (location: the region's explicit GCP location);
- an IAMServiceAccount per region (API pods and watcher: read their regional bucket) and
  one for model-sync (read the primary bucket, administer the others);
- IAMPolicyMembers: ``roles/iam.workloadIdentityUser`` for each Kubernetes ServiceAccount,
  named by its rendered (prefixed) name, and least-privilege bucket roles.

All live in one namespace of the platform cluster (default: the project id) and carry the
``cnrm.cloud.google.com/project-id`` annotation, so they do not depend on how that
namespace is annotated.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator import naming
from generator.model import Spec
from generator.output import Context, RenderedFile
from generator.targets.kustomize import manifest

TARGET = "config-connector"
IAM = "iam.cnrm.cloud.google.com/v1beta1"
STORAGE = "storage.cnrm.cloud.google.com/v1beta1"
VIEWER, ADMIN = "roles/storage.objectViewer", "roles/storage.objectAdmin"
"""objectAdmin, not objectCreator: rsync deletes destination objects the primary lacks."""
WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser"
NONCURRENT_VERSIONS_KEPT = 3


def _metadata(spec: Spec, name: str, extra: dict[str, str] | None = None) -> dict[str, Any]:
    assert spec.replication
    return {
        "name": name,
        "namespace": spec.replication.config_connector_namespace,
        "labels": {**naming.common_labels(spec), "app.kubernetes.io/component": "replication"},
        "annotations": {naming.CC_PROJECT_ANNOTATION: spec.replication.project, **(extra or {})},
    }


def bucket(spec: Spec, name: str, location: str) -> dict[str, Any]:
    assert spec.replication
    body: dict[str, Any] = {
        "resourceID": name,
        "location": location,
        "storageClass": "STANDARD",
        "uniformBucketLevelAccess": True,
        "publicAccessPrevention": "enforced",
        "versioning": {"enabled": spec.replication.bucket_versioning},
    }
    if spec.replication.bucket_versioning:
        body["lifecycleRule"] = [{
            "action": {"type": "Delete"},
            "condition": {"withState": "ARCHIVED", "numNewerVersions": NONCURRENT_VERSIONS_KEPT},
        }]
    # abandon: deleting the object (an Argo CD prune, a renamed region) keeps the models.
    return {"metadata": _metadata(spec, name, {"cnrm.cloud.google.com/deletion-policy": "abandon"}),
            "spec": body}


def service_account(spec: Spec, gsa: str, purpose: str) -> dict[str, Any]:
    return {"metadata": _metadata(spec, gsa),
            "spec": {"resourceID": gsa, "displayName": f"{spec.service.name} {purpose}"}}


def workload_identity(spec: Spec, gsa: str, ksa: str) -> dict[str, Any]:
    """Lets Kubernetes ServiceAccount ``ksa`` (its rendered name) act as ``gsa``."""
    return {"metadata": _metadata(spec, naming.workload_identity_binding(ksa)),
            "spec": {"resourceRef": {"apiVersion": IAM, "kind": "IAMServiceAccount", "name": gsa},
                     "role": WORKLOAD_IDENTITY_USER,
                     "member": naming.workload_identity_member(spec, ksa)}}


def bucket_role(spec: Spec, bucket_name: str, role: str, gsa: str) -> dict[str, Any]:
    access = "admin" if role == ADMIN else "viewer"
    return {"metadata": _metadata(spec, naming.bucket_binding(bucket_name, access, gsa)),
            "spec": {"resourceRef": {"apiVersion": STORAGE, "kind": "StorageBucket",
                                     "name": bucket_name},
                     "role": role,
                     "memberFrom": {"serviceAccountRef": {"name": gsa}}}}


def namespace(spec: Spec) -> dict[str, Any]:
    assert spec.replication
    meta = _metadata(spec, spec.replication.config_connector_namespace)
    del meta["namespace"]
    return {"metadata": meta}


def render(spec: Spec, context: Context) -> Iterator[RenderedFile]:
    if spec.replication is None:
        return
    folder = naming.platform_dir(naming.CONFIG_CONNECTOR)

    def emit(kind: str, api_version: str, obj: dict[str, Any]) -> RenderedFile:
        path = f"{folder}/{kind.lower()}-{obj['metadata']['name']}.yaml"
        return manifest(context, path, api_version, kind, obj, target=TARGET)

    yield manifest(context, f"{folder}/namespace.yaml", "v1", "Namespace", namespace(spec),
                   target=TARGET)
    primary = spec.primary
    sync_gsa = naming.model_sync_gsa(spec)
    yield emit("IAMServiceAccount", IAM, service_account(spec, sync_gsa, "model sync"))
    yield emit("IAMPolicyMember", IAM,
               workload_identity(spec, sync_gsa, naming.model_sync_name(primary)))
    for region in spec.regions:
        name = naming.bucket_name(spec, region)
        gsa = naming.regional_gsa(spec, region)
        yield emit("StorageBucket", STORAGE, bucket(spec, name, region.gcp_location))
        yield emit("IAMServiceAccount", IAM, service_account(spec, gsa, f"{region.name} reader"))
        for ksa in (naming.workload_name(spec, region), naming.watcher_name(region)):
            yield emit("IAMPolicyMember", IAM, workload_identity(spec, gsa, ksa))
        yield emit("IAMPolicyMember", IAM, bucket_role(spec, name, VIEWER, gsa))
        sync_role = VIEWER if region.role == "primary" else ADMIN
        yield emit("IAMPolicyMember", IAM, bucket_role(spec, name, sync_role, sync_gsa))
