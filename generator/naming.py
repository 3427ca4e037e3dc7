"""Every derived name and output path, in one place.

Targets call these instead of formatting names themselves, and
:func:`derived_names` lists each name with its Kubernetes limit so the build stage
can reject a spec whose names would not fit before anything is rendered.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.errors import Path
from generator.model import Region, Spec

DNS_LABEL_MAX = 63
CRONJOB_MAX = 52  # the CronJob controller appends 11 characters to Job names

CONTAINER = "api"
PORT_NAME = "http"


# Shared (unprefixed) names: identical in every cluster so Istio merges the endpoints.
def service_name(spec: Spec) -> str:
    return spec.service.name


def namespace(spec: Spec) -> str:
    return spec.service.namespace


# Region-local workload names: kustomize's namePrefix produces them in each overlay.
def workload_prefix(region: Region) -> str:
    return f"{region.name}-"


def workload_name(spec: Spec, region: Region) -> str:
    return f"{workload_prefix(region)}{spec.service.name}"


# Labels.
def selector_labels(spec: Spec) -> dict[str, str]:
    """Immutable selector labels: never region-specific."""
    return {"app.kubernetes.io/name": spec.service.name}


def common_labels(spec: Spec) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": spec.service.name,
        "app.kubernetes.io/part-of": spec.service.name,
        "app.kubernetes.io/managed-by": "mrgen",
    }


REGION_LABEL = "region"


# Output paths (relative to the output folder).
K8S = "k8s"
KUSTOMIZE_ROOTS = (K8S,)
"""Folders whose every sub-folder of YAML gets a generated kustomization.yaml."""
BASE_WORKLOAD = f"{K8S}/base/workload"
BASE_MESH = f"{K8S}/base/mesh"


def overlay_dir(region: Region) -> str:
    return f"{K8S}/overlays/{region.name}"


def overlay_workload_dir(region: Region) -> str:
    return f"{overlay_dir(region)}/workload"


@dataclass(frozen=True)
class DerivedName:
    name: str
    limit: int
    what: str
    path: Path
    """Spec path blamed when the name does not fit."""


def derived_names(spec: Spec) -> list[DerivedName]:
    """Every generated object name with the limit it must respect."""
    names = [
        DerivedName(service_name(spec), DNS_LABEL_MAX, "Service name", ("service", "name")),
        DerivedName(namespace(spec), DNS_LABEL_MAX, "namespace", ("service", "namespace")),
    ]
    for region in spec.regions:
        blame: Path = ("regions", region.index, "name")
        names.append(DerivedName(workload_name(spec, region), DNS_LABEL_MAX,
                                 "workload name (Deployment, HPA, PDB, ServiceAccount)", blame))
    names.extend(replication_names(spec))

    names.extend(mesh_names(spec))
    names.extend(delivery_names(spec))
    names.extend(monitoring_names(spec))
    names.extend(global_derived_names(spec))
    return names


# Platform layers: cluster objects applied once (not per region), each in its own folder
# k8s/platform/<layer> that Argo CD syncs to the platform cluster as one Application.
PLATFORM = f"{K8S}/platform"


def platform_dir(layer: str) -> str:
    return f"{PLATFORM}/{layer}"


def platform_layers(spec: Spec) -> list[str]:
    """The platform layers this spec renders, sorted. Each output section that emits
    platform objects adds its layer here when the spec enables it."""
    layers: list[str] = []
    if spec.replication:
        layers.append(CONFIG_CONNECTOR)
    if spec.monitoring is not None:
        layers.append(MONITORING_LAYER)
    layers.extend(global_layers(spec))
    return sorted(layers)


# Replication: model buckets, the model-sync CronJob, the cache-invalidation watcher, and
# Workload Identity (Kubernetes and Google service accounts, Config Connector objects).
CONFIG_CONNECTOR = "config-connector"
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

# Mesh (Istio). Gateway, VirtualService, DestinationRule and PeerAuthentication keep one
# unprefixed name in every cluster (they live in k8s/base/mesh, outside the namePrefix).
CLUSTER_DOMAIN = "svc.cluster.local"
PEER_AUTHENTICATION = "default"  # the namespace-wide policy (no selector)
MESH_GATEWAY = "mesh"  # VirtualService gateways entry meaning "every sidecar"
ISTIO_CHARTS = ("base", "istiod", "gateway")
"""Istio's Helm charts, in install order."""
ISTIO_RELEASES = {"base": "istio-base", "istiod": "istiod", "gateway": "istio-ingressgateway"}


