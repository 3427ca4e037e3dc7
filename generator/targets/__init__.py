"""The registry of output kinds. Adding one: a schema section, model fields, a
template folder, a module here, and one line in TARGETS."""

from __future__ import annotations

from generator.output import Target
from generator.targets import kustomize, runbook
from generator.targets.kustomization import finish

TARGETS: dict[str, Target] = {
    "kustomize": kustomize.render,
    "runbook": runbook.render,
}

__all__ = ["TARGETS", "finish"]
