"""Object metadata rules the JSON schemas do not express: name, namespace and label syntax.

Applied to every object. Custom resources also get the strict ObjectMeta schema, because
CRD schemas usually leave ``metadata`` open.
"""

from __future__ import annotations

import re
from typing import Any

from generator.outcheck.errors import Finding

DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
DNS_1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
LABEL_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")

# Kinds whose names are not DNS subdomains.
_LABEL_NAMED = {("", "Namespace"): DNS_LABEL, ("", "Service"): DNS_1035_LABEL}
_PATH_SEGMENT_GROUPS = {"rbac.authorization.k8s.io"}  # Role names may hold ':' (system:...)


def _qualified_name(key: str) -> str | None:
    """Why ``key`` is not a valid label/annotation key, or None when it is."""
    prefix, _, name = key.rpartition("/")
    if "/" in key and (not prefix or len(prefix) > 253 or not DNS_SUBDOMAIN.fullmatch(prefix)):
        return f"key prefix {prefix!r} is not a DNS subdomain"
    if not name or len(name) > 63 or not LABEL_NAME.fullmatch(name):
        return (
            f"key name {name!r} must be 1-63 characters of letters, digits, '-', '_', '.', "
            "starting and ending with a letter or digit"
        )
    return None


def _name(group: str, kind: str, name: object) -> str | None:
    if not isinstance(name, str):
        return "must be a string"
    if group in _PATH_SEGMENT_GROUPS:
        return (
            None
            if name not in (".", "..") and not set(name) & {"/", "%"}
            else "may not be '.' or '..' or contain '/' or '%'"
        )
    pattern = _LABEL_NAMED.get((group, kind))
    if pattern is not None:
        if len(name) > 63 or not pattern.fullmatch(name):
            return f"{name!r} is not a valid {kind} name (a DNS label of at most 63 characters)"
        return None
    if len(name) > 253 or not DNS_SUBDOMAIN.fullmatch(name):
        return (
            f"{name!r} is not a valid name (lowercase letters, digits, '-' and '.', "
            "at most 253 characters)"
        )
    return None


def check(data: dict[str, Any], *, patch: bool = False) -> list[Finding]:
    """Name, namespace, label and annotation syntax of one object."""
    meta = data.get("metadata")
    group = str(data.get("apiVersion", "")).rpartition("/")[0]
    if meta is None:
        return [] if patch else [Finding((), "metadata is required", "metadata")]
    if not isinstance(meta, dict):
        return [Finding(("metadata",), "must be an object", "metadata")]
    out: list[Finding] = []
    if "name" in meta:
        problem = _name(group, str(data.get("kind", "")), meta["name"])
        if problem:
            out.append(Finding(("metadata", "name"), problem, "metadata"))
    elif "generateName" not in meta:
        out.append(Finding(("metadata",), "metadata.name is required", "metadata"))
    namespace = meta.get("namespace")
    if namespace is not None and (
        not isinstance(namespace, str) or len(namespace) > 63 or not DNS_LABEL.fullmatch(namespace)
    ):
        out.append(
            Finding(
                ("metadata", "namespace"),
                f"{namespace!r} is not a valid namespace (a DNS label of at most 63 characters)",
                "metadata",
            )
        )
    for table in ("labels", "annotations"):
        values = meta.get(table)
        if values is None:
            continue
        if not isinstance(values, dict):
            out.append(Finding(("metadata", table), "must be a map of strings", "metadata"))
            continue
        for key, value in values.items():
            where = ("metadata", table, str(key))
            problem = (
                _qualified_name(key)
                if isinstance(key, str)
                else f"key {key!r} is not a string (quote it)"
            )
            if problem:
                out.append(Finding(where, problem, "metadata", key=True))
            if (
                table == "labels"
                and isinstance(value, str)
                and (len(value) > 63 or not LABEL_VALUE.fullmatch(value))
            ):
                out.append(
                    Finding(
                        where,
                        f"{value!r} is not a valid label value (at most 63 "
                        "letters, digits, '-', '_', '.')",
                        "metadata",
                    )
                )
    return out