def default_mesh_id(service: str) -> str:
    return f"{service}-mesh"


def default_credential_name(service: str) -> str:
    return f"{service}-tls"


def default_hostname(service: str) -> str:
    return f"{service}.example.com"


def gateway_name(spec: Spec) -> str:
    return f"{spec.service.name}-gateway"


def virtual_service_name(spec: Spec) -> str:
    return spec.service.name


def destination_rule_name(spec: Spec) -> str:
    return spec.service.name


def service_fqdn(spec: Spec) -> str:
    """The Service's cluster-wide name: Istio hosts are always written in full, since a
    short host is read in the namespace of the rule, not of the Service."""
    return f"{service_name(spec)}.{namespace(spec)}.{CLUSTER_DOMAIN}"


def gateway_reference(spec: Spec) -> str:
    return f"{namespace(spec)}/{gateway_name(spec)}"


def regional_hostname(spec: Spec, region: Region) -> str:
    """``<region>.<first public hostname>``, e.g. us-east-1.api.example.com."""
    assert spec.mesh is not None
    return f"{region.name}.{spec.mesh.hostnames[0]}"


def region_hostnames(spec: Spec, region: Region) -> list[str]:
    """The hosts one region's Gateway serves: the global names, then its own."""
    assert spec.mesh is not None
    return [*spec.mesh.hostnames, regional_hostname(spec, region)]


def mesh_network(spec: Spec, region: Region) -> str:
    assert spec.mesh is not None
    if spec.mesh.istio.network == "shared":
        return f"{spec.mesh.istio.mesh_id}-network"
    return f"{region.cluster}-network"


def mesh_names(spec: Spec) -> list[DerivedName]:
    if spec.mesh is None:
        return []
    blame: Path = ("service", "name")
    names = [DerivedName(gateway_name(spec), DNS_LABEL_MAX, "Gateway name", blame)]
    for region in spec.regions:
        names.append(DerivedName(mesh_network(spec, region), DNS_LABEL_MAX,
                                 "Istio network (a label value)", ("mesh", "istio", "meshID")))
    return names


# Delivery (Argo CD): objects under argocd/, all in Argo CD's namespace (names unique there).
ARGOCD = "argocd"
SYNC_WAVE = "argocd.argoproj.io/sync-wave"


def workload_application_name(spec: Spec, region: Region) -> str:
    return f"{spec.service.name}-{region.name}"


def workload_applicationset_name(spec: Spec) -> str:
    return spec.service.name


def istio_application_name(region: Region, chart: str) -> str:
    return f"{region.name}-{ISTIO_RELEASES[chart]}"


def platform_application_name(spec: Spec, layer: str) -> str:
    return f"{spec.service.name}-platform-{layer}"


def root_application_name(spec: Spec) -> str:
    return f"{spec.service.name}-argocd"


def project_names(spec: Spec) -> dict[str, str]:
    """AppProjects by purpose: workloads, Istio install, platform (Argo CD's own objects and
    the platform layers)."""
    assert spec.delivery is not None
    base = spec.delivery.project
    return {"workloads": base, "istio": f"{base}-istio", "platform": f"{base}-platform"}


def rendered_source(spec: Spec, folder: str) -> str:
    """Repository path Argo CD reads for an output folder."""
    assert spec.delivery is not None
    return f"{spec.delivery.rendered_path}/{folder}"


