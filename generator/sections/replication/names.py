"""Replication: model buckets, the model-sync CronJob, the cache-invalidation watcher, and
Workload Identity (Kubernetes and Google service accounts, Config Connector objects)."""

from __future__ import annotations

from generator.errors import Path
from generator.section import DerivedName
from generator.sections.config_connector import names as kcc_names
from generator.sections.core.model import Core, Region
from generator.sections.core.names import (
    CRONJOB_MAX,
    DNS_LABEL_MAX,
    DNS_SUBDOMAIN_MAX,
    HasService,
    namespace,
    workload_prefix,
)
from generator.sections.replication.model import Replication

CONFIG_CONNECTOR_LAYER = kcc_names.LAYER
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


def bucket_name(rep: Replication, region: Region) -> str:
    return f"{rep.bucket_prefix}-{region.name}"


def bucket_url(rep: Replication, region: Region) -> str:
    """gs:// URL of the model folder in ``region``'s bucket."""
    return f"gs://{bucket_name(rep, region)}/{rep.path}"


def regional_gsa(rep: Replication, region: Region) -> str:
    """Google service account (id) of a region's API pods and watcher: reads its bucket."""
    return f"{rep.service_account_prefix}-{region.name}"


def model_sync_gsa(rep: Replication) -> str:
    return f"{rep.service_account_prefix}-{MODEL_SYNC}"


def gsa_email(rep: Replication, gsa: str) -> str:
    return f"{gsa}@{rep.project}.iam.gserviceaccount.com"


def workload_identity_member(rep: Replication, spec: HasService, ksa: str) -> str:
    """IAM member of a Kubernetes ServiceAccount: ``ksa`` is its rendered (prefixed) name."""
    return f"serviceAccount:{rep.project}.svc.id.goog[{namespace(spec)}/{ksa}]"


def workload_identity_binding(ksa: str) -> str:
    """IAMPolicyMember name granting roles/iam.workloadIdentityUser to ``ksa``."""
    return f"wi-{ksa}"


def bucket_binding(bucket: str, access: str, gsa: str) -> str:
    """IAMPolicyMember name granting ``gsa`` ``access`` (viewer/admin) on ``bucket``."""
    return f"{bucket}-{access}-{gsa}"


def derived_names(rep: Replication, core: Core) -> list[DerivedName]:
    primary = core.primary
    prefix_path: Path = ("replication", "serviceAccountPrefix")
    names = [
        DerivedName(
            model_sync_name(primary),
            CRONJOB_MAX,
            "model-sync CronJob name",
            ("regions", primary.index, "name"),
        ),
        DerivedName(model_sync_gsa(rep), GSA_ID_MAX, "Google service account id", prefix_path),
    ]
    for region in core.regions:
        blame: Path = ("regions", region.index, "name")
        gsa = regional_gsa(rep, region)
        names += [
            DerivedName(watcher_name(region), DNS_LABEL_MAX, "watcher name", blame),
            DerivedName(sync_container(region), DNS_LABEL_MAX, "sync container name", blame),
            DerivedName(
                bucket_name(rep, region),
                DNS_LABEL_MAX,
                "bucket name",
                ("replication", "bucketPrefix"),
            ),
            DerivedName(gsa, GSA_ID_MAX, "Google service account id", prefix_path),
            DerivedName(
                workload_identity_binding(watcher_name(region)),
                DNS_SUBDOMAIN_MAX,
                "IAMPolicyMember name",
                blame,
            ),
            DerivedName(
                bucket_binding(bucket_name(rep, region), "admin", model_sync_gsa(rep)),
                DNS_SUBDOMAIN_MAX,
                "IAMPolicyMember name",
                blame,
            ),
        ]
    return names
