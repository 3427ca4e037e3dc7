"""Route53: the change batch against botocore's model and moto, the semantic checker
against deliberate mistakes, and the ACK objects against the change batch."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.errors import MrgenError
from generator.sections.core import names as core_names
from generator.sections.global_routing import dnscheck, records
from generator.sections.global_routing import names as naming
from generator.sections.global_routing.model import GLOBAL_ROUTING, GlobalRouting, Route53Settings
from generator.spec import Spec
from tests.conftest import require_crd_schemas
from tests.globalspec import example_data, files, model, require_module

Batch = dict[str, Any]


def _botocore_problems(operation: str, params: dict[str, Any]) -> str:
    """botocore's own parameter validation (offline) against the Route53 service model."""
    session_mod = require_module("botocore.session")
    validate_mod = require_module("botocore.validate")
    service = session_mod.get_session().get_service_model("route53")
    report = validate_mod.ParamValidator().validate(
        params, service.operation_model(operation).input_shape
    )
    text: str = report.generate_report() if report.has_errors() else ""
    return text


def _routing(spec: Spec) -> tuple[GlobalRouting, Route53Settings]:
    gr = spec.get(GLOBAL_ROUTING)
    assert gr is not None and gr.route53 is not None
    return gr, gr.route53


def _batch(spec: Spec | None = None) -> Batch:
    spec = spec or model()
    return records.change_batch(*_routing(spec), spec)


def _expected(spec: Spec) -> dnscheck.Expected:
    gr, _ = _routing(spec)
    return dnscheck.Expected(
        weights=records.expected_weights(gr, spec), geography=records.expected_geography(gr, spec)
    )


def test_rendered_change_batch_is_the_model_and_passes_botocore() -> None:
    spec = model()
    rendered = json.loads(files(spec)[naming.CHANGE_BATCH].content)
    assert rendered == _batch(spec)
    assert set(rendered) == {"Comment", "Changes"}
    zone = _routing(spec)[1].hosted_zone_id
    assert (
        _botocore_problems(
            "ChangeResourceRecordSets", {"HostedZoneId": zone, "ChangeBatch": rendered}
        )
        == ""
    )


def test_botocore_validation_can_fail() -> None:
    batch = _batch()
    del batch["Changes"][-1]["ResourceRecordSet"]["AliasTarget"]["EvaluateTargetHealth"]
    report = _botocore_problems(
        "ChangeResourceRecordSets", {"HostedZoneId": "Z1", "ChangeBatch": batch}
    )
    assert "EvaluateTargetHealth" in report


def test_health_check_inputs_pass_botocore_and_the_failover_budget() -> None:
    spec = model()
    rendered = files(spec)
    refs = set()
    for region in spec.regions:
        params = json.loads(rendered[naming.health_check_input_path(region.name)].content)
        assert _botocore_problems("CreateHealthCheck", params) == ""
        config = params["HealthCheckConfig"]
        assert config["Type"] in ("HTTP", "HTTPS") and config["ResourcePath"] == "/healthz"
        assert config["RequestInterval"] in (10, 30) and 1 <= config["FailureThreshold"] <= 10
        assert len(config.get("Regions", [1, 2, 3])) >= 3
        ttl = _routing(spec)[0].ttl
        assert config["RequestInterval"] * config["FailureThreshold"] + ttl < 300
        assert config["FullyQualifiedDomainName"] == f"{region.name}.origin.api.example.com"
        refs.add(params["CallerReference"])
    assert len(refs) == len(spec.regions)


