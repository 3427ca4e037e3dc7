"""The delivery (Argo CD) model."""

from __future__ import annotations

from dataclasses import dataclass

from generator.spec import Always


@dataclass(frozen=True)
class Rollout:
    """How the workload ApplicationSet rolls a change out (Argo CD RollingSync)."""

    steps: tuple[tuple[str, ...], ...]
    """Regions per step, in order; each step waits for the previous one to be Healthy."""
    max_update: int | str
    """At most this many Applications of a step update at once (an integer, or a share of
    the step like ``"50%"``)."""
    written: bool
    """The spec lists the steps (else: one region per step, lowest weight first, primary
    last)."""


@dataclass(frozen=True)
class Delivery:
    repo_url: str
    target_revision: str
    rendered_path: str
    namespace: str
    project: str
    platform_cluster: str
    rollout: Rollout


DELIVERY: Always[Delivery] = Always("delivery")
