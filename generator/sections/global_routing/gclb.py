"""The GCP global external Application Load Balancer (EXTERNAL_MANAGED) with Cloud CDN, as
Config Connector objects in ``k8s/platform/gclb/``.

Chain: ComputeForwardingRule (global, :443) -> ComputeTargetHTTPSProxy (+ managed
certificate) -> ComputeURLMap (weighted backend services, the spec's weights, no default
service) -> one ComputeBackendService per region (CDN, health check) -> the region's zonal
NEGs on the Istio ingress gateway Service (created by GKE from the Service's
``cloud.google.com/neg`` annotation, referenced here by self link).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator import emit
from generator.section import RenderedFile
from generator.sections.config_connector.model import CONFIG_CONNECTOR
from generator.sections.core import names as core_names
from generator.sections.global_routing import names as naming
from generator.sections.global_routing.model import GclbSettings, GlobalRouting
from generator.spec import Spec

CNRM_API = "compute.cnrm.cloud.google.com/v1beta1"
PROJECT_ANNOTATION = "cnrm.cloud.google.com/project-id"
SCHEME = "EXTERNAL_MANAGED"
GLOBAL = "global"
HTTPS_PORT = "443"
HC_INTERVAL_SECONDS, HC_TIMEOUT_SECONDS, HC_HEALTHY, HC_UNHEALTHY = 10, 5, 2, 3


def _metadata(spec: Spec, gclb: GclbSettings, name: str) -> dict[str, Any]:
    return emit.metadata(
        name,
        # The platform's one Config Connector namespace, which has a ConfigConnectorContext.
        namespace=spec[CONFIG_CONNECTOR].namespace,
        labels=core_names.common_labels(spec, "global-lb"),
        annotations={PROJECT_ANNOTATION: gclb.project},
    )


def certificate_self_link(gclb: GclbSettings, name: str) -> str:
    """A managed certificate is an sslCertificates resource; the proxy's sslCertificates
    refs name ComputeSSLCertificate kinds, so the managed one is referenced by self link."""
    return f"projects/{gclb.project}/global/sslCertificates/{name}"


def objects(gr: GlobalRouting, gclb: GclbSettings, spec: Spec) -> list[tuple[str, dict[str, Any]]]:
    """(kind, object) for every Config Connector object, in chain order."""
    health = gr.health_check

    def meta(name: str) -> dict[str, Any]:
        return _metadata(spec, gclb, name)

    probe_key = "httpsHealthCheck" if health.type == "HTTPS" else "httpHealthCheck"
    out: list[tuple[str, dict[str, Any]]] = [
        (
            "ComputeAddress",
            {
                "metadata": meta(naming.gclb_address_name(spec)),
                "spec": {
                    "location": GLOBAL,
                    "addressType": "EXTERNAL",
                    "ipVersion": "IPV4",
                    "description": f"{spec.service.name} global anycast address",
                },
            },
        ),
        (
            "ComputeHealthCheck",
            {
                "metadata": meta(naming.gclb_health_check_name(spec)),
                "spec": {
                    "location": GLOBAL,
                    "checkIntervalSec": HC_INTERVAL_SECONDS,
                    "timeoutSec": HC_TIMEOUT_SECONDS,
                    "healthyThreshold": HC_HEALTHY,
                    "unhealthyThreshold": HC_UNHEALTHY,
                    # NEG endpoints are probed on the port they serve; the Host header picks the
                    # gateway's virtual host. Firewall: allow 35.191.0.0/16 and 130.211.0.0/22.
                    probe_key: {
                        "portSpecification": "USE_SERVING_PORT",
                        "requestPath": health.path,
                        "host": gr.domain,
                    },
                },
            },
        ),
    ]
    for region in spec.regions:
        backends = [
            {
                "group": {
                    "networkEndpointGroupRef": {
                        "external": naming.gclb_neg_self_link(gclb.project, zone, gclb.neg_name)
                    }
                },
                "balancingMode": "RATE",
                "maxRatePerEndpoint": gclb.max_rate_per_endpoint,
            }
            for zone in gclb.zones(region.name)
        ]
        cdn: dict[str, Any] = {"cacheMode": gclb.cdn_cache_mode, "negativeCaching": False}
        out.append(
            (
                "ComputeBackendService",
                {
                    "metadata": meta(naming.gclb_backend_service_name(spec, region.name)),
                    "spec": {
                        "location": GLOBAL,
                        "loadBalancingScheme": SCHEME,
                        "protocol": health.type,
                        "enableCdn": True,
                        "cdnPolicy": cdn,
                        "healthChecks": [
                            {"healthCheckRef": {"name": naming.gclb_health_check_name(spec)}}
                        ],
                        "backend": backends,
                        "outlierDetection": {"consecutiveErrors": 5},
                        "description": f"{spec.service.name} in {region.name} "
                        f"({region.gcp_location})",
                    },
                },
            )
        )
    out.append(
        (
            "ComputeURLMap",
            {
                "metadata": meta(naming.gclb_url_map_name(spec)),
                "spec": {
                    "location": GLOBAL,
                    # A fixed split needs weightedBackendServices, and then no defaultService.
                    "defaultRouteAction": {
                        "weightedBackendServices": [
                            {
                                "backendServiceRef": {
                                    "name": naming.gclb_backend_service_name(spec, r.name)
                                },
                                "weight": r.weight,
                            }
                            for r in spec.regions
                        ]
                    },
                },
            },
        )
    )
    cert = naming.gclb_certificate_name(spec)
    out.append(
        (
            "ComputeManagedSSLCertificate",
            {
                "metadata": meta(cert),
                "spec": {
                    "projectRef": {"external": gclb.project},
                    "managed": {"domains": list(gclb.certificate_domains)},
                },
            },
        )
    )
    out.append(
        (
            "ComputeTargetHTTPSProxy",
            {
                "metadata": meta(naming.gclb_proxy_name(spec)),
                "spec": {
                    "location": GLOBAL,
                    "urlMapRef": {"name": naming.gclb_url_map_name(spec)},
                    "sslCertificates": [{"external": certificate_self_link(gclb, cert)}],
                },
            },
        )
    )
    out.append(
        (
            "ComputeForwardingRule",
            {
                "metadata": meta(naming.gclb_forwarding_rule_name(spec)),
                "spec": {
                    "location": GLOBAL,
                    "loadBalancingScheme": SCHEME,
                    "ipProtocol": "TCP",
                    "portRange": HTTPS_PORT,
                    "ipAddress": {"addressRef": {"name": naming.gclb_address_name(spec)}},
                    "target": {"targetHTTPSProxyRef": {"name": naming.gclb_proxy_name(spec)}},
                },
            },
        )
    )
    return out


def render(gr: GlobalRouting, gclb: GclbSettings, spec: Spec) -> Iterator[RenderedFile]:
    for kind, obj in objects(gr, gclb, spec):
        path = core_names.platform_object_path(naming.GCLB_LAYER, kind, obj["metadata"]["name"])
        yield emit.yaml_file(path, emit.k8s(CNRM_API, kind, **obj))
