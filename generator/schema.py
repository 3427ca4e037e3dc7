"""JSON Schema validation of a loaded spec, with every error located in the file.

Two departures from plain jsonschema, both toward what the schema says: ``integer`` means
an integer (jsonschema also accepts 50.0, which then renders as a float), and a limit the
schema implies for the whole spec (the histogram buckets every latency target needs) is
checked here, up front, instead of surfacing as dozens of later problems.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema
from jsonschema import validators
from jsonschema.exceptions import ValidationError

from generator.errors import Diagnostic, Path
from generator.loader import LoadedSpec
from generator.resources import spec_schema

_LOOKAHEAD = "(?!\\n)"  # the end of every pattern (see the schema's $comment); not for users

_JSON_TYPES = {
    dict: "an object",
    list: "a list",
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    type(None): "null",
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
    if (
        isinstance(error.instance, str)
        and error.instance.lower() in _YAML11_BOOLS
        and "boolean" in names
    ):
        message += " (mrgen reads YAML 1.2: write true or false)"
    if (
        isinstance(error.instance, str)
        and ({"integer", "number"} & set(names))
        and error.instance.strip().lstrip("-+").replace(".", "", 1).isdigit()
    ):
        message += " (it is quoted in the YAML; remove the quotes to make it a number)"
    if isinstance(error.instance, float) and names == ["integer"]:
        message += _integer_hint(error.instance, raw)
    return message


def _integer_hint(value: float, raw: str | None) -> str:
    read = f"YAML read {raw} as the number {value!r}; " if raw is not None else ""
    if value.is_integer():
        return f" ({read}write {int(value)}: integers have no decimal point or exponent)"
    return f" ({read}this field takes a whole number, without a decimal point or exponent)"


def _strict_integer(checker: Any, instance: Any) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


_Validator = validators.extend(  # type: ignore[no-untyped-call]
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", _strict_integer),
)


@cache
def _validator() -> Any:
    return _Validator(spec_schema())


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
        return [
            spec.diagnostic(
                path,
                "the spec must be a mapping with apiVersion, service and "
                f"regions, not {_kind(instance)}",
            )
        ]
    if validator == "type":
        return [spec.diagnostic(path, _type_message(error, spec, path))]
    if validator == "const":
        return [
            spec.diagnostic(
                path, f"{_short(instance)} is not supported; expected {_short(expected)}"
            )
        ]
    if validator == "enum":
        choices = [str(c) for c in expected]
        hint = _suggest(str(error.instance), choices) if isinstance(error.instance, str) else ""
        return [
            spec.diagnostic(
                path, f"{_short(error.instance)} is not one of {', '.join(choices)}{hint}"
            )
        ]
    if validator == "pattern":
        shown = str(expected).removesuffix(_LOOKAHEAD)
        what = str(schema.get("description", f"the pattern {shown}")).rstrip(".")
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


def _monitoring_default(section: str, key: str) -> Any:
    return spec_schema()["$defs"]["monitoring"]["properties"][section]["properties"][key].get(
        "default"
    )


def _bucket_need(spec: LoadedSpec) -> list[Diagnostic]:
    """Every latency target, the SLO threshold and the cross-region limit must be a bucket
    boundary, with one more above them (see build_monitoring.check_monitoring). When that
    is more boundaries than ``monitoring.buckets`` may hold, no spec edit short of sharing
    latency targets can fix it: say so once, at the regions."""
    data = spec.data
    if not isinstance(data, dict) or not isinstance(data.get("regions"), list):
        return []
    monitoring = data.get("monitoring", {})
    if not isinstance(monitoring, dict) or monitoring.get("enabled", True) is False:
        return []
    targets = {
        r["latencyTargetMs"]
        for r in data["regions"]
        if isinstance(r, dict) and type(r.get("latencyTargetMs")) is int
    }
    slo, limits = monitoring.get("slo", {}), monitoring.get("thresholds", {})
    others = {
        slo.get("latencyThresholdMs", _monitoring_default("slo", "latencyThresholdMs"))
        if isinstance(slo, dict)
        else None,
        limits.get(
            "crossRegionLatencyMs", _monitoring_default("thresholds", "crossRegionLatencyMs")
        )
        if isinstance(limits, dict)
        else None,
    }
    wanted = targets | {o for o in others if type(o) is int}
    need = len(wanted) + 1
    cap = int(spec_schema()["$defs"]["monitoring"]["properties"]["buckets"]["maxItems"])
    if need <= cap:
        return []
    return [
        spec.diagnostic(
            ("regions",),
            (
                f"{len(targets)} distinct latency targets (with the SLO threshold and the "
                f"cross-region limit) need {need} histogram bucket boundaries; monitoring.buckets "
                f"holds at most {cap}: give regions the same latencyTargetMs (at most "
                f"{cap - 1 - len(wanted - targets)} distinct values)"
            ),
        )
    ]


def validate_schema(spec: LoadedSpec) -> list[Diagnostic]:
    """Every schema violation of ``spec``, located and sorted by position."""
    found: list[Diagnostic] = []
    for error in _validator().iter_errors(spec.data):
        found.extend(_diagnostics(error, spec))
    found.extend(_bucket_need(spec))
    return sorted(set(found))
