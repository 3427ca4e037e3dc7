"""Helpers for the seam-rule tests: small synthetic rendered trees, edits of a copy of the
example render, and running one rule with located results.

A synthetic tree without Argo CD Applications places each kustomize root in a cluster
named after its folder (``us/``, ``eu/``), which keeps fixtures short.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from generator import seams
from tests.outcheck_helpers import copy_rendered, edit_yaml, line_of

__all__ = ["copy_rendered", "edit_yaml", "findings", "loc", "write"]

APP_NS = "app"


def write(root: Path, rel: str, *docs: Any) -> Path:
    """Write documents to ``root/rel``: JSON for ``.json``, a YAML stream otherwise."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if rel.endswith(".json"):
        path.write_text(json.dumps(docs[0], indent=2) + "\n", encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump_all(list(docs), sort_keys=False), encoding="utf-8")
    return path


def append_yaml(path: Path, *docs: Any) -> None:
    """Add documents to a YAML file (a stream)."""
    path.write_text(
        path.read_text(encoding="utf-8")
        + "---\n"
        + yaml.safe_dump_all(list(docs), sort_keys=False),
        encoding="utf-8",
    )


def cluster(root: Path, name: str, *objects: dict[str, Any]) -> Path:
    """A kustomize root ``root/name`` holding one file per object (a cluster of that name)."""
    folder = root / name
    files = []
    for obj in objects:
        file = f"{obj['kind'].lower()}-{obj['metadata']['name']}.yaml"
        write(folder, file, obj)
        files.append(file)
    write(
        folder,
        "kustomization.yaml",
        {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": files,
        },
    )
    return folder


def obj(
    api_version: str, kind: str, name: str, namespace: str | None = APP_NS, **fields: Any
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    meta.update(fields.pop("metadata", {}))
    return {"apiVersion": api_version, "kind": kind, "metadata": meta, **fields}


def gateway(*hosts: str, name: str = "gw") -> dict[str, Any]:
    return obj(
        "networking.istio.io/v1",
        "Gateway",
        name,
        spec={
            "selector": {"istio": "ingressgateway"},
            "servers": [
                {
                    "port": {"number": 443, "name": "https", "protocol": "HTTPS"},
                    "hosts": list(hosts),
                    "tls": {"mode": "SIMPLE", "credentialName": "tls"},
                }
            ],
        },
    )


def virtual_service(
    *hosts: str, gateway_ref: str = f"{APP_NS}/gw", http: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return obj(
        "networking.istio.io/v1",
        "VirtualService",
        "api",
        spec={
            "hosts": list(hosts),
            "gateways": [gateway_ref],
            "http": http or [{"route": [{"destination": {"host": "api"}}]}],
        },
    )


def record(
    name: str, *, ip: str = "", alias: str = "", set_id: str = "", failover: str = ""
) -> dict[str, Any]:
    """One change of a Route53 change batch."""
    rrs: dict[str, Any] = {"Name": name, "Type": "A"}
    if alias:
        rrs["AliasTarget"] = {"DNSName": alias, "EvaluateTargetHealth": True, "HostedZoneId": "Z1"}
    else:
        rrs.update(TTL=60, ResourceRecords=[{"Value": ip}])
    if set_id:
        rrs["SetIdentifier"] = set_id
    if failover:
        rrs["Failover"] = failover
    return {"Action": "UPSERT", "ResourceRecordSet": rrs}


def health_check(fqdn: str, *, sni: bool = True, path: str = "/healthz") -> dict[str, Any]:
    return {
        "CallerReference": "ref",
        "HealthCheckConfig": {
            "EnableSNI": sni,
            "FailureThreshold": 3,
            "FullyQualifiedDomainName": fqdn,
            "Port": 443,
            "RequestInterval": 30,
            "ResourcePath": path,
            "Type": "HTTPS",
        },
    }


def findings(root: Path, rule: str | None = None) -> list[str]:
    """Every located finding of one rule (all rules when None), as printed."""
    tree = seams.read(root, str(root))
    return [str(d) for d in seams.check(tree, seams.select([rule] if rule else []))]


def loc(path: Path, needle: str, shift: int = 0) -> str:
    """``file:line:col`` of the first ``needle`` in ``path`` (``shift`` columns further)."""
    line, col = line_of(path, needle)
    return f"{path}:{line}:{col + shift}"


def loc_exact(path: Path, stripped: str, shift: int = 0) -> str:
    """``file:line:col`` of the first line that is exactly ``stripped`` once stripped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.strip() == stripped)
    col = lines[number - 1].index(stripped) + 1
    return f"{path}:{number}:{col + shift}"


def edit_all(paths: list[Path], change: Callable[[Any], None]) -> None:
    for path in paths:
        edit_yaml(path, change)
