"""The Route53 record tree, health checks and failover chain, computed once from the model.

Both renderings (the change batch for ``aws route53 change-resource-record-sets`` and the
ACK RecordSet/HealthCheck objects) and ``mrgen simulate`` read these functions, so they
cannot disagree. Records use the Route53 API's field names (``ResourceRecordSet``).

Tree (three levels, the most Route53 resolves):

    <domain>                     geolocation alias -> <region>.<domain>
    <region>.<domain>            failover alias    PRIMARY -> <region>.origin.<domain>
                                                   SECONDARY -> <next>.origin.<domain>
    <region>.origin.<domain>     plain A (TTL) -> the region's ingress address
    weighted.<domain>            weighted alias    -> <region>.origin.<domain> (spec weights)

Health checks sit on the alias records that point at an origin (the plain A records
cannot be alias-evaluated for health: they are outside AWS).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from generator.sections.core.model import Region
from generator.sections.global_routing import names as naming
from generator.sections.global_routing.model import GlobalRouting, Route53Settings
from generator.spec import Spec

Record = dict[str, Any]
ACTION = "UPSERT"


def secondary(region: Region) -> str | None:
    """The region a failover record's SECONDARY points at: the first of its failover order."""
    return region.failover[0] if region.failover else None


def health_check_config(gr: GlobalRouting, spec: Spec, region: Region) -> dict[str, Any]:
    """The HealthCheckConfig (API shape) for one region's origin."""
    health = gr.health_check
    config: dict[str, Any] = {
        "Type": health.type,
        "FullyQualifiedDomainName": naming.origin_record_name(gr.domain, region.name),
        "Port": health.port,
        "ResourcePath": health.path,
        "RequestInterval": health.request_interval,
        "FailureThreshold": health.failure_threshold,
    }
    if health.type == "HTTPS":
        config["EnableSNI"] = True
    if health.regions:
        config["Regions"] = list(health.regions)
    return config


def health_check_input(gr: GlobalRouting, spec: Spec, region: Region) -> dict[str, Any]:
    """``aws route53 create-health-check --cli-input-json`` for one region. The caller
    reference hashes the configuration: a changed check gets a new, unique reference."""
    config = health_check_config(gr, spec, region)
    digest = hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()
    return {
        "CallerReference": naming.health_check_caller_reference(spec, region.name, digest),
        "HealthCheckConfig": config,
    }


def has_records(r53: Route53Settings, spec: Spec) -> bool:
    """Records need the health checks' ids, which exist only once the checks are created."""
    return bool(r53.health_check_ids)


def _alias(settings: Route53Settings, target: str) -> dict[str, Any]:
    return {
        "HostedZoneId": settings.hosted_zone_id,
        "DNSName": target,
        "EvaluateTargetHealth": True,
    }


def records(gr: GlobalRouting, r53: Route53Settings, spec: Spec) -> list[Record]:
    """Every record of the tree, in a fixed order (leaves first, then what points at them)."""
    settings = r53
    domain = gr.domain
    out: list[Record] = []
    for region in spec.regions:
        out.append(
            {
                "Name": naming.origin_record_name(domain, region.name),
                "Type": "A",
                "TTL": gr.ttl,
                "ResourceRecords": [{"Value": settings.origin(region.name)}],
            }
        )
    for region in spec.regions:
        name = naming.failover_record_name(domain, region.name)
        origin = naming.origin_record_name(domain, region.name)
        backup = secondary(region)
        if backup is None:  # a single region: nothing to fail over to, a plain alias
            out.append({"Name": name, "Type": "A", "AliasTarget": _alias(settings, origin)})
            continue
        out.append(
            {
                "Name": name,
                "Type": "A",
                "SetIdentifier": naming.failover_set_identifier(region.name, "PRIMARY"),
                "Failover": "PRIMARY",
                "HealthCheckId": settings.health_check_id(region.name),
                "AliasTarget": _alias(settings, origin),
            }
        )
        out.append(
            {
                "Name": name,
                "Type": "A",
                "SetIdentifier": naming.failover_set_identifier(region.name, "SECONDARY"),
                "Failover": "SECONDARY",
                "HealthCheckId": settings.health_check_id(backup),
                "AliasTarget": _alias(settings, naming.origin_record_name(domain, backup)),
            }
        )
    for code, region_name in gr.geography:
        location = {"CountryCode": "*"} if code == "*" else {"ContinentCode": code}
        out.append(
            {
                "Name": naming.geo_record_name(domain),
                "Type": "A",
                "SetIdentifier": naming.geo_set_identifier(code),
                "GeoLocation": location,
                "AliasTarget": _alias(settings, naming.failover_record_name(domain, region_name)),
            }
        )
    for region in spec.regions:
        out.append(
            {
                "Name": naming.weighted_record_name(domain),
                "Type": "A",
                "SetIdentifier": naming.weighted_set_identifier(region.name),
                "Weight": region.weight,
                "HealthCheckId": settings.health_check_id(region.name),
                "AliasTarget": _alias(settings, naming.origin_record_name(domain, region.name)),
            }
        )
    return out


