"""Semantic checks of a Route53 change batch: the rules botocore and moto do not enforce.

botocore's parameter validation checks shapes (required keys, types, minimums); the
Route53 API itself enforces the cross-record rules only when a batch is applied, and
local fakes do not at all. mrgen runs :func:`check` on every render and refuses to write
a tree that breaks one of them; the tests mutate a good batch to prove each rule fires.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

CONTINENTS = frozenset({"AF", "AN", "AS", "EU", "NA", "OC", "SA"})
ACTIONS = frozenset({"CREATE", "UPSERT", "DELETE"})
MAX_ALIAS_LEVELS = 3
"""Route53 resolves at most three levels of records through aliases."""
MAX_HEALTH_CHECKED_TTL = 60
MAX_WEIGHT = 255


@dataclass(frozen=True)
class Expected:
    """What the spec says the tree must encode (optional parts are skipped when empty)."""

    weights: Mapping[str, int] = field(default_factory=dict)
    """Weighted-record target name -> weight."""
    geography: Mapping[str, str] = field(default_factory=dict)
    """Continent code or '*' -> alias target name."""


def _name(value: str) -> str:
    return value.lower().removesuffix(".")


def _policy(record: Mapping[str, Any]) -> str:
    for key, policy in (
        ("GeoLocation", "geolocation"),
        ("Weight", "weighted"),
        ("Failover", "failover"),
        ("Region", "latency"),
        ("MultiValueAnswer", "multivalue"),
        ("GeoProximityLocation", "geoproximity"),
    ):
        if key in record:
            return policy
    return "simple"


def _target(record: Mapping[str, Any]) -> str | None:
    alias = record.get("AliasTarget")
    if isinstance(alias, Mapping):
        return _name(str(alias.get("DNSName", "")))
    values = record.get("ResourceRecords") or []
    return str(values[0].get("Value")) if values else None


class _Checker:
    def __init__(self, records: list[Mapping[str, Any]]) -> None:
        self.records = records
        self.problems: list[str] = []
        self.groups: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
        for record in records:
            self.groups[(_name(str(record.get("Name", ""))), str(record.get("Type")))].append(
                record
            )

    def say(self, where: tuple[str, str], message: str) -> None:
        self.problems.append(f"{where[0]} {where[1]}: {message}")

    def group(self, key: tuple[str, str], members: list[Mapping[str, Any]]) -> None:
        policies = sorted({_policy(r) for r in members})
        if len(policies) > 1:
            self.say(key, f"mixes routing policies {policies}; one policy per name and type")
        if policies == ["simple"] and len(members) > 1:
            self.say(key, f"{len(members)} simple records; a name and type has only one")
        ids = [r.get("SetIdentifier") for r in members]
        for ident in sorted({i for i in ids if i is not None and ids.count(i) > 1}):
            self.say(key, f"duplicate SetIdentifier {ident!r}")
        for record in members:
            if _policy(record) != "simple" and not record.get("SetIdentifier"):
                self.say(key, f"a {_policy(record)} record without SetIdentifier")
        if "geolocation" in policies:
            self.geolocation(key, [r for r in members if "GeoLocation" in r])
        if "failover" in policies:
            roles = sorted(str(r.get("Failover")) for r in members if "Failover" in r)
            if roles != ["PRIMARY", "SECONDARY"]:
                self.say(
                    key, f"failover roles {roles}; needs exactly one PRIMARY and one SECONDARY"
                )
            for record in members:
                alias = record.get("AliasTarget") or {}
                if (
                    record.get("Failover") == "PRIMARY"
                    and not record.get("HealthCheckId")
                    and not alias.get("EvaluateTargetHealth")
                ):
                    self.say(key, "the PRIMARY has no health check; it would never fail over")
        if "weighted" in policies:
            for record in members:
                weight = record.get("Weight")
                if not isinstance(weight, int) or not 0 <= weight <= MAX_WEIGHT:
                    self.say(key, f"weight {weight!r} is not an integer 0-{MAX_WEIGHT}")
                if not record.get("HealthCheckId"):
                    self.say(
                        key,
                        f"weighted record {record.get('SetIdentifier')!r} has no "
                        "HealthCheckId; an unhealthy region would keep its share",
                    )

    def geolocation(self, key: tuple[str, str], members: list[Mapping[str, Any]]) -> None:
        seen: set[tuple[tuple[str, Any], ...]] = set()
        for record in members:
            geo = record["GeoLocation"]
            location = tuple(sorted(geo.items()))
            if location in seen:
                self.say(key, f"two records for the same location {dict(location)}")
            seen.add(location)
            continent = geo.get("ContinentCode")
            if continent is not None:
                if continent not in CONTINENTS:
                    self.say(
                        key,
                        f"invalid continent {continent!r} (valid: "
                        f"{', '.join(sorted(CONTINENTS))}; Asia-Pacific is AS + OC)",
                    )
                if "CountryCode" in geo or "SubdivisionCode" in geo:
                    self.say(key, "ContinentCode combined with CountryCode/SubdivisionCode")
        if not any(r["GeoLocation"].get("CountryCode") == "*" for r in members):
            self.say(
                key,
                "missing default geolocation (CountryCode '*'); addresses that map "
                "to no location would get no answer",
            )

    def record(self, record: Mapping[str, Any]) -> None:
        key = (_name(str(record.get("Name", ""))), str(record.get("Type")))
        if "AliasTarget" in record:
            if "TTL" in record:
                self.say(key, "an alias record has a TTL; aliases take the target's TTL")
            if "ResourceRecords" in record:
                self.say(key, "an alias record has ResourceRecords")
            target = _target(record)
            found = [t for (n, t) in self.groups if n == target]
            if not found:
                self.say(key, f"alias target {target} does not exist in the batch")
            elif key[1] not in found:
                self.say(
                    key, f"alias target {target} has type {', '.join(sorted(found))}, not {key[1]}"
                )
        else:
            ttl = record.get("TTL")
            if ttl is None or not record.get("ResourceRecords"):
                self.say(key, "a plain record needs TTL and ResourceRecords")
            elif ttl > MAX_HEALTH_CHECKED_TTL:
                self.say(
                    key,
                    f"TTL {ttl} s; keep health-checked answers at "
                    f"<= {MAX_HEALTH_CHECKED_TTL} s so failover is not cached away",
                )

    def depth(self) -> None:
        aliases: dict[str, set[str]] = defaultdict(set)
        for record in self.records:
            target = _target(record)
            if "AliasTarget" in record and target:
                aliases[_name(str(record.get("Name", "")))].add(target)

        def levels(name: str, trail: tuple[str, ...]) -> int:
            if name in trail:
                self.problems.append(f"{name}: alias loop {' -> '.join((*trail, name))}")
                return 0
            return 1 + max(
                (levels(t, (*trail, name)) for t in sorted(aliases.get(name, ()))), default=0
            )

        for name in sorted(aliases):
            depth = levels(name, ())
            if depth > MAX_ALIAS_LEVELS:
                self.problems.append(
                    f"{name}: resolves through {depth} levels of records; "
                    f"Route53 follows at most {MAX_ALIAS_LEVELS}"
                )

    def expected(self, expected: Expected) -> None:
        weighted = [r for r in self.records if "Weight" in r]
        if expected.weights:
            got = {str(_target(r)): r.get("Weight") for r in weighted}
            want = {_name(k): v for k, v in expected.weights.items()}
            if got != want:
                self.problems.append(
                    f"weighted records {dict(sorted(got.items()))} differ "
                    f"from the spec's weights {dict(sorted(want.items()))}"
                )
        if expected.geography:
            got_geo = {}
            for record in self.records:
                geo = record.get("GeoLocation")
                if isinstance(geo, Mapping):
                    code = geo.get("ContinentCode") or geo.get("CountryCode")
                    got_geo[str(code)] = _target(record)
            want_geo = {k: _name(v) for k, v in expected.geography.items()}
            if got_geo != want_geo:
                self.problems.append(
                    f"geolocation records {dict(sorted(got_geo.items()))} "
                    f"differ from the spec {dict(sorted(want_geo.items()))}"
                )


def check(batch: Mapping[str, Any], expected: Expected | None = None) -> list[str]:
    """Every semantic problem of a change batch; empty when it is sound."""
    problems: list[str] = []
    extra = sorted(set(batch) - {"Comment", "Changes"})
    if extra:
        problems.append(
            f"unexpected top-level keys {extra}; the file holds Comment and Changes "
            "(the zone id is a CLI flag)"
        )
    changes = batch.get("Changes") or []
    for i, change in enumerate(changes):
        if change.get("Action") not in ACTIONS:
            problems.append(
                f"Changes[{i}]: action {change.get('Action')!r} is not one of "
                f"{', '.join(sorted(ACTIONS))}"
            )
    records = [c["ResourceRecordSet"] for c in changes if "ResourceRecordSet" in c]
    checker = _Checker(records)
    for key in sorted(checker.groups):
        checker.group(key, checker.groups[key])
    for record in records:
        checker.record(record)
    checker.depth()
    if expected is not None:
        checker.expected(expected)
    return problems + checker.problems
