"""Loaded spec -> :class:`generator.spec.Spec`, every problem reported together.

The flow is generic; each section (see :mod:`generator.registry`) supplies its part:

1. JSON Schema over the whole spec.
2. ``build``: each section whose spec part passed the schema applies its defaults, in
   registry order (a section may read the ones before it).
3. ``check``: each built section checks its defaulted model; problems carry spec paths and
   are located here.
4. ``names``: every derived name must fit its Kubernetes limit and be a DNS label.

Checks may also return warnings (:class:`Problem` with ``severity="warning"``), and every
string of the spec is scanned for placeholder values (:mod:`generator.placeholders`): a valid
spec carries them, located, in ``Spec.warnings``; only the CLI reports them.

A schema error in one section does not hide the semantic problems of the others; only a
broken core (service, regions) stops the semantic checks, since every section reads it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from generator import placeholders
from generator.errors import WARNING, Diagnostic, MrgenError
from generator.loader import LoadedSpec
from generator.registry import SECTIONS
from generator.schema import validate_schema
from generator.section import Problem, Problems
from generator.spec import MissingSection, Spec

_DNS_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_TOP_KEY = re.compile(r"[^.\[]*")


def _broken_keys(problems: Iterable[Diagnostic]) -> set[str]:
    """Top-level spec keys under which the schema found a problem ('' for the root)."""
    keys = set()
    for problem in problems:
        top = _TOP_KEY.match(problem.path)
        keys.add("" if problem.path == "(root)" or top is None else top.group(0))
    return keys


def _located(loaded: LoadedSpec, problems: Iterable[Problem]) -> list[Diagnostic]:
    return [loaded.diagnostic(p.path, p.message, key=p.key, severity=p.severity) for p in problems]


def _name_problems(spec: Spec) -> list[Problem]:
    found = []
    for section in SECTIONS:
        model = spec.models.get(section.key.name)
        if model is None:
            continue
        for derived in section.names(model, spec):
            if len(derived.name) > derived.limit:
                found.append(
                    Problem(
                        derived.path,
                        (
                            f"derived {derived.what} {derived.name!r} is {len(derived.name)} "
                            f"characters; the limit is {derived.limit}: shorten it by "
                            f"{len(derived.name) - derived.limit}"
                        ),
                    )
                )
            elif not _DNS_LABEL.fullmatch(derived.name):
                found.append(
                    Problem(
                        derived.path,
                        f"derived {derived.what} {derived.name!r} is not a DNS-1123 label",
                    )
                )
    return found


def build(loaded: LoadedSpec, source: str) -> Spec:
    """Validate ``loaded`` (schema, then semantics) and return the model.

    ``source`` is the spec path to name in generated headers.
    """
    problems = validate_schema(loaded)
    broken = _broken_keys(problems)
    data: Any = loaded.data
    core_keys = SECTIONS[0].spec_keys
    if not isinstance(data, dict) or "" in broken or broken & set(core_keys):
        raise MrgenError(problems or [loaded.diagnostic((), "the spec must be a mapping")])
    spec = Spec(source)
    found: list[Problem] = []
    for section in SECTIONS:
        if broken & set(section.spec_keys):
            continue
        try:
            spec = spec.with_model(section.key, section.build(data, spec))
        except Problems as exc:
            found.extend(exc.problems)
        except MissingSection:
            continue  # reads a section whose spec part is broken; that is reported already
    for section in SECTIONS:
        model = spec.models.get(section.key.name)
        if model is None:
            continue
        try:
            found.extend(section.check(model, spec))
        except MissingSection:
            continue
    warned = [p for p in found if p.severity == WARNING]
    found = [p for p in found if p.severity != WARNING]
    if problems or found:
        raise MrgenError([*problems, *_located(loaded, found)])
    layers = sorted(
        {
            layer
            for section in SECTIONS
            if (model := spec.models.get(section.key.name)) is not None
            for layer in section.layers(model, spec)
        }
    )
    warnings = sorted(set(_located(loaded, [*warned, *placeholders.scan(data)])))
    spec = Spec(spec.source, spec.models, tuple(layers), tuple(warnings))
    found = _name_problems(spec)
    if found:
        raise MrgenError(_located(loaded, found))
    return spec
