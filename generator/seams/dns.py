"""Route53 as the rendered tree declares it: records, health checks, and where a name lands.

Two sources describe the same zone: the ACK ``RecordSet``/``HealthCheck`` objects (synced by
Argo CD) and the AWS CLI inputs (a change batch with ``Changes``, health-check JSON files
with ``HealthCheckConfig``). Each source is read as its own model.

A name *lands* in every cluster any of its records can lead to, whatever the routing policy
(geolocation, weighted, failover): after a failover or with other weights the alternatives
are answered too. Aliases and CNAMEs are followed inside the zone. A plain A/AAAA record is
an origin: its address belongs to a cluster when a rendered Service or gateway chart pins
that load-balancer address, else when a label of the record's own name is a region or
cluster name of the tree (``us-east-1.origin.api.example.com``).

References:
- routing policies and health: https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy.html
- ACK RecordSet (``name`` is relative to the hosted zone's domain):
  https://aws-controllers-k8s.github.io/community/reference/route53/v1alpha1/recordset/
- health-check Host and SNI: https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from generator.errors import Path
from generator.outcheck.documents import Document
from generator.seams.tree import Obj, Tree, items, mapping, text

ACK_ROUTE53 = "route53.services.k8s.aws"


def fqdn(name: str) -> str:
    return name.strip().lower().rstrip(".")


@dataclass(frozen=True)
class Record:
    name: str
    type: str
    alias: str
    values: tuple[str, ...]
    document: Document
    path: Path
    """Where the record is written (its ``name`` field)."""


@dataclass(frozen=True)
class HealthCheck:
    fqdn: str
    ip: str
    port: int
    type: str
    sni: bool
    resource_path: str
    document: Document
    path: Path
    """Where its target (FQDN or address) is written."""


@dataclass
class Landing:
    clusters: set[str] = field(default_factory=set)
    unclaimed: set[str] = field(default_factory=set)
    """Origin addresses that no cluster of the tree claims."""


@dataclass
class Zone:
    """The records of one source, by name."""

    source: str
    records: list[Record] = field(default_factory=list)

    def names(self) -> list[str]:
        return sorted({r.name for r in self.records})

    def first(self, name: str) -> Record:
        return next(r for r in self.records if r.name == name)

    def land(
        self, tree: Tree, name: str, addresses: dict[str, str], _seen: frozenset[str] = frozenset()
    ) -> Landing:
        out = Landing()
        name = fqdn(name)
        if name in _seen:
            return out
        for record in (r for r in self.records if r.name == name):
            if record.alias or record.type == "CNAME":
                targets = [record.alias] if record.alias else list(record.values)
                for target in targets:
                    found = self.land(tree, target, addresses, _seen | {name})
                    out.clusters |= found.clusters
                    out.unclaimed |= found.unclaimed
                continue
            for value in record.values:
                cluster = addresses.get(value) or _named_cluster(tree, record.name)
                if cluster:
                    out.clusters.add(cluster)
                else:
                    out.unclaimed.add(value)
        return out


def _named_cluster(tree: Tree, name: str) -> str:
    for label in name.split("."):
        if label in tree.region_clusters:
            return tree.region_clusters[label]
    return ""


def addresses(tree: Tree) -> dict[str, str]:
    """Load-balancer addresses pinned in the tree -> the cluster that owns them."""
    out: dict[str, str] = {}
    for obj in tree.placed:
        if obj.kind == "Service" and obj.group == "" and obj.cluster:
            address = text(obj.spec.get("loadBalancerIP"))
            if address:
                out[address] = obj.cluster
    for placement in tree.placements:
        for value in chart_values(placement.app):
            address = text(mapping(value.get("service")).get("loadBalancerIP"))
            if address and placement.cluster:
                out[address] = placement.cluster
    return out


def chart_values(app: Obj) -> Iterator[dict[str, Any]]:
    """The Helm ``valuesObject`` of every chart source of an Application."""
    source = app.spec.get("source")
    for item in [source] if isinstance(source, dict) else items(app.spec.get("sources")):
        values = mapping(mapping(mapping(item).get("helm")).get("valuesObject"))
        if mapping(item).get("chart") and values:
            yield values


def _zone_domains(tree: Tree, sets: list[Obj], batch: list[Record]) -> dict[str, str]:
    """Each ACK hosted zone's domain, inferred from the FQDNs the tree writes for it."""
    votes: dict[str, Counter[str]] = {}
    for obj in sets:
        zone, name = text(obj.spec.get("hostedZoneID")), fqdn(text(obj.spec.get("name")))
        counter = votes.setdefault(zone, Counter())
        for other in sets:
            alias = mapping(other.spec.get("aliasTarget"))
            target = fqdn(text(alias.get("dnsName")))
            if text(alias.get("hostedZoneID")) == zone and name and target.startswith(name + "."):
                counter[target[len(name) + 1 :]] += 1
        for record in batch:
            if name and record.name.startswith(name + "."):
                counter[record.name[len(name) + 1 :]] += 1
    zones = [o for o in tree.of_kind(ACK_ROUTE53, "HostedZone") if text(o.spec.get("name"))]
    out = {zone: counter.most_common(1)[0][0] for zone, counter in votes.items() if counter}
    if len(zones) == 1:
        for zone in votes:
            out.setdefault(zone, fqdn(text(zones[0].spec["name"])))
    return out


