"""Strict validation of many rendered documents, fast enough for property tests.

``kubernetes_validate.validate`` reloads its (large) definitions file on every call, about
50 ms a document; property tests validate thousands. :class:`StrictValidator` builds one
JSON Schema validator per kind from the same schema files kubernetes-validate ships (its
``-strict`` variant: unknown fields are errors) and reuses it. Custom kinds are checked
against the shared upstream CRD schemas when one exists for them. A test in
tests/test_properties.py checks that it agrees with kubernetes_validate.validate.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource

K8S_VERSION = "1.32.0"
CORE_GROUPS = {"v1", "apps/v1", "autoscaling/v2", "policy/v1", "batch/v1"}
KUSTOMIZE_API = "kustomize.config.k8s.io/"


class StrictValidator:
    """Validates Kubernetes documents; ``checked`` counts documents per kind."""

    def __init__(self, crd_schemas: Path | None = None) -> None:
        from kubernetes_validate import utils

        versions = [v for v in utils.all_versions()
                    if utils.major_minor(v) <= utils.major_minor(K8S_VERSION)]
        self._folder = f"kubernetes-json-schema/v{versions[-1]}-local-strict"
        self._utils = utils
        self._defs = Resource.from_contents(
            utils.schema_contents(f"{self._folder}/_definitions.json", K8S_VERSION))
        self._crds = crd_schemas
        self._cache: dict[tuple[str, str], jsonschema.protocols.Validator | None] = {}
        self.checked: dict[str, int] = {}

    def _core(self, api_version: str, kind: str) -> jsonschema.protocols.Validator:
        group, _, version = api_version.rpartition("/")
        short = f"{group.split('.')[0]}-{version}" if group else version
        schema = self._utils.schema_contents(
            f"{self._folder}/{kind.lower()}-{short}.json", K8S_VERSION)
        registry: Registry[Any] = self._defs @ (Resource.from_contents(schema) @ Registry())
        return jsonschema.Draft202012Validator(schema, registry=registry)

    def _custom(self, api_version: str, kind: str) -> jsonschema.protocols.Validator | None:
        group, _, version = api_version.rpartition("/")
        if self._crds is None or not group:
            return None
        path = self._crds / group / f"{kind.lower()}_{version}.json"
        if not path.is_file():
            return None
        schema = json.loads(path.read_text(encoding="utf-8"))
        return jsonschema.Draft7Validator(schema)

    def validator(self, api_version: str, kind: str) -> jsonschema.protocols.Validator | None:
        """The validator for a kind, or None when no schema is known (not checked)."""
        key = (api_version, kind)
        if key not in self._cache:
            core = api_version in CORE_GROUPS
            self._cache[key] = self._core(*key) if core else self._custom(*key)
        return self._cache[key]

    def validate(self, doc: dict[str, Any]) -> bool:
        """Raise jsonschema.ValidationError when ``doc`` is invalid; False if unchecked."""
        api_version, kind = str(doc.get("apiVersion", "")), str(doc.get("kind", ""))
        if api_version.startswith(KUSTOMIZE_API):
            return False
        found = self.validator(api_version, kind)
        if found is None:
            return False
        found.validate(doc)
        self.checked[kind] = self.checked.get(kind, 0) + 1
        return True
