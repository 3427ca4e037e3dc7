"""Delivery checks on the defaulted model: the rollout steps name every region once, and
no step updates every region at once."""

from __future__ import annotations

from collections.abc import Iterator

from generator.section import Problem
from generator.sections.delivery.model import Delivery
from generator.spec import Spec


def check(delivery: Delivery, spec: Spec) -> Iterator[Problem]:
    return iter(())
