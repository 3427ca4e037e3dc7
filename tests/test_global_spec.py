"""The globalRouting section: defaults, and every semantic mistake as a located error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.globalspec import example_data, model, routing, spec_text, write_spec

Data = dict[str, Any]


def _gr(data: Data) -> Data:
    section: Data = data["globalRouting"]
    return section


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _set_geo(code: str, region: str) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        _gr(data)["geography"][code] = region

    return mutate


def _drop_geo(code: str) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        del _gr(data)["geography"][code]

    return mutate


def _budget(data: Data) -> None:
    _gr(data)["healthCheck"]["failureThreshold"] = 8  # 30 x 8 + 60 = 300


def _bad_ip(data: Data) -> None:
    _gr(data)["route53"]["origins"]["eu-west-1"] = "203.0.113.300"


def _missing_origin(data: Data) -> None:
    del _gr(data)["route53"]["origins"]["ap-southeast-1"]


def _foreign_zone(data: Data) -> None:
    _gr(data)["gclb"]["negZones"]["eu-west-1"] = ["us-west1-b"]


def _outside_zone(data: Data) -> None:
    _gr(data)["route53"]["zoneName"] = "example.org"


def _no_route53_section(data: Data) -> None:
    del _gr(data)["route53"]


def _ids_missing_region(data: Data) -> None:
    del _gr(data)["route53"]["healthCheckIds"]["eu-west-1"]


def _shared_id(data: Data) -> None:
    ids = _gr(data)["route53"]["healthCheckIds"]
    ids["eu-west-1"] = ids["us-east-1"]


# name: (mutation, message fragment, text on the blamed line)
CASES: dict[str, tuple[Callable[[Data], None], str, str]] = {
    "AP continent": (
        _set_geo("AP", "ap-southeast-1"),
        "invalid continent code 'AP' (Route53 has no AP continent: use AS and OC)",
        "AP:",
    ),
    "missing region": (
        _set_geo("SA", "sa-east-1"),
        "'sa-east-1' is not a region in this spec",
        "SA:",
    ),
    "no default": (_drop_geo("*"), "missing the default '*' entry", "geography:"),
    "failover budget": (_budget, "= 300 s reaches the 300 s failover target", "failureThreshold:"),
    "bad IPv4": (_bad_ip, "'203.0.113.300' is not an IPv4 address", "203.0.113.300"),
    "missing origin": (
        _missing_origin,
        "no origin address for region(s) ap-southeast-1",
        "origins:",
    ),
    "NEG zone elsewhere": (
        _foreign_zone,
        "zone 'us-west1-b' is not in eu-west-1's GCP region",
        "- us-west1-b",
    ),
    "domain outside zone": (
        _outside_zone,
        "'api.example.com' is not inside the hosted zone",
        "domain:",
    ),
    "provider without settings": (
        _no_route53_section,
        "'route53' is enabled but the route53 section is missing",
        "providers:",
    ),
    "ids missing a region": (
        _ids_missing_region,
        "no health-check id for region(s) eu-west-1",
        "healthCheckIds:",
    ),
    "shared health check": (_shared_id, "the same id as", "us-east-1: 1111"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_mistakes_are_located_errors(name: str, tmp_path: Path) -> None:
    mutate, fragment, blamed = CASES[name]
    data = example_data()
    mutate(data)
    path = write_spec(tmp_path, data)
    result = run_cli(["validate", str(path)])
    assert result.exit_code == 1, result.stdout
    line = _line_of(spec_text(data), blamed)
    matching = [e for e in result.stderr.splitlines() if fragment in e]
    assert matching, result.stderr
    assert matching[0].startswith(f"{path}:{line}:"), (matching, line)


def test_all_mistakes_are_reported_together(tmp_path: Path) -> None:
    data = example_data()
    skipped = (_no_route53_section, _shared_id)
    for mutate, _, _ in CASES.values():
        if mutate not in skipped:
            mutate(data)
    result = run_cli(["validate", str(write_spec(tmp_path, data))])
    assert result.exit_code == 1
    for name, (mutate, fragment, _) in CASES.items():
        if mutate not in skipped:
            assert fragment in result.stderr, name


def test_defaults_follow_the_guide() -> None:
    data = example_data()
    section = _gr(data)
    for key in ("geography", "healthCheck", "ttl"):
        del section[key]
    del section["gclb"]["cdnCacheMode"]
    del section["gclb"]["negName"]
    gr = routing(model(data))
    assert gr is not None and gr.gclb is not None
    assert dict(gr.geography) == {
        "NA": "us-east-1",
        "EU": "eu-west-1",
        "AS": "ap-southeast-1",
        "OC": "ap-southeast-1",
        "*": "us-east-1",
    }
    assert gr.health_check.path == data["service"]["health"]["liveness"]
    assert (gr.health_check.request_interval, gr.health_check.failure_threshold, gr.ttl) == (
        30,
        3,
        60,
    )
    assert gr.gclb.cdn_cache_mode == "USE_ORIGIN_HEADERS"
    assert gr.gclb.neg_name == "fingerprint-api-ingress"
    assert gr.gclb.certificate_domains == ("api.example.com",)


def test_default_geography_uses_only_regions_the_spec_has() -> None:
    data = example_data()
    del _gr(data)["geography"]
    data["regions"][0]["role"], data["regions"][1]["role"] = "secondary", "primary"
    data["regions"][2]["name"] = "ap-south-1"
    for key in ("origins", "healthCheckIds"):
        section = _gr(data)["route53"][key]
        section["ap-south-1"] = section.pop("ap-southeast-1")
    zones = _gr(data)["gclb"]["negZones"]
    zones["ap-south-1"] = zones.pop("ap-southeast-1")
    for region in data["regions"]:
        region["failover"] = [
            n if n != "ap-southeast-1" else "ap-south-1" for n in region["failover"]
        ]
    gr = routing(model(data))
    assert gr is not None
    assert dict(gr.geography) == {"NA": "us-east-1", "EU": "eu-west-1", "*": "eu-west-1"}
