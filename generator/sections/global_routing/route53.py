"""Route53: the change batch and health-check inputs for the AWS CLI (``route53/``), and the
same records and checks as ACK objects for Argo CD (``k8s/platform/route53/``).

Health-check ids are only known once Route53 has created the checks, and a record that
names a check needs its id, so the records are rendered once the spec carries
``globalRouting.route53.healthCheckIds``; until then only the health checks are rendered.
Every render runs :func:`dnscheck.check` over the batch and refuses a broken tree.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator import emit
from generator.errors import MrgenError, fail
from generator.section import RenderedFile
from generator.sections.core import names as core_names
from generator.sections.global_routing import dnscheck, names, records
from generator.sections.global_routing.model import GlobalRouting, Route53Settings
from generator.spec import Spec

ACK_API = "route53.services.k8s.aws/v1alpha1"


def _metadata(spec: Spec, name: str) -> dict[str, Any]:
    return emit.metadata(
        name,
        namespace=core_names.namespace(spec),
        labels=core_names.common_labels(spec, "global-dns"),
    )


def checked_batch(gr: GlobalRouting, r53: Route53Settings, spec: Spec) -> dict[str, Any]:
    """The change batch, or MrgenError naming every semantic problem in it."""
    batch = records.change_batch(gr, r53, spec)
    expected = dnscheck.Expected(
        weights=records.expected_weights(gr, spec), geography=records.expected_geography(gr, spec)
    )
    problems = dnscheck.check(batch, expected)
    if problems:
        raise MrgenError(
            d for p in problems for d in fail(names.CHANGE_BATCH, f"Route53 tree: {p}").diagnostics
        )
    return batch


def render(gr: GlobalRouting, r53: Route53Settings, spec: Spec) -> Iterator[RenderedFile]:
    layer = names.ROUTE53_LAYER
    for region in spec.regions:
        yield emit.json_file(
            names.health_check_input_path(region.name), records.health_check_input(gr, spec, region)
        )
        check = {
            "metadata": _metadata(spec, names.ack_health_check_name(spec, region.name)),
            "spec": records.ack_health_check_spec(gr, spec, region),
        }
        yield emit.yaml_file(
            core_names.platform_object_path(layer, "HealthCheck", region.name),
            emit.k8s(ACK_API, "HealthCheck", **check),
        )
    if not records.has_records(r53, spec):
        return
    batch = checked_batch(gr, r53, spec)
    yield emit.json_file(names.CHANGE_BATCH, batch)
    for change in batch["Changes"]:
        record = change["ResourceRecordSet"]
        name = records.ack_object_name(gr, spec, record)
        obj = {"metadata": _metadata(spec, name), "spec": records.ack_record_spec(record, r53)}
        yield emit.yaml_file(
            core_names.platform_object_path(layer, "RecordSet", name),
            emit.k8s(ACK_API, "RecordSet", **obj),
        )
