"""Core Kubernetes kinds, validated strictly with the kubernetes-validate package.

kubernetes-validate bundles the upstream OpenAPI schemas converted to JSON Schema, with a
``-strict`` variant where every object rejects unknown fields. Its ``validate()`` stops at
the first error and re-reads the shared definitions for every document, so this module
builds one validator per kind from the same bundled files, keeps it, and reports every
error. When the bundle's layout is not the expected one, it falls back to
``kubernetes_validate.validate(..., strict=True)`` (first error only).
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from referencing import Registry, Resource

from generator.outcheck.errors import Finding, findings

_DEFINITIONS = "_definitions.json"
_META_REF = "https://kubernetes.io/api/_definitions.json#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
_VERSION_DIR = re.compile(r"v(\d+)\.(\d+)\.(\d+)-local-strict")


class VersionError(ValueError):
    """The requested Kubernetes version is not bundled with kubernetes-validate."""


def _major_minor(version: str) -> tuple[int, int]:
    match = re.fullmatch(r"v?(\d+)\.(\d+)(?:\.\d+)?", version)
    if not match:
        raise VersionError(f"{version!r} is not a Kubernetes version like 1.32.0")
    return int(match.group(1)), int(match.group(2))


def _bundle() -> Traversable | None:
    root = resources.files("kubernetes_validate") / "kubernetes-json-schema"
    return root if root.is_dir() else None


@cache
def schema_folder(version: str) -> Traversable | None:
    """The newest bundled strict schema folder not newer than ``version`` (None: no bundle)."""
    wanted = _major_minor(version)
    bundle = _bundle()
    if bundle is None:
        return None
    available = sorted(
        (tuple(int(g) for g in m.groups()), entry)
        for entry in bundle.iterdir()
        if (m := _VERSION_DIR.fullmatch(entry.name))
    )
    usable = [entry for numbers, entry in available if numbers[:2] <= wanted]
    if not usable:
        raise VersionError(f"kubernetes-validate has no schemas for Kubernetes {version}")
    if available and available[-1][0][:2] < wanted:
        newest = ".".join(map(str, available[-1][0][:2]))
        raise VersionError(
            f"kubernetes-validate knows Kubernetes up to {newest}, "
            f"not {version}; upgrade it or pass an older --kubernetes-version"
        )
    return usable[-1]


@cache
def _registry(version: str) -> Registry[Any] | None:
    folder = schema_folder(version)
    if folder is None:
        return None
    definitions = json.loads((folder / _DEFINITIONS).read_text(encoding="utf-8"))
    return Resource.from_contents(definitions) @ Registry()


def _file_name(api_version: str, kind: str) -> str:
    group, _, version = api_version.rpartition("/")
    short = group.split(".", 1)[0]
    return f"{kind.lower()}-{short}-{version}.json" if group else f"{kind.lower()}-{version}.json"


def could_be_core(api_version: str) -> bool:
    """Core groups have no dot (``apps``) or end in ``.k8s.io``; anything else is a CRD."""
    group = api_version.rpartition("/")[0]
    return not group or "." not in group or group.endswith(".k8s.io")


@cache
def validator_for(api_version: str, kind: str, version: str) -> Draft202012Validator | None:
    """The strict validator of a core kind, or None when it is not a core kind."""
    if not could_be_core(api_version):
        return None
    folder, registry = schema_folder(version), _registry(version)
    if folder is None or registry is None:
        return None
    entry = folder / _file_name(api_version, kind)
    if not entry.is_file():
        return None
    schema = json.loads(entry.read_text(encoding="utf-8"))
    group, _, ver = api_version.rpartition("/")
    kinds = schema.get("x-kubernetes-group-version-kind", [])
    if not any(
        g.get("group", "") == group and g.get("version") == ver and g.get("kind") == kind
        for g in kinds
    ):
        return None  # same short name, different group (e.g. a CRD group ending in .k8s.io)
    return Draft202012Validator(schema, registry=registry)


@cache
def metadata_validator(version: str) -> Draft202012Validator | None:
    """Strict ObjectMeta: custom resource schemas usually leave ``metadata`` open."""
    registry = _registry(version)
    if registry is None:
        return None
    return Draft202012Validator({"$ref": _META_REF}, registry=registry)


def is_core(api_version: str, kind: str, version: str) -> bool:
    if _bundle() is None:
        return _fallback_known(api_version, kind, version)
    return validator_for(api_version, kind, version) is not None


def check(data: dict[str, Any], version: str) -> list[Finding]:
    """Every strict-schema error of a core object (empty when it is valid)."""
    validator = validator_for(str(data["apiVersion"]), str(data["kind"]), version)
    if validator is None:
        return _fallback_check(data, version)
    return findings(validator, data)


def _fallback_known(api_version: str, kind: str, version: str) -> bool:
    import kubernetes_validate

    try:
        kubernetes_validate.validate(
            {"apiVersion": api_version, "kind": kind}, version, strict=True
        )
    except kubernetes_validate.SchemaNotFoundError:
        return False
    except ValidationError:
        pass
    return True


def _fallback_check(data: dict[str, Any], version: str) -> list[Finding]:
    import kubernetes_validate

    try:
        kubernetes_validate.validate(data, version, strict=True)
    except ValidationError as exc:
        return [Finding(tuple(exc.absolute_path), exc.message, str(exc.validator))]
    return []
