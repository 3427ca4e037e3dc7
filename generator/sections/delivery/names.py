"""Delivery (Argo CD) names: objects under argocd/, all in Argo CD's namespace (names unique
there)."""

from __future__ import annotations

from generator.errors import Path
from generator.section import DerivedName
from generator.sections.core.model import Region
from generator.sections.core.names import DNS_LABEL_MAX, K8S, HasService
from generator.sections.delivery.model import Delivery
from generator.sections.mesh.names import CANARY_ISTIOD_RELEASE, ISTIO_CHARTS, ISTIO_RELEASES
from generator.spec import Spec

ARGOCD = "argocd"
SYNC_WAVE = "argocd.argoproj.io/sync-wave"


def workload_application_name(spec: HasService, region: Region) -> str:
    return f"{spec.service.name}-{region.name}"


def workload_applicationset_name(spec: HasService) -> str:
    return spec.service.name


def istio_application_name(region: Region, chart: str, canary: bool = False) -> str:
    release = CANARY_ISTIOD_RELEASE if canary else ISTIO_RELEASES[chart]
    return f"{region.name}-{release}"


def platform_application_name(spec: HasService, layer: str) -> str:
    return f"{spec.service.name}-platform-{layer}"


def root_application_name(spec: HasService) -> str:
    return f"{spec.service.name}-argocd"


def project_names(delivery: Delivery) -> dict[str, str]:
    """AppProjects by purpose: workloads, Istio install, platform (Argo CD's own objects and
    the platform layers)."""
    base = delivery.project
    return {"workloads": base, "istio": f"{base}-istio", "platform": f"{base}-platform"}


def rendered_source(delivery: Delivery, folder: str) -> str:
    """Repository path Argo CD reads for an output folder."""
    return f"{delivery.rendered_path}/{folder}"


def overlay_source_template(delivery: Delivery) -> str:
    """The ApplicationSet's source path: a Go template over the element's ``region``."""
    return rendered_source(delivery, f"{K8S}/overlays/{{{{.region}}}}")


def derived_names(delivery: Delivery, spec: Spec) -> list[DerivedName]:
    names = [
        DerivedName(
            root_application_name(spec),
            DNS_LABEL_MAX,
            "Argo CD Application name",
            ("service", "name"),
        )
    ]
    names.extend(
        DerivedName(name, DNS_LABEL_MAX, "Argo CD AppProject name", ("delivery", "project"))
        for name in project_names(delivery).values()
    )
    for region in spec.regions:
        blame: Path = ("regions", region.index, "name")
        names.append(
            DerivedName(
                workload_application_name(spec, region),
                DNS_LABEL_MAX,
                "Argo CD Application name",
                blame,
            )
        )
        names.extend(
            DerivedName(
                istio_application_name(region, chart, canary),
                DNS_LABEL_MAX,
                "Argo CD Application name (Istio)",
                blame,
            )
            for chart in ISTIO_CHARTS
            for canary in (False, True)
        )
    names.extend(
        DerivedName(
            platform_application_name(spec, layer),
            DNS_LABEL_MAX,
            "Argo CD Application name (platform layer)",
            ("service", "name"),
        )
        for layer in spec.layers
    )
    return names


def workload_application_name_template(spec: HasService) -> str:
    """The ApplicationSet's Application name: ``workload_application_name`` as a Go template."""
    return f"{spec.service.name}-{{{{.region}}}}"


def argocd_file(kind: str, name: str) -> str:
    return f"{ARGOCD}/{kind.lower()}-{name}.yaml"


def root_file() -> str:
    return f"{ARGOCD}/root.yaml"


def istio_application_file(region: Region, chart: str, canary: bool = False) -> str:
    return f"{ARGOCD}/istio/{istio_application_name(region, chart, canary)}.yaml"


def platform_application_file(layer: str) -> str:
    return f"{ARGOCD}/platform/{layer}.yaml"
