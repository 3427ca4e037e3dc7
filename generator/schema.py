"""JSON Schema validation of a loaded spec, with every error located in the file."""

from __future__ import annotations

from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError

from generator.errors import Diagnostic, Path
from generator.loader import LoadedSpec
from generator.resources import spec_schema

_JSON_TYPES = {
    dict: "an object", list: "a list", str: "a string", bool: "a boolean",
    int: "an integer", float: "a number", type(None): "null",
}
_YAML11_BOOLS = {"yes", "no", "on", "off", "y", "n"}


def _kind(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _suggest(word: str, choices: list[str]) -> str:
    import difflib  # only for the hint of an error

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _type_message(error: ValidationError, spec: LoadedSpec, path: Path) -> str:
    expected: Any = error.validator_value
    names = [str(n) for n in (expected if isinstance(expected, list) else [expected])]
    message = f"expected {' or '.join(names)}, got {_kind(error.instance)} {_short(error.instance)}"
    raw = spec.plain_text.get(path)
    if raw is not None and "string" in names:
        message += f" (YAML read the unquoted {raw} as {_kind(error.instance)}; quote it: '{raw}')"
    if isinstance(error.instance, str) and error.instance.lower() in _YAML11_BOOLS \
            and "boolean" in names:
        message += " (mrgen reads YAML 1.2: write true or false)"
    if isinstance(error.instance, str) and ({"integer", "number"} & set(names)) \
            and error.instance.strip().lstrip("-+").replace(".", "", 1).isdigit():
        message += " (it is quoted in the YAML; remove the quotes to make it a number)"
    return message


def _diagnostics(error: ValidationError, spec: LoadedSpec) -> list[Diagnostic]:
    path: Path = tuple(error.absolute_path)
    validator = error.validator
    schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    expected: Any = error.validator_value
    instance: Any = error.instance
    if validator == "additionalProperties" and isinstance(error.instance, dict):
        known = sorted(schema.get("properties", {}))
        extras = sorted(set(error.instance) - set(known))
        return [
            spec.diagnostic((*path, key), f"unknown field {key!r}{_suggest(key, known)}", key=True)
            for key in extras
        ]
    if validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else str(error.message)
        return [spec.diagnostic(path, f"missing required field {missing!r}")]
    if validator == "type" and not path:
        return [spec.diagnostic(path, "the spec must be a mapping with apiVersion, service and "
                                      f"regions, not {_kind(instance)}")]
    if validator == "type":
        return [spec.diagnostic(path, _type_message(error, spec, path))]
    if validator == "const":
        return [spec.diagnostic(path, f"{_short(instance)} is not supported; "
                                      f"expected {_short(expected)}")]
    if validator == "enum":
        choices = [str(c) for c in expected]
        hint = _suggest(str(error.instance), choices) if isinstance(error.instance, str) else ""
        return [spec.diagnostic(path, f"{_short(error.instance)} is not one of "
                                      f"{', '.join(choices)}{hint}")]
    if validator == "pattern":
        what = str(schema.get("description", f"the pattern {expected}")).rstrip(".")
        return [spec.diagnostic(path, f"{_short(error.instance)} is not valid: {what}")]
    if validator == "propertyNames":
        return [spec.diagnostic(path, f"invalid key: {error.message}")]
    if validator in ("maxLength", "minLength", "maxItems", "minItems"):
        limit = expected
        size = len(instance)
        relation = "longer" if validator.startswith("max") else "shorter"
        unit = "items" if validator.endswith("Items") else "characters"
        return [spec.diagnostic(path, f"has {size} {unit}, {relation} than the limit of {limit}")]
    message = error.message
    if len(message) > 200:
        message = message[:197] + "..."
    return [spec.diagnostic(path, message)]


def validate_schema(spec: LoadedSpec) -> list[Diagnostic]:
    """Every schema violation of ``spec``, located and sorted by position."""
    validator = jsonschema.Draft202012Validator(spec_schema())
    found: list[Diagnostic] = []
    for error in validator.iter_errors(spec.data):
        found.extend(_diagnostics(error, spec))
    return sorted(set(found))
