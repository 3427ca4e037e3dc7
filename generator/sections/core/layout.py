"""Writes every kustomization.yaml after the sections rendered, from the files they produced.

Conventions (so a target only has to drop files in the right folder):
- every ``*.yaml`` under a root in ``names.KUSTOMIZE_ROOTS`` (``k8s/``) is a resource
  of its folder's kustomization,
- except ``*.patch.yaml``, which is a strategic-merge patch of that folder,
- ``overlays/<region>`` builds ``../../base/mesh`` (shared, unprefixed names) plus its
  ``workload`` folder, and labels everything ``region: <region>`` without touching
  selectors (``commonLabels`` would, and selectors are immutable);
- ``overlays/<region>/workload`` builds ``../../../base/workload`` with the region's
  name prefix;
- files named ``extension-*`` (user extensions, :mod:`generator.extensions`) are listed
  after mrgen's own, so a user's patch applies last and wins.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from generator import emit
from generator.section import RenderedFile
from generator.sections.core import names as naming
from generator.sections.core.model import Core, Region

KUSTOMIZATION = "kustomization.yaml"
PATCH_SUFFIX = ".patch.yaml"
EXTENSION_PREFIX = "extension-"
"""Files a user extension produced: listed after mrgen's files of their folder."""


def _listed(name: str) -> tuple[bool, str]:
    return name.startswith(EXTENSION_PREFIX), name


def _structure(core: Core) -> dict[str, dict[str, Any]]:
    """Folder -> fields every region's layout has, before local files are added."""
    layout: dict[str, dict[str, Any]] = {naming.BASE_MESH: {}, naming.BASE_WORKLOAD: {}}
    for region in core.regions:
        top, workload = naming.overlay_dir(region), naming.overlay_workload_dir(region)
        layout[top] = {
            "labels": [
                {
                    "pairs": {naming.REGION_LABEL: region.name},
                    "includeSelectors": False,
                    "includeTemplates": True,
                }
            ],
            "bases": [posixpath.relpath(naming.BASE_MESH, top), "workload"],
        }
        layout[workload] = {
            "namePrefix": naming.workload_prefix(region),
            "bases": [posixpath.relpath(naming.BASE_WORKLOAD, workload)],
        }
    return layout


def kustomizations(core: Core, files: Sequence[RenderedFile]) -> Iterator[RenderedFile]:
    """Every kustomization.yaml, from the files the sections produced."""
    local: dict[str, list[str]] = defaultdict(list)
    for file in files:
        folder, name = posixpath.split(file.path)
        if (
            file.path.split("/", 1)[0] in naming.KUSTOMIZE_ROOTS
            and name.endswith(".yaml")
            and name != KUSTOMIZATION
        ):
            local[folder].append(name)
    layout = _structure(core)
    for folder in sorted(set(layout) | set(local)):
        fixed = layout.get(folder, {})
        names = sorted(local.get(folder, []), key=_listed)
        fields: dict[str, Any] = {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
        }
        for key in ("namePrefix", "labels"):
            if key in fixed:
                fields[key] = fixed[key]
        fields["resources"] = [
            *fixed.get("bases", []),
            *(n for n in names if not n.endswith(PATCH_SUFFIX)),
        ]
        patches = [{"path": n} for n in names if n.endswith(PATCH_SUFFIX)]
        if patches:
            fields["patches"] = patches
        yield emit.yaml_file(f"{folder}/{KUSTOMIZATION}", fields)


def overlay_sources(core: Core, region: Region) -> list[tuple[str, str]]:
    """Every folder whose local objects ``kubectl kustomize`` of the region's overlay
    outputs, with the name prefix they get on the way: ``(folder, prefix)``, outermost first.
    """
    layout = _structure(core)
    found: list[tuple[str, str]] = []

    def walk(folder: str, outer: str) -> None:
        fixed = layout.get(folder, {})
        prefix = outer + fixed.get("namePrefix", "")
        found.append((folder, prefix))
        for base in fixed.get("bases", []):
            walk(posixpath.normpath(posixpath.join(folder, base)), prefix)

    walk(naming.overlay_dir(region), "")
    return found
