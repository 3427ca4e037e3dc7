"""The delivery (Argo CD) model."""

from __future__ import annotations

from dataclasses import dataclass

from generator.spec import Always


@dataclass(frozen=True)
class Delivery:
    repo_url: str
    target_revision: str
    rendered_path: str
    namespace: str
    project: str
    platform_cluster: str


DELIVERY: Always[Delivery] = Always("delivery")
