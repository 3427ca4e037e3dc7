"""Route53: the change batch and health-check inputs for the AWS CLI (``route53/``), and the
same records and checks as ACK objects for Argo CD (``k8s/platform/route53/``).

Health-check ids are only known once Route53 has created the checks, and a record that
names a check needs its id, so the records are rendered once the spec carries
``globalRouting.route53.healthCheckIds``; until then only the health checks are rendered.
Every render runs :func:`generator.dnscheck.check` over the batch and refuses a broken tree.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator import dnscheck, naming, route53
from generator.errors import Diagnostic, MrgenError
from generator.model import Spec
from generator.output import Context, RenderedFile
from generator.serialize import dump_json
from generator.targets.kustomize import manifest

TARGET = "route53"
ACK_API = "route53.services.k8s.aws/v1alpha1"


def _metadata(spec: Spec, name: str) -> dict[str, Any]:
    labels = {**naming.common_labels(spec), "app.kubernetes.io/component": "global-dns"}
    return {"name": name, "namespace": naming.namespace(spec), "labels": labels}


def checked_batch(spec: Spec) -> dict[str, Any]:
    """The change batch, or MrgenError naming every semantic problem in it."""
    batch = route53.change_batch(spec)
    expected = dnscheck.Expected(weights=route53.expected_weights(spec),
                                 geography=route53.expected_geography(spec))
    problems = dnscheck.check(batch, expected)
    if problems:
        raise MrgenError([Diagnostic(naming.CHANGE_BATCH, 0, 0, "", f"Route53 tree: {p}")
                          for p in problems])
    return batch


def render(spec: Spec, context: Context) -> Iterator[RenderedFile]:
    gr = spec.global_routing
    if gr is None or gr.route53 is None:
        return
    layer = naming.ROUTE53_LAYER
    for region in spec.regions:
        yield RenderedFile(naming.health_check_input_path(region.name),
                           dump_json(route53.health_check_input(spec, region)))
        check = {"metadata": _metadata(spec, naming.ack_health_check_name(spec, region.name)),
                 "spec": route53.ack_health_check_spec(spec, region)}
        yield manifest(context, naming.platform_object_path(layer, "HealthCheck", region.name),
                       ACK_API, "HealthCheck", check, target=TARGET)
    if not route53.has_records(spec):
        return
    batch = checked_batch(spec)
    yield RenderedFile(naming.CHANGE_BATCH, dump_json(batch))
    for change in batch["Changes"]:
        record = change["ResourceRecordSet"]
        name = route53.ack_object_name(spec, record)
        obj = {"metadata": _metadata(spec, name),
               "spec": route53.ack_record_spec(record, gr.route53)}
        yield manifest(context, naming.platform_object_path(layer, "RecordSet", name), ACK_API,
                       "RecordSet", obj, target=TARGET)