def overlay_source_template(spec: Spec) -> str:
    """The ApplicationSet's source path: a Go template over the element's ``region``."""
    return rendered_source(spec, f"{K8S}/overlays/{{{{.region}}}}")


def delivery_names(spec: Spec) -> list[DerivedName]:
    if spec.delivery is None:
        return []
    names = [DerivedName(root_application_name(spec), DNS_LABEL_MAX, "Argo CD Application name",
                         ("service", "name"))]
    names.extend(DerivedName(name, DNS_LABEL_MAX, "Argo CD AppProject name",
                             ("delivery", "project")) for name in project_names(spec).values())
    for region in spec.regions:
        blame: Path = ("regions", region.index, "name")
        names.append(DerivedName(workload_application_name(spec, region), DNS_LABEL_MAX,
                                 "Argo CD Application name", blame))
        names.extend(DerivedName(istio_application_name(region, chart), DNS_LABEL_MAX,
                                 "Argo CD Application name (Istio)", blame)
                     for chart in ISTIO_CHARTS)
    names.extend(DerivedName(platform_application_name(spec, layer), DNS_LABEL_MAX,
                             "Argo CD Application name (platform layer)", ("service", "name"))
                 for layer in platform_layers(spec))
    return names


def workload_application_name_template(spec: Spec) -> str:
    """The ApplicationSet's Application name: ``workload_application_name`` as a Go template."""
    return f"{spec.service.name}-{{{{.region}}}}"


def argocd_file(kind: str, name: str) -> str:
    return f"{ARGOCD}/{kind.lower()}-{name}.yaml"



# Monitoring (Prometheus federation, rules, dashboards).
MONITORING_LAYER = "monitoring"
MONITORING = "monitoring"
"""Root of the plain (non-Kubernetes) monitoring files."""
PROMETHEUS_DIR = f"{MONITORING}/prometheus"
RULES_DIR = f"{MONITORING}/rules"
RULE_TESTS_DIR = f"{RULES_DIR}/tests"
DASHBOARDS_DIR = f"{MONITORING}/dashboards"
FEDERATE_JOB = "federate"
GRAFANA_UID_MAX = 40


def regional_prometheus_config(region: Region) -> str:
    return f"{PROMETHEUS_DIR}/regional-{region.name}.yml"


def global_prometheus_config() -> str:
    return f"{PROMETHEUS_DIR}/global.yml"


def rule_file(kind: str) -> str:
    """``kind``: regional, global-alerts or global-slo."""
    return f"{RULES_DIR}/{kind}.rules.yaml"


def rule_test_file(kind: str) -> str:
    return f"{RULE_TESTS_DIR}/{kind}.test.yaml"


def dashboard_file(spec: Spec) -> str:
    return f"{DASHBOARDS_DIR}/{dashboard_name(spec)}.json"


def dashboard_name(spec: Spec) -> str:
    """Dashboard uid, file stem and ConfigMap name."""
    return f"{spec.service.name}-multi-region"


def prometheus_rule_name(spec: Spec, kind: str) -> str:
    return f"{spec.service.name}-{kind}"


def rule_group_name(spec: Spec, kind: str) -> str:
    return f"{spec.service.name}-{kind}"


def federation_target(spec: Spec, region: Region) -> str:
    """host:port of the region's Prometheus, as the global server federates it."""
    assert spec.monitoring is not None
    overrides = dict(spec.monitoring.federation_targets)
    if region.name in overrides:
        return overrides[region.name]
    return spec.monitoring.federation_template.replace("{region}", region.name)