def change_batch(gr: GlobalRouting, r53: Route53Settings, spec: Spec) -> dict[str, Any]:
    """The ``--change-batch`` document: only Comment and Changes (the zone id is a flag)."""
    return {
        "Comment": f"{spec.service.name} multi-region DNS (mrgen)",
        "Changes": [{"Action": ACTION, "ResourceRecordSet": r} for r in records(gr, r53, spec)],
    }


def expected_weights(gr: GlobalRouting, spec: Spec) -> dict[str, int]:
    """Weighted-record target -> the spec's weight, for the semantic checker."""
    domain = gr.domain
    return {naming.origin_record_name(domain, r.name): r.weight for r in spec.regions}


def expected_geography(gr: GlobalRouting, spec: Spec) -> dict[str, str]:
    """Geolocation code -> the failover name it must point at, for the semantic checker."""
    domain = gr.domain
    return {code: naming.failover_record_name(domain, region) for code, region in gr.geography}


# ACK renderings: the same records with the controller's field names.
_ACK_RECORD_FIELDS = {
    "Type": "recordType",
    "TTL": "ttl",
    "SetIdentifier": "setIdentifier",
    "Failover": "failover",
    "HealthCheckId": "healthCheckID",
    "Weight": "weight",
}


def _relative(name: str, zone: str) -> str | None:
    """ACK RecordSet names are relative to the hosted zone (the controller appends it);
    the apex has no name."""
    if name == zone:
        return None
    return name.removesuffix(f".{zone}")


def ack_record_spec(record: Record, settings: Route53Settings) -> dict[str, Any]:
    spec: dict[str, Any] = {"hostedZoneID": settings.hosted_zone_id}
    relative = _relative(record["Name"], settings.zone_name)
    if relative is not None:
        spec["name"] = relative
    for api, ack in _ACK_RECORD_FIELDS.items():
        if api in record:
            spec[ack] = record[api]
    if "ResourceRecords" in record:
        spec["resourceRecords"] = [{"value": rr["Value"]} for rr in record["ResourceRecords"]]
    if "AliasTarget" in record:
        alias = record["AliasTarget"]
        spec["aliasTarget"] = {
            "dnsName": alias["DNSName"],
            "evaluateTargetHealth": alias["EvaluateTargetHealth"],
            "hostedZoneID": alias["HostedZoneId"],
        }
    if "GeoLocation" in record:
        geo = record["GeoLocation"]
        spec["geoLocation"] = {
            ("continentCode" if k == "ContinentCode" else "countryCode"): v for k, v in geo.items()
        }
    return spec


def ack_object_name(gr: GlobalRouting, spec: Spec, record: Record) -> str:
    if "SetIdentifier" in record:
        return naming.ack_record_object_name(spec, record["SetIdentifier"])
    domain = gr.domain
    for region in spec.regions:
        if record["Name"] == naming.origin_record_name(domain, region.name):
            return naming.ack_origin_object_name(spec, region.name)
        if record["Name"] == naming.failover_record_name(domain, region.name):
            return naming.ack_record_object_name(spec, region.name)
    raise ValueError(f"no object name for record {record['Name']}")


def ack_health_check_spec(gr: GlobalRouting, spec: Spec, region: Region) -> dict[str, Any]:
    config = health_check_config(gr, spec, region)
    ack = {key[0].lower() + key[1:]: value for key, value in config.items()}
    return {
        "healthCheckConfig": ack,
        "tags": [{"key": "Name", "value": naming.ack_health_check_name(spec, region.name)}],
    }
