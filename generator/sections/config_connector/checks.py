"""Config Connector checks: a Google service account to act as, whenever a layer renders
Config Connector objects."""

from __future__ import annotations

from collections.abc import Iterator

from generator.section import Problem
from generator.sections.config_connector.model import ConfigConnector
from generator.spec import Spec


def check(kcc: ConfigConnector, spec: Spec, used: bool) -> Iterator[Problem]:
    if used and kcc.google_service_account is None:
        yield Problem(
            ("configConnector", "googleServiceAccount"),
            "Config Connector needs a Google service account to act as",
        )