def recorded(spec: Spec) -> dict[str, str]:
    """Names of the regional recording rules (``level:metric:operations``); only these
    aggregates are federated. Keys: requests, buckets, count, up, model_sync, cache_lag,
    and slo_good_<w> / slo_total_<w> per SLO window."""
    assert spec.monitoring is not None
    metrics = spec.monitoring.metrics
    requests = metrics.requests.removesuffix("_total")
    names = {
        "requests": f"job:{requests}:rate5m",
        "buckets": f"job_le:{metrics.duration}_bucket:rate5m",
        "count": f"job:{metrics.duration}_count:rate5m",
        "up": "job:up:sum",
        "model_sync": f"region:{metrics.model_sync_timestamp}:max",
        "cache_lag": f"region:{metrics.cache_replication_lag}:max",
    }
    for window in SLO_WINDOWS:
        names[f"slo_good_{window}"] = f"job:slo_latency_good:rate{window}"
        names[f"slo_total_{window}"] = f"job:slo_latency_total:rate{window}"
    return names


SLO_WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
SLI_ERROR = "slo:sli_error:ratio_rate"
FEDERATED_PREFIXES = ("job:", "job_le:", "region:")
"""Every recorded name starts with one of these; the federation match[] selects them."""


def monitoring_names(spec: Spec) -> list[DerivedName]:
    if spec.monitoring is None:
        return []
    blame: Path = ("service", "name")
    return [
        DerivedName(dashboard_name(spec), GRAFANA_UID_MAX,
                    "dashboard uid and ConfigMap name (Grafana allows 40)", blame),
        *(DerivedName(prometheus_rule_name(spec, kind), DNS_LABEL_MAX,
                      "PrometheusRule name", blame)
          for kind in ("regional", "global-alerts", "global-slo")),
        DerivedName(scrape_config_name(spec), DNS_LABEL_MAX, "ScrapeConfig name", blame),
        DerivedName(metrics_service_name(spec), DNS_LABEL_MAX, "metrics Service name", blame),
    ]


def scrape_config_name(spec: Spec) -> str:
    return f"{spec.service.name}-{FEDERATE_JOB}"