def test_good_batch_has_no_semantic_problems_and_the_guide_tree() -> None:
    spec = model()
    batch = _batch(spec)
    assert dnscheck.check(batch, _expected(spec)) == []
    records = [c["ResourceRecordSet"] for c in batch["Changes"]]
    geo = {
        (r["GeoLocation"].get("ContinentCode") or r["GeoLocation"]["CountryCode"]): r[
            "AliasTarget"
        ]["DNSName"]
        for r in records
        if "GeoLocation" in r
    }
    assert geo == {
        "NA": "us-east-1.api.example.com",
        "EU": "eu-west-1.api.example.com",
        "AS": "ap-southeast-1.api.example.com",
        "OC": "ap-southeast-1.api.example.com",
        "*": "us-east-1.api.example.com",
    }
    secondaries = {
        r["Name"]: r["AliasTarget"]["DNSName"] for r in records if r.get("Failover") == "SECONDARY"
    }
    assert secondaries == {
        "us-east-1.api.example.com": "eu-west-1.origin.api.example.com",
        "eu-west-1.api.example.com": "us-east-1.origin.api.example.com",
        "ap-southeast-1.api.example.com": "us-east-1.origin.api.example.com",
    }
    weights = {r["AliasTarget"]["DNSName"]: r["Weight"] for r in records if "Weight" in r}
    assert weights == {
        "us-east-1.origin.api.example.com": 50,
        "eu-west-1.origin.api.example.com": 30,
        "ap-southeast-1.origin.api.example.com": 20,
    }
    assert all(
        r["Name"] == "weighted.api.example.com" and r["HealthCheckId"]
        for r in records
        if "Weight" in r
    )


def _records(batch: Batch) -> list[dict[str, Any]]:
    return [c["ResourceRecordSet"] for c in batch["Changes"]]


def _find(batch: Batch, ident: str) -> dict[str, Any]:
    return next(r for r in _records(batch) if r.get("SetIdentifier") == ident)


def _origin(batch: Batch, region: str) -> dict[str, Any]:
    return next(r for r in _records(batch) if r["Name"] == f"{region}.origin.api.example.com")


def _add_weighted_on_geo_name(b: Batch) -> None:
    extra = copy.deepcopy(_find(b, "weighted-us-east-1"))
    extra["Name"], extra["SetIdentifier"] = "api.example.com", "mixed"
    b["Changes"].append({"Action": "UPSERT", "ResourceRecordSet": extra})


def _drop_default(b: Batch) -> None:
    b["Changes"] = [
        c for c in b["Changes"] if c["ResourceRecordSet"].get("SetIdentifier") != "geo-default"
    ]


def _drop_secondary(b: Batch) -> None:
    b["Changes"] = [
        c
        for c in b["Changes"]
        if c["ResourceRecordSet"].get("SetIdentifier") != "eu-west-1-secondary"
    ]


def _set(ident: str, path: tuple[str, ...], value: Any) -> Callable[[Batch], None]:
    def mutate(b: Batch) -> None:
        node = _find(b, ident)
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


def _origin_as_cname(b: Batch) -> None:
    record = _origin(b, "us-east-1")
    record["Type"], record["ResourceRecords"] = "CNAME", [{"Value": "ingress.example.net"}]


def _origin_ttl(b: Batch) -> None:
    _origin(b, "eu-west-1")["TTL"] = 300


def _no_health_check_on_weighted(b: Batch) -> None:
    del _find(b, "weighted-eu-west-1")["HealthCheckId"]


def _zone_id_in_file(b: Batch) -> None:
    b["HostedZoneId"] = "Z1"


def _insert_action(b: Batch) -> None:
    b["Changes"][0]["Action"] = "INSERT"


