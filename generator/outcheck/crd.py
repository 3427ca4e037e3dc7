"""Custom resources, validated against JSON schemas laid out like kubeconform's.

A schema folder holds ``<group>/<kind lowercased>_<version>.json``. Validation is strict like
``kubeconform -strict``: every schema object that lists ``properties`` and says nothing
about other keys (no ``additionalProperties``, ``patternProperties`` or
``x-kubernetes-preserve-unknown-fields``) is closed, so an unknown field is an error. The
schema root is closed too, after admitting ``apiVersion``, ``kind`` and ``metadata`` (some
upstream schemas only describe ``spec`` and ``status``). Branches of ``anyOf``/``oneOf``/
``allOf``/``not`` are left as they are: closing them would reject their siblings' fields.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.protocols import Validator

from generator.outcheck.errors import Finding, findings

ENV_VAR = "MRGEN_SCHEMA_DIR"
_OPEN_MARKERS = (
    "additionalProperties",
    "patternProperties",
    "x-kubernetes-preserve-unknown-fields",
)
_ROOT_FIELDS = {
    "apiVersion": {"type": "string"},
    "kind": {"type": "string"},
    "metadata": {"type": "object"},
}


class SchemaDirError(ValueError):
    """A schema folder that was asked for does not exist."""


class SchemaFileError(ValueError):
    """A schema file that exists but cannot be used."""


def dirs_from_env(environ: dict[str, str] | os._Environ[str]) -> list[Path]:
    """The folders listed in MRGEN_SCHEMA_DIR (``os.pathsep``-separated), in order."""
    raw = environ.get(ENV_VAR, "")
    return [Path(part) for part in raw.split(os.pathsep) if part]


def check_dirs(dirs: Sequence[Path], source: str) -> None:
    missing = [d for d in dirs if not d.is_dir()]
    if missing:
        raise SchemaDirError(f"{source}: schema folder {missing[0]} does not exist")


def schema_path(api_version: str, kind: str) -> str:
    """Relative path of a kind's schema: ``<group>/<kind>_<version>.json``."""
    group, _, version = api_version.rpartition("/")
    return f"{group}/{kind.lower()}_{version}.json"


_INLINE_FLAGS = re.compile(r"\(\?([imsU]+)\)")


def python_pattern(pattern: str) -> str | None:
    """A Go (RE2) ``pattern`` as a Python regex, or None when it cannot be translated.

    RE2 accepts flags like ``(?i)`` anywhere and they apply from there on; Python wants them
    first, so ``^(?i)(abort|warn)?$`` becomes ``^(?i:(abort|warn)?$)``.
    """
    try:
        re.compile(pattern)
        return pattern
    except re.error:
        pass
    match = _INLINE_FLAGS.search(pattern)
    if match and "U" not in match.group(1):
        fixed = f"{pattern[: match.start()]}(?{match.group(1)}:{pattern[match.end() :]})"
        try:
            re.compile(fixed)
            return fixed
        except re.error:
            return None
    return None


def _close(node: Any, root: bool = False) -> Any:
    """A copy of ``node`` with open objects closed (see the module docstring)."""
    if isinstance(node, list):
        return [_close(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: value for key, value in node.items()}
    if isinstance(out.get("properties"), dict):
        props = {k: _close(v) for k, v in out["properties"].items()}
        if root:
            props = {**copy.deepcopy(_ROOT_FIELDS), **props}
        out["properties"] = props
        if not any(marker in out for marker in _OPEN_MARKERS):
            out["additionalProperties"] = False
    for key in ("items", "additionalProperties"):
        if isinstance(out.get(key), dict):
            out[key] = _close(out[key])
    if isinstance(out.get("patternProperties"), dict):
        out["patternProperties"] = {k: _close(v) for k, v in out["patternProperties"].items()}
    if isinstance(out.get("pattern"), str):
        fixed = python_pattern(out["pattern"])
        if fixed is None:
            del out["pattern"]  # a Go-only regex: better unchecked than a crash
        else:
            out["pattern"] = fixed
    if out.get("nullable") is True and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


def strict_schema(schema: dict[str, Any]) -> dict[str, Any]:
    closed: dict[str, Any] = _close(schema, root=True)
    return closed


@dataclass
class SchemaSet:
    """Schema folders searched in order; loaded schemas are kept."""

    dirs: Sequence[Path]
    _cache: dict[str, tuple[Path, Validator] | None] = field(default_factory=dict, repr=False)

    def lookup(self, api_version: str, kind: str) -> tuple[Path, Validator] | None:
        """The schema file and validator for a kind, or None when no folder has it."""
        if "/" not in api_version:
            return None
        rel = schema_path(api_version, kind)
        if rel not in self._cache:
            self._cache[rel] = self._load(rel)
        return self._cache[rel]

    def _load(self, rel: str) -> tuple[Path, Validator] | None:
        for folder in self.dirs:
            path = folder / rel
            if path.is_file():
                try:
                    schema = json.loads(path.read_text(encoding="utf-8"))
                    if not isinstance(schema, dict):
                        raise ValueError("not a JSON object")
                except (OSError, ValueError) as exc:
                    raise SchemaFileError(f"schema {path} cannot be read: {exc}") from None
                cls = _validator_class(schema)
                return path, cls(strict_schema(schema))
        return None

    def check(self, data: dict[str, Any]) -> list[Finding]:
        found = self.lookup(str(data["apiVersion"]), str(data["kind"]))
        assert found is not None, "check() is only called for kinds that have a schema"
        return findings(found[1], data)


def _validator_class(schema: dict[str, Any]) -> type[Validator]:
    from jsonschema.validators import validator_for

    cls: type[Validator] = validator_for(schema, default=Draft7Validator)
    return cls