def _batch(document: Document) -> list[Record]:
    out = []
    for i, change in enumerate(items(mapping(document.data).get("Changes"))):
        change = mapping(change)
        record = mapping(change.get("ResourceRecordSet"))
        if text(change.get("Action")) == "DELETE" or not text(record.get("Name")):
            continue
        values = tuple(text(mapping(v).get("Value")) for v in items(record.get("ResourceRecords")))
        out.append(
            Record(
                fqdn(record["Name"]),
                text(record.get("Type")),
                fqdn(text(mapping(record.get("AliasTarget")).get("DNSName"))),
                values,
                document,
                ("Changes", i, "ResourceRecordSet", "Name"),
            )
        )
    return out


def zones(tree: Tree) -> list[Zone]:
    """One zone model per source: the ACK objects, then every change-batch file."""
    batches = [Zone(d.file, _batch(d)) for d in tree.data_documents("Changes")]
    sets = tree.of_kind(ACK_ROUTE53, "RecordSet")
    domains = _zone_domains(tree, sets, [r for z in batches for r in z.records])
    ack = Zone("ACK RecordSets")
    for obj in sets:
        domain = domains.get(text(obj.spec.get("hostedZoneID")))
        relative = fqdn(text(obj.spec.get("name")))
        if domain is None:
            continue
        name = (
            domain
            if not relative
            else (relative if relative.endswith("." + domain) else f"{relative}.{domain}")
        )
        values = tuple(
            text(mapping(v).get("value")) for v in items(obj.spec.get("resourceRecords"))
        )
        document, path = obj.where(("spec", "name"))
        ack.records.append(
            Record(
                name,
                text(obj.spec.get("recordType")),
                fqdn(text(mapping(obj.spec.get("aliasTarget")).get("dnsName"))),
                values,
                document,
                path,
            )
        )
    return [z for z in (ack, *batches) if z.records]


def union(found: list[Zone]) -> Zone:
    return Zone("all", [r for z in found for r in z.records])


def _check(config: dict[str, Any], camel: bool, document: Document, base: Path) -> HealthCheck:
    def get(key: str) -> Any:
        return config.get(key[0].lower() + key[1:] if camel else key)

    target = "FullyQualifiedDomainName" if text(get("FullyQualifiedDomainName")) else "IPAddress"
    key = target[0].lower() + target[1:] if camel else target
    port = get("Port")
    kind = text(get("Type"))
    return HealthCheck(
        fqdn(text(get("FullyQualifiedDomainName"))),
        text(get("IPAddress")),
        port if isinstance(port, int) else (443 if "HTTPS" in kind else 80),
        kind,
        get("EnableSNI") is True,
        text(get("ResourcePath")) or "/",
        document,
        (*base, key),
    )


def health_checks(tree: Tree) -> list[HealthCheck]:
    out = []
    for obj in tree.of_kind(ACK_ROUTE53, "HealthCheck"):
        document, base = obj.where(("spec", "healthCheckConfig"))
        out.append(_check(mapping(obj.spec.get("healthCheckConfig")), True, document, base))
    for document in tree.data_documents("HealthCheckConfig"):
        out.append(
            _check(
                mapping(document.data["HealthCheckConfig"]), False, document, ("HealthCheckConfig",)
            )
        )
    return out
