"""Helpers for the mesh and delivery tests: render a spec (given as data) in memory or
to disk, index the documents, and build overlays with kubectl kustomize."""

from __future__ import annotations

import copy
import functools
import re
from pathlib import Path
from typing import Any

import yaml

from generator.build import build
from generator.loader import load_text
from generator.render import render
from tests.conftest import example_spec_data, run_cli
from tests.k8s_helpers import kustomize_build

Doc = dict[str, Any]
_GO_DURATION = re.compile(r"(\d+)(ms|s|m|h)")
_UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000}
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser when available


_EXAMPLE_SERVICE: dict[str, Any] = example_spec_data()["service"]
SERVICE: str = _EXAMPLE_SERVICE["name"]
SERVICE_NAMESPACE: str = _EXAMPLE_SERVICE["namespace"]


def example() -> dict[str, Any]:
    """The example spec as plain data (a fresh copy each call)."""
    return example_spec_data()


def spec_text(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False)


def render_docs(data: dict[str, Any], *, cached: bool = True) -> dict[str, list[Doc]]:
    """Render ``data`` in memory: rendered path -> its YAML documents (a fresh copy).
    Pass ``cached=False`` when the generator was monkeypatched."""
    text = spec_text(data)
    return copy.deepcopy(_cached(text)) if cached else _render(text)


@functools.lru_cache(maxsize=8)
def _cached(text: str) -> dict[str, list[Doc]]:
    return _render(text)


def _render(text: str) -> dict[str, list[Doc]]:
    spec = build(load_text(text, "spec/test.yaml"), "spec/test.yaml")
    out: dict[str, list[Doc]] = {}
    for file in render(spec):
        if file.path.endswith(".yaml"):
            out[file.path] = list(yaml.load_all(file.content, Loader=_LOADER))
    return out


def render_to(data: dict[str, Any], project: Path) -> Path:
    """Render ``data`` with the CLI into ``project``/rendered and return that folder."""
    (project / "spec").mkdir(parents=True, exist_ok=True)
    (project / "pyproject.toml").write_text("")
    spec = project / "spec" / "test.yaml"
    spec.write_text(spec_text(data), encoding="utf-8")
    result = run_cli(["render", str(spec), "--out", str(project / "rendered")], cwd=project)
    assert result.exit_code == 0, result.stderr
    return project / "rendered"


kustomize = kustomize_build  # `kubectl kustomize folder`, parsed (tests.k8s_helpers)


def of_kind(docs: list[Doc], kind: str) -> list[Doc]:
    return [d for d in docs if d.get("kind") == kind]


def one(docs: list[Doc], kind: str) -> Doc:
    """The service's own object of ``kind`` (named after the service, prefixed or not);
    other components (the cache watcher, the metrics Service) have names of their own."""
    found = of_kind(docs, kind)
    if len(found) > 1:
        found = [
            d
            for d in found
            if d["metadata"]["name"] in (SERVICE, SERVICE_NAMESPACE)
            or d["metadata"]["name"].endswith(f"-{SERVICE}")
        ]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def all_docs(files: dict[str, list[Doc]], prefix: str = "") -> list[Doc]:
    return [d for path, docs in sorted(files.items()) if path.startswith(prefix) for d in docs]


def duration_ms(text: str) -> int:
    """An Istio/Go duration ('1500ms', '5s', '1m30s') in milliseconds, parsed independently
    of the generator's own converter."""
    parts = _GO_DURATION.findall(text)
    assert parts and "".join(n + u for n, u in parts) == text, f"not a duration: {text!r}"
    return sum(int(n) * _UNIT_MS[u] for n, u in parts)


def locality(region: dict[str, Any]) -> str:
    """What the region's nodes carry as topology.kubernetes.io/region."""
    cloud = "gcp" if region["cluster"]["provider"] == "gke" else "aws"
    name: str = region["location"][cloud]
    return name
