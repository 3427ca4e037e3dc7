"""JSON Schema errors turned into short findings at a data path.

An unknown field is reported at the field itself (so its line is the offending key), not
at the object that holds it; long instance dumps are cut so one mistake is one line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from jsonschema import ValidationError
from jsonschema.protocols import Validator

from generator.errors import Path, format_path

_MAX_MESSAGE = 200


@dataclass(frozen=True, order=True)
class Finding:
    """One problem at a data path inside one document."""

    path: Path
    message: str
    rule: str = ""
    """The JSON Schema keyword that failed ("required", "type", ...), or a check name."""
    key: bool = False
    """Locate at the key (an unknown field) rather than at its value."""


def normal(path: Iterable[Any]) -> Path:
    """A data path of str and int parts only (YAML 1.1 keys can be booleans or numbers)."""
    return tuple(
        p if isinstance(p, str) or (isinstance(p, int) and not isinstance(p, bool)) else str(p)
        for p in path
    )


def ordered(items: Iterable[Finding]) -> list[Finding]:
    return sorted(set(items), key=lambda f: (format_path(f.path), f.message, f.rule, f.key))


def _short(message: str) -> str:
    return message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 3] + "..."


def _unknown_fields(error: ValidationError) -> list[str]:
    instance, schema = error.instance, error.schema
    if not isinstance(instance, dict) or not isinstance(schema, dict):
        return []
    declared = schema.get("properties", {})
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    return sorted(
        str(k) for k in instance if k not in declared and not any(p.search(k) for p in patterns)
    )


def convert(errors: Iterable[ValidationError]) -> list[Finding]:
    out: list[Finding] = []
    for error in errors:
        path = normal(error.absolute_path)
        rule = str(error.validator)
        unknown = _unknown_fields(error) if rule == "additionalProperties" else []
        if unknown and error.schema.get("additionalProperties") is False:  # type: ignore[union-attr]
            out.extend(
                Finding((*path, name), "unknown field (not in the schema)", rule, key=True)
                for name in unknown
            )
            continue
        out.append(Finding(path, _short(error.message), rule))
    return ordered(out)


def findings(validator: Validator, instance: Any) -> list[Finding]:
    """Every error of ``instance``, as findings."""
    return convert(validator.iter_errors(instance))