MUTATIONS: dict[str, tuple[Callable[[Batch], None], str, bool]] = {
    # name: (mutation, expected message fragment, botocore accepts it too)
    "mixed policies": (
        _add_weighted_on_geo_name,
        "mixes routing policies ['geolocation', 'weighted']",
        True,
    ),
    "duplicate set identifier": (
        _set("geo-eu", ("SetIdentifier",), "geo-na"),
        "duplicate SetIdentifier 'geo-na'",
        True,
    ),
    "AP continent": (
        _set("geo-as", ("GeoLocation", "ContinentCode"), "AP"),
        "invalid continent 'AP'",
        True,
    ),
    "continent with country": (
        _set("geo-eu", ("GeoLocation", "CountryCode"), "FR"),
        "ContinentCode combined with CountryCode",
        True,
    ),
    "missing default": (_drop_default, "missing default geolocation", True),
    "dangling alias": (
        _set("us-east-1-primary", ("AliasTarget", "DNSName"), "nowhere.api.example.com"),
        "alias target nowhere.api.example.com does not exist",
        True,
    ),
    "alias type mismatch": (_origin_as_cname, "has type CNAME, not A", True),
    "alias with TTL": (_set("geo-na", ("TTL",), 60), "an alias record has a TTL", True),
    "weights differ": (
        _set("weighted-us-east-1", ("Weight",), 40),
        "differ from the spec's weights",
        True,
    ),
    "weight out of range": (
        _set("weighted-us-east-1", ("Weight",), 300),
        "weight 300 is not an integer 0-255",
        True,
    ),
    "geo points elsewhere": (
        _set("geo-eu", ("AliasTarget", "DNSName"), "us-east-1.api.example.com"),
        "geolocation records",
        True,
    ),
    "lone primary": (_drop_secondary, "needs exactly one PRIMARY and one SECONDARY", True),
    "four levels": (
        _set("us-east-1-secondary", ("AliasTarget", "DNSName"), "weighted.api.example.com"),
        "resolves through 4 levels",
        True,
    ),
    "weighted without health check": (_no_health_check_on_weighted, "has no HealthCheckId", True),
    "long TTL": (_origin_ttl, "TTL 300 s", True),
    "invalid action": (_insert_action, "action 'INSERT'", True),
    "zone id in the file": (_zone_id_in_file, "unexpected top-level keys ['HostedZoneId']", False),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_semantic_checker_catches(name: str) -> None:
    spec = model()
    mutate, fragment, botocore_accepts = MUTATIONS[name]
    batch = _batch(spec)
    mutate(batch)
    problems = dnscheck.check(batch, _expected(spec))
    assert any(fragment in p for p in problems), problems
    if botocore_accepts:  # the point: the service model's validation does not see it
        report = _botocore_problems(
            "ChangeResourceRecordSets", {"HostedZoneId": "Z1", "ChangeBatch": batch}
        )
        assert report == "", report


def test_render_refuses_a_broken_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = model()
    original = records.records

    def broken(gr: GlobalRouting, r53: Route53Settings, s: Spec) -> list[dict[str, Any]]:
        return [r for r in original(gr, r53, s) if r.get("SetIdentifier") != "geo-default"]

    monkeypatch.setattr(records, "records", broken)
    with pytest.raises(MrgenError) as caught:
        files(spec)
    assert "missing default geolocation" in str(caught.value)
    assert naming.CHANGE_BATCH in str(caught.value)


# ACK objects: the same records, with the controller's names.
_ACK_TO_API = {
    "recordType": "Type",
    "ttl": "TTL",
    "setIdentifier": "SetIdentifier",
    "failover": "Failover",
    "healthCheckID": "HealthCheckId",
    "weight": "Weight",
}


def _ack_as_api(obj: dict[str, Any], zone_name: str) -> dict[str, Any]:
    """Read an ACK RecordSet back into the change-batch form (independently of mrgen)."""
    spec = obj["spec"]
    record: dict[str, Any] = {
        "Name": f"{spec['name']}.{zone_name}" if "name" in spec else zone_name
    }
    for ack, api in _ACK_TO_API.items():
        if ack in spec:
            record[api] = spec[ack]
    if "resourceRecords" in spec:
        record["ResourceRecords"] = [{"Value": v["value"]} for v in spec["resourceRecords"]]
    if "aliasTarget" in spec:
        a = spec["aliasTarget"]
        record["AliasTarget"] = {
            "DNSName": a["dnsName"],
            "HostedZoneId": a["hostedZoneID"],
            "EvaluateTargetHealth": a["evaluateTargetHealth"],
        }
    if "geoLocation" in spec:
        g = spec["geoLocation"]
        record["GeoLocation"] = {
            {"continentCode": "ContinentCode", "countryCode": "CountryCode"}[k]: v
            for k, v in g.items()
        }
    return record


def _platform_objects(kind: str) -> list[dict[str, Any]]:
    layer = f"{core_names.platform_dir(naming.ROUTE53_LAYER)}/"
    out = []
    for path, file in files(model()).items():
        if path.startswith(layer) and not path.endswith("kustomization.yaml"):
            obj = yaml.safe_load(file.content)
            if obj["kind"] == kind:
                out.append(obj)
    return out


def _canonical(records: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True) for r in records)


