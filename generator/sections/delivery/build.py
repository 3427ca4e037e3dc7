"""Delivery defaults: the spec's ``delivery`` part -> :class:`Delivery`."""

from __future__ import annotations

from typing import Any

from generator.sections.delivery.model import Delivery

REPO_URL = "https://git.example.com/platform/deploy.git"
ARGOCD_NAMESPACE = "argocd"


def delivery(raw: dict[str, Any], service: str, primary_cluster: str) -> Delivery:
    return Delivery(
        repo_url=raw.get("repoURL", REPO_URL),
        target_revision=raw.get("targetRevision", "main"),
        rendered_path=raw.get("renderedPath", "rendered"),
        namespace=raw.get("namespace", ARGOCD_NAMESPACE),
        project=raw.get("project", service),
        platform_cluster=raw.get("platformCluster", primary_cluster),
    )
