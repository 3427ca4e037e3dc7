"""Google Cloud objects of model replication, as Config Connector resources applied once
to the platform cluster (``k8s/platform/config-connector``):

- a StorageBucket per region (location: the region's explicit GCP location);
- an IAMServiceAccount per region (API pods and watcher: read their regional bucket) and
  one for model-sync (read the primary bucket, administer the others);
- IAMPolicyMembers: ``roles/iam.workloadIdentityUser`` for each Kubernetes ServiceAccount,
  named by its rendered (prefixed) name, and least-privilege bucket roles.

All live in the platform's one Config Connector namespace (the ``configConnector``
section renders it with its ConfigConnectorContext; default: the project id) and carry the
``cnrm.cloud.google.com/project-id`` annotation, so they do not depend on how that
namespace is annotated.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator import emit
from generator.section import RenderedFile
from generator.sections.core import names as core_names
from generator.sections.replication import names
from generator.sections.replication.model import Replication
from generator.spec import Spec

IAM = "iam.cnrm.cloud.google.com/v1beta1"
STORAGE = "storage.cnrm.cloud.google.com/v1beta1"
VIEWER, ADMIN = "roles/storage.objectViewer", "roles/storage.objectAdmin"
"""objectAdmin, not objectCreator: rsync deletes destination objects the primary lacks."""
WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser"
NONCURRENT_VERSIONS_KEPT = 3


def _metadata(
    rep: Replication, spec: Spec, name: str, extra: dict[str, str] | None = None
) -> dict[str, Any]:
    return emit.metadata(
        name,
        namespace=rep.config_connector_namespace,
        labels=core_names.common_labels(spec, "replication"),
        annotations={names.CC_PROJECT_ANNOTATION: rep.project, **(extra or {})},
    )


def bucket(rep: Replication, spec: Spec, name: str, location: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "resourceID": name,
        "location": location,
        "storageClass": "STANDARD",
        "uniformBucketLevelAccess": True,
        "publicAccessPrevention": "enforced",
        "versioning": {"enabled": rep.bucket_versioning},
    }
    if rep.bucket_versioning:
        body["lifecycleRule"] = [
            {
                "action": {"type": "Delete"},
                "condition": {
                    "withState": "ARCHIVED",
                    "numNewerVersions": NONCURRENT_VERSIONS_KEPT,
                },
            }
        ]
    # abandon: deleting the object (an Argo CD prune, a renamed region) keeps the models.
    return {
        "metadata": _metadata(
            rep, spec, name, {"cnrm.cloud.google.com/deletion-policy": "abandon"}
        ),
        "spec": body,
    }


def service_account(rep: Replication, spec: Spec, gsa: str, purpose: str) -> dict[str, Any]:
    return {
        "metadata": _metadata(rep, spec, gsa),
        "spec": {"resourceID": gsa, "displayName": f"{spec.service.name} {purpose}"},
    }


def workload_identity(rep: Replication, spec: Spec, gsa: str, ksa: str) -> dict[str, Any]:
    """Lets Kubernetes ServiceAccount ``ksa`` (its rendered name) act as ``gsa``."""
    return {
        "metadata": _metadata(rep, spec, names.workload_identity_binding(ksa)),
        "spec": {
            "resourceRef": {"apiVersion": IAM, "kind": "IAMServiceAccount", "name": gsa},
            "role": WORKLOAD_IDENTITY_USER,
            "member": names.workload_identity_member(rep, spec, ksa),
        },
    }


def bucket_role(
    rep: Replication, spec: Spec, bucket_name: str, role: str, gsa: str
) -> dict[str, Any]:
    access = "admin" if role == ADMIN else "viewer"
    return {
        "metadata": _metadata(rep, spec, names.bucket_binding(bucket_name, access, gsa)),
        "spec": {
            "resourceRef": {"apiVersion": STORAGE, "kind": "StorageBucket", "name": bucket_name},
            "role": role,
            "memberFrom": {"serviceAccountRef": {"name": gsa}},
        },
    }


def render(rep: Replication, spec: Spec) -> Iterator[RenderedFile]:
    layer = names.CONFIG_CONNECTOR_LAYER

    def out(kind: str, api_version: str, obj: dict[str, Any]) -> RenderedFile:
        path = core_names.platform_object_path(layer, kind, obj["metadata"]["name"])
        return emit.yaml_file(path, emit.k8s(api_version, kind, **obj))

    primary = spec.primary
    sync_gsa = names.model_sync_gsa(rep)
    yield out("IAMServiceAccount", IAM, service_account(rep, spec, sync_gsa, "model sync"))
    yield out(
        "IAMPolicyMember",
        IAM,
        workload_identity(rep, spec, sync_gsa, names.model_sync_name(primary)),
    )
    for region in spec.regions:
        name = names.bucket_name(rep, region)
        gsa = names.regional_gsa(rep, region)
        yield out("StorageBucket", STORAGE, bucket(rep, spec, name, region.gcp_location))
        yield out(
            "IAMServiceAccount", IAM, service_account(rep, spec, gsa, f"{region.name} reader")
        )
        for ksa in (core_names.workload_name(spec, region), names.watcher_name(region)):
            yield out("IAMPolicyMember", IAM, workload_identity(rep, spec, gsa, ksa))
        yield out("IAMPolicyMember", IAM, bucket_role(rep, spec, name, VIEWER, gsa))
        sync_role = VIEWER if region.role == "primary" else ADMIN
        yield out("IAMPolicyMember", IAM, bucket_role(rep, spec, name, sync_role, sync_gsa))
