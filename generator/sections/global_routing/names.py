"""Global traffic names: Route53 records and health checks, GCLB objects."""

from __future__ import annotations

from generator.errors import Path
from generator.section import DerivedName
from generator.sections.core.model import Core
from generator.sections.core.names import DNS_LABEL_MAX, HasService
from generator.sections.global_routing.model import GlobalRouting

# Global traffic (globalRouting): Route53 records and health checks, GCLB objects.
ROUTE53_DIR = "route53"
ROUTE53_LAYER = "route53"
GCLB_LAYER = "gclb"
LAYERS = {"route53": ROUTE53_LAYER, "gclb": GCLB_LAYER}
"""The platform layer each global provider renders into."""
CHANGE_BATCH = f"{ROUTE53_DIR}/change-batch.json"
GLOBAL_BLAME: Path = ("globalRouting",)


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


def health_check_caller_reference(spec: HasService, region: str, digest: str) -> str:
    """Unique per region and per health-check configuration (Route53 refuses a reused one)."""
    return f"{spec.service.name}-{region}-{digest[:12]}"


# ACK object names (k8s/platform/route53).
def ack_record_object_name(spec: HasService, set_identifier: str) -> str:
    return f"{spec.service.name}-{set_identifier}"


def ack_health_check_name(spec: HasService, region: str) -> str:
    return f"{spec.service.name}-hc-{region}"


# Config Connector object names (k8s/platform/gclb); GCP resource names follow the same rule.
def gclb_address_name(spec: HasService) -> str:
    return f"{spec.service.name}-ip"


def gclb_health_check_name(spec: HasService) -> str:
    return f"{spec.service.name}-hc"


def gclb_backend_service_name(spec: HasService, region: str) -> str:
    return f"{spec.service.name}-bes-{region}"


def gclb_url_map_name(spec: HasService) -> str:
    return f"{spec.service.name}-urlmap"


def gclb_proxy_name(spec: HasService) -> str:
    return f"{spec.service.name}-https-proxy"


def gclb_certificate_name(spec: HasService) -> str:
    return f"{spec.service.name}-cert"


def gclb_forwarding_rule_name(spec: HasService) -> str:
    return f"{spec.service.name}-fr-443"


def gclb_default_neg_name(service: str) -> str:
    return f"{service}-ingress"


def gclb_neg_self_link(project: str, zone: str, neg: str) -> str:
    return f"projects/{project}/zones/{zone}/networkEndpointGroups/{neg}"


def derived_names(routing: GlobalRouting, spec: Core) -> list[DerivedName]:
    names: list[DerivedName] = []
    if routing.route53 is not None:
        for code, _ in routing.geography:
            names.append(
                DerivedName(
                    ack_record_object_name(spec, geo_set_identifier(code)),
                    DNS_LABEL_MAX,
                    "RecordSet name",
                    GLOBAL_BLAME,
                )
            )
        for region in spec.regions:
            blame: Path = ("regions", region.index, "name")
            for role in ("primary", "secondary"):
                names.append(
                    DerivedName(
                        ack_record_object_name(spec, failover_set_identifier(region.name, role)),
                        DNS_LABEL_MAX,
                        "RecordSet name",
                        blame,
                    )
                )
            names.append(
                DerivedName(
                    ack_record_object_name(spec, weighted_set_identifier(region.name)),
                    DNS_LABEL_MAX,
                    "RecordSet name",
                    blame,
                )
            )
            names.append(
                DerivedName(
                    ack_origin_object_name(spec, region.name),
                    DNS_LABEL_MAX,
                    "RecordSet name",
                    blame,
                )
            )
            names.append(
                DerivedName(
                    ack_health_check_name(spec, region.name),
                    DNS_LABEL_MAX,
                    "HealthCheck name",
                    blame,
                )
            )
    if routing.gclb is not None:
        for fixed in (
            gclb_address_name(spec),
            gclb_health_check_name(spec),
            gclb_url_map_name(spec),
            gclb_proxy_name(spec),
            gclb_certificate_name(spec),
            gclb_forwarding_rule_name(spec),
        ):
            names.append(DerivedName(fixed, DNS_LABEL_MAX, "GCLB object name", ("service", "name")))
        for region in spec.regions:
            names.append(
                DerivedName(
                    gclb_backend_service_name(spec, region.name),
                    DNS_LABEL_MAX,
                    "backend service name",
                    ("regions", region.index, "name"),
                )
            )
    return names


def ack_origin_object_name(spec: HasService, region: str) -> str:
    return f"{spec.service.name}-origin-{region}"
