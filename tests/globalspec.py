"""Helpers for the global-traffic tests: the example spec as data, mutated copies, models."""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from generator.build import build
from generator.loader import load_text
from generator.render import render
from generator.section import RenderedFile
from generator.sections.global_routing.model import GLOBAL_ROUTING, GlobalRouting
from generator.spec import Spec
from tests.conftest import EXAMPLE_SPEC, example_spec_data, missing_tool


@cache
def _example_text() -> str:
    return EXAMPLE_SPEC.read_text(encoding="utf-8")


def example_data() -> dict[str, Any]:
    """A fresh, mutable copy of the example spec's data."""
    return example_spec_data()


def spec_text(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False)


def model(data: dict[str, Any] | None = None) -> Spec:
    text = _example_text() if data is None else spec_text(data)
    return build(load_text(text, "spec.yaml"), "spec/spec.yaml")


def write_spec(folder: Path, data: dict[str, Any]) -> Path:
    path = folder / "spec.yaml"
    path.write_text(spec_text(data), encoding="utf-8")
    return path


def files(spec: Spec) -> dict[str, RenderedFile]:
    return {f.path: f for f in render(spec)}


def require_module(name: str) -> ModuleType:
    """Import an optional test dependency, or skip/fail naming it."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        missing_tool(name, f"cannot import it ({exc})")
        raise


def routing(spec: Spec) -> GlobalRouting:
    """The spec's globalRouting model (the test specs always have one)."""
    gr = spec.get(GLOBAL_ROUTING)
    assert gr is not None
    return gr
