"""The objects mrgen renders into each region's overlay: what a patch may target, what an
added object must not duplicate, and the ``objects`` a template can loop over.

Read from the files the sections rendered, following the kustomize layout
(:func:`generator.sections.core.layout.overlay_sources`): an object keeps the name it has
in its own file (the one a patch names) and gets the prefixes of the kustomizations that
include it on the way to the cluster (``cluster_name``).
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from generator.extensions.documents import Identity
from generator.section import RenderedFile
from generator.sections.core.layout import KUSTOMIZATION, PATCH_SUFFIX, overlay_sources
from generator.spec import Spec

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, order=True)
class Target:
    identity: Identity
    """As a patch names it: the object's own name, without the overlay's prefix."""
    cluster_name: str
    """The name it has in the cluster."""

    def as_value(self) -> dict[str, str]:
        """What a template sees: ``{{ o.kind }} {{ o.name }}`` (and the rest)."""
        ident = self.identity
        return {
            "apiVersion": ident.api_version,
            "kind": ident.kind,
            "name": ident.name,
            "namespace": ident.namespace,
            "clusterName": self.cluster_name,
        }


def _objects(files: Sequence[RenderedFile], folders: set[str]) -> dict[str, list[Identity]]:
    """Folder -> the objects its own files define (patches and kustomizations left out)."""
    found: dict[str, list[Identity]] = defaultdict(list)
    for file in files:
        folder, name = posixpath.split(file.path)
        if (
            folder not in folders
            or not name.endswith(".yaml")
            or name == KUSTOMIZATION
            or name.endswith(PATCH_SUFFIX)
        ):
            continue
        for doc in yaml.load_all(file.content, Loader=_Loader):
            if isinstance(doc, dict) and isinstance(doc.get("metadata"), dict):
                meta: dict[str, Any] = doc["metadata"]
                found[folder].append(
                    Identity(
                        str(doc.get("apiVersion", "")),
                        str(doc.get("kind", "")),
                        str(meta.get("namespace") or ""),
                        str(meta.get("name", "")),
                    )
                )
    return found


def overlay_targets(spec: Spec, files: Sequence[RenderedFile]) -> dict[str, list[Target]]:
    """Region name -> every object ``kubectl kustomize`` outputs for its overlay, sorted."""
    sources = {r.name: overlay_sources(spec.core, r) for r in spec.regions}
    objects = _objects(files, {folder for found in sources.values() for folder, _ in found})
    return {
        region: sorted(
            Target(ident, prefix + ident.name)
            for folder, prefix in found
            for ident in objects.get(folder, [])
        )
        for region, found in sources.items()
    }