def test_ack_recordsets_and_the_change_batch_describe_identical_records() -> None:
    spec = model()
    settings = _routing(spec)[1]
    objects = _platform_objects("RecordSet")
    assert {o["spec"]["hostedZoneID"] for o in objects} == {settings.hosted_zone_id}
    from_ack = [_ack_as_api(o, settings.zone_name) for o in objects]
    assert _canonical(from_ack) == _canonical(_records(_batch(spec)))


def test_ack_health_checks_match_the_cli_inputs() -> None:
    spec = model()
    rendered = files(spec)
    for obj in _platform_objects("HealthCheck"):
        region = obj["metadata"]["name"].removeprefix("fingerprint-api-hc-")
        cli = json.loads(rendered[naming.health_check_input_path(region)].content)
        as_api = {k[0].upper() + k[1:]: v for k, v in obj["spec"]["healthCheckConfig"].items()}
        assert as_api == cli["HealthCheckConfig"]


def test_ack_objects_validate_against_the_shared_schemas() -> None:
    jsonschema = require_module("jsonschema")
    folder = require_crd_schemas() / "route53.services.k8s.aws"
    for kind in ("RecordSet", "HealthCheck"):
        schema = json.loads((folder / f"{kind.lower()}_v1alpha1.json").read_text())
        objects = _platform_objects(kind)
        assert objects
        for obj in objects:
            jsonschema.validate(obj, schema)
            assert obj["apiVersion"] == "route53.services.k8s.aws/v1alpha1"


def test_without_health_check_ids_only_the_checks_render() -> None:
    data = example_data()
    del data["globalRouting"]["route53"]["healthCheckIds"]
    rendered = files(model(data))
    assert naming.CHANGE_BATCH not in rendered
    assert naming.health_check_input_path("us-east-1") in rendered
    layer = core_names.platform_dir(naming.ROUTE53_LAYER)
    assert not [p for p in rendered if p.startswith(f"{layer}/recordset-")]
    assert [p for p in rendered if p.startswith(f"{layer}/healthcheck-")]


def test_moto_applies_the_change_batch_end_to_end(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Bootstrap as a user would: create the zone and the rendered health checks, put their
    ids into the spec, render the records, apply them, and read them back."""
    moto = require_module("moto")
    boto3 = require_module("boto3")
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    data = example_data()
    del data["globalRouting"]["route53"]["healthCheckIds"]
    with moto.mock_aws():
        client = boto3.client("route53", region_name="us-east-1")
        zone = client.create_hosted_zone(Name="example.com", CallerReference="mrgen-test")
        zone_id = zone["HostedZone"]["Id"].split("/")[-1]
        data["globalRouting"]["route53"]["hostedZoneId"] = zone_id
        phase_one = files(model(data))
        ids = {}
        for region in data["regions"]:
            params = json.loads(phase_one[naming.health_check_input_path(region["name"])].content)
            ids[region["name"]] = client.create_health_check(**params)["HealthCheck"]["Id"]
        data["globalRouting"]["route53"]["healthCheckIds"] = ids
        batch = json.loads(files(model(data))[naming.CHANGE_BATCH].content)
        client.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch=batch)
        listed = client.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    ours = [r for r in listed if r["Type"] == "A"]
    keys = ("Name", "SetIdentifier", "Weight", "Failover", "HealthCheckId", "TTL")
    # moto reports TTL 0 on alias records, which carry none; compare the rest.
    got = _canonical(
        [
            {k: r[k] for k in keys if k in r and not (k == "TTL" and "AliasTarget" in r)}
            for r in ours
        ]
    )
    want = [{**{k: r[k] for k in keys if k in r}, "Name": r["Name"] + "."} for r in _records(batch)]
    assert got == _canonical(want)
    aliases = {
        (r["Name"], r.get("SetIdentifier")): r["AliasTarget"]["DNSName"].rstrip(".")
        for r in ours
        if "AliasTarget" in r
    }
    assert aliases[("api.example.com.", "geo-default")] == "us-east-1.api.example.com"
    assert set(ids.values()) == {r["HealthCheckId"] for r in ours if "Weight" in r}
