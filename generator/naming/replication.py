"""Replication: model buckets, the model-sync CronJob, the cache-invalidation watcher, and
Workload Identity (Kubernetes and Google service accounts, Config Connector objects)."""

from __future__ import annotations

from generator.errors import Path
from generator.model import Region, Spec
from generator.naming.core import (
    CRONJOB_MAX,
    DNS_LABEL_MAX,
    DerivedName,
    namespace,
    workload_prefix,
)

DNS_SUBDOMAIN_MAX = 253
GSA_ID_MAX = 30  # Google service account ids: 6-30 characters
MODEL_SYNC = "model-sync"
"""CronJob and ServiceAccount base name; the primary overlay prefixes both."""
WATCHER = "cache-invalidation"
"""Deployment, ServiceAccount and PDB base name of the watcher; every overlay prefixes them."""
WATCHER_CONTAINER = "watcher"
WATCHER_LEADER_ELECTION = f"{WATCHER}-leader-election"
"""Role and RoleBinding (prefixed) of the watcher's leader election."""
WATCHER_LEASE = f"{WATCHER}-leader"
"""The Lease the watcher replicas compete for: one per cluster, so it needs no prefix."""
METRICS_PORT_NAME = "metrics"
WI_ANNOTATION = "iam.gke.io/gcp-service-account"
CC_PROJECT_ANNOTATION = "cnrm.cloud.google.com/project-id"


def model_sync_name(region: Region) -> str:
    """The CronJob (and its ServiceAccount) after the primary overlay's namePrefix."""
    return f"{workload_prefix(region)}{MODEL_SYNC}"


def watcher_name(region: Region) -> str:
    return f"{workload_prefix(region)}{WATCHER}"


def sync_container(destination: Region) -> str:
    return f"to-{destination.name}"


def bucket_name(spec: Spec, region: Region) -> str:
    assert spec.replication
    return f"{spec.replication.bucket_prefix}-{region.name}"


def bucket_url(spec: Spec, region: Region) -> str:
    """gs:// URL of the model folder in ``region``'s bucket."""
    assert spec.replication
    return f"gs://{bucket_name(spec, region)}/{spec.replication.path}"


def regional_gsa(spec: Spec, region: Region) -> str:
    """Google service account (id) of a region's API pods and watcher: reads its bucket."""
    assert spec.replication
    return f"{spec.replication.service_account_prefix}-{region.name}"


def model_sync_gsa(spec: Spec) -> str:
    assert spec.replication
    return f"{spec.replication.service_account_prefix}-{MODEL_SYNC}"


def gsa_email(spec: Spec, gsa: str) -> str:
    assert spec.replication
    return f"{gsa}@{spec.replication.project}.iam.gserviceaccount.com"


def workload_identity_member(spec: Spec, ksa: str) -> str:
    """IAM member of a Kubernetes ServiceAccount: ``ksa`` is its rendered (prefixed) name."""
    assert spec.replication
    return f"serviceAccount:{spec.replication.project}.svc.id.goog[{namespace(spec)}/{ksa}]"


def workload_identity_binding(ksa: str) -> str:
    """IAMPolicyMember name granting roles/iam.workloadIdentityUser to ``ksa``."""
    return f"wi-{ksa}"


def bucket_binding(bucket: str, access: str, gsa: str) -> str:
    """IAMPolicyMember name granting ``gsa`` ``access`` (viewer/admin) on ``bucket``."""
    return f"{bucket}-{access}-{gsa}"


def replication_names(spec: Spec) -> list[DerivedName]:
    if spec.replication is None:
        return []
    primary = spec.primary
    prefix_path: Path = ("replication", "serviceAccountPrefix")
    names = [
        DerivedName(model_sync_name(primary), CRONJOB_MAX, "model-sync CronJob name",
                    ("regions", primary.index, "name")),
        DerivedName(model_sync_gsa(spec), GSA_ID_MAX, "Google service account id", prefix_path),
    ]
    for region in spec.regions:
        blame: Path = ("regions", region.index, "name")
        gsa = regional_gsa(spec, region)
        names += [
            DerivedName(watcher_name(region), DNS_LABEL_MAX, "watcher name", blame),
            DerivedName(sync_container(region), DNS_LABEL_MAX, "sync container name", blame),
            DerivedName(bucket_name(spec, region), DNS_LABEL_MAX, "bucket name",
                        ("replication", "bucketPrefix")),
            DerivedName(gsa, GSA_ID_MAX, "Google service account id", prefix_path),
            DerivedName(workload_identity_binding(watcher_name(region)), DNS_SUBDOMAIN_MAX,
                        "IAMPolicyMember name", blame),
            DerivedName(bucket_binding(bucket_name(spec, region), "admin",
                                       model_sync_gsa(spec)), DNS_SUBDOMAIN_MAX,
                        "IAMPolicyMember name", blame),
        ]
    return names