def monitoring_labels(spec: Spec, extra: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Common labels plus the selector labels the Prometheus Operator or Grafana watch."""
    return {**common_labels(spec), **dict(extra)}


def metrics_service_name(spec: Spec) -> str:
    """Headless Service whose DNS SRV records list every pod (regional scrape discovery)."""
    return f"{spec.service.name}-metrics"


def metrics_srv_record(spec: Spec) -> str:
    return (f"_{PORT_NAME}._tcp.{metrics_service_name(spec)}.{namespace(spec)}"
            ".svc.cluster.local")



# Global traffic (globalRouting): Route53 records and health checks, GCLB objects.
ROUTE53_LAYER = "route53"
GCLB_LAYER = "gclb"
ROUTE53_DIR = "route53"
CHANGE_BATCH = f"{ROUTE53_DIR}/change-batch.json"
GLOBAL_BLAME: Path = ("globalRouting",)


def global_layers(spec: Spec) -> list[str]:
    routing = spec.global_routing
    if routing is None:
        return []
    layers = {"route53": ROUTE53_LAYER, "gclb": GCLB_LAYER}
    return sorted(layers[p] for p in routing.providers)


def platform_object_path(layer: str, kind: str, name: str) -> str:
    """One platform object per file: k8s/platform/<layer>/<kind>-<name>.yaml."""
    return f"{platform_dir(layer)}/{kind.lower()}-{name}.yaml"


def health_check_input_path(region: str) -> str:
    """`aws route53 create-health-check --cli-input-json file://<this>`."""
    return f"{ROUTE53_DIR}/health-checks/{region}.json"


# DNS record names (all inside globalRouting.domain).
def geo_record_name(domain: str) -> str:
    return domain


def failover_record_name(domain: str, region: str) -> str:
    return f"{region}.{domain}"


def origin_record_name(domain: str, region: str) -> str:
    return f"{region}.origin.{domain}"


def weighted_record_name(domain: str) -> str:
    return f"weighted.{domain}"


def geo_set_identifier(code: str) -> str:
    return "geo-default" if code == "*" else f"geo-{code.lower()}"


def failover_set_identifier(region: str, role: str) -> str:
    return f"{region}-{role.lower()}"


def weighted_set_identifier(region: str) -> str:
    return f"weighted-{region}"


def health_check_caller_reference(spec: Spec, region: str, digest: str) -> str:
    """Unique per region and per health-check configuration (Route53 refuses a reused one)."""
    return f"{spec.service.name}-{region}-{digest[:12]}"


# ACK object names (k8s/platform/route53).
def ack_record_object_name(spec: Spec, set_identifier: str) -> str:
    return f"{spec.service.name}-{set_identifier}"


def ack_health_check_name(spec: Spec, region: str) -> str:
    return f"{spec.service.name}-hc-{region}"


# Config Connector object names (k8s/platform/gclb); GCP resource names follow the same rule.
def gclb_address_name(spec: Spec) -> str:
    return f"{spec.service.name}-ip"


def gclb_health_check_name(spec: Spec) -> str:
    return f"{spec.service.name}-hc"


def gclb_backend_service_name(spec: Spec, region: str) -> str:
    return f"{spec.service.name}-bes-{region}"


def gclb_url_map_name(spec: Spec) -> str:
    return f"{spec.service.name}-urlmap"


def gclb_proxy_name(spec: Spec) -> str:
    return f"{spec.service.name}-https-proxy"


def gclb_certificate_name(spec: Spec) -> str:
    return f"{spec.service.name}-cert"


def gclb_forwarding_rule_name(spec: Spec) -> str:
    return f"{spec.service.name}-fr-443"


def gclb_default_neg_name(service: str) -> str:
    return f"{service}-ingress"


def gclb_neg_self_link(project: str, zone: str, neg: str) -> str:
    return f"projects/{project}/zones/{zone}/networkEndpointGroups/{neg}"


def global_derived_names(spec: Spec) -> list[DerivedName]:
    routing = spec.global_routing
    if routing is None:
        return []
    names: list[DerivedName] = []
    if routing.route53 is not None:
        for code, _ in routing.geography:
            names.append(DerivedName(ack_record_object_name(spec, geo_set_identifier(code)),
                                     DNS_LABEL_MAX, "RecordSet name", GLOBAL_BLAME))
        for region in spec.regions:
            blame: Path = ("regions", region.index, "name")
            for role in ("primary", "secondary"):
                names.append(DerivedName(
                    ack_record_object_name(spec, failover_set_identifier(region.name, role)),
                    DNS_LABEL_MAX, "RecordSet name", blame))
            names.append(DerivedName(
                ack_record_object_name(spec, weighted_set_identifier(region.name)),
                DNS_LABEL_MAX, "RecordSet name", blame))
            names.append(DerivedName(ack_origin_object_name(spec, region.name), DNS_LABEL_MAX,
                                     "RecordSet name", blame))
            names.append(DerivedName(ack_health_check_name(spec, region.name), DNS_LABEL_MAX,
                                     "HealthCheck name", blame))
    if routing.gclb is not None:
        for fixed in (gclb_address_name(spec), gclb_health_check_name(spec),
                      gclb_url_map_name(spec), gclb_proxy_name(spec),
                      gclb_certificate_name(spec), gclb_forwarding_rule_name(spec)):
            names.append(DerivedName(fixed, DNS_LABEL_MAX, "GCLB object name",
                                     ("service", "name")))
        for region in spec.regions:
            names.append(DerivedName(gclb_backend_service_name(spec, region.name), DNS_LABEL_MAX,
                                     "backend service name", ("regions", region.index, "name")))
    return names


def ack_origin_object_name(spec: Spec, region: str) -> str:
    return f"{spec.service.name}-origin-{region}"

# Pull-request workflow: the safety valve watches each region's overlay folder; the runbook.
OVERLAYS = f"{K8S}/overlays"
RUNBOOK = "docs/runbook.md"


def spec_file_name(service: str) -> str:
    """Where `mrgen init` writes a starter spec, relative to the project."""
    return f"spec/{service}.yaml"
