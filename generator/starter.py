"""The starter project `mrgen init` writes: a spec for the guide's three-region topology
(its numbers) with the schema modeline, and the schema beside it. Pure: returns files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from generator.build import build
from generator.errors import Diagnostic, fail
from generator.loader import load_text
from generator.resources import schema_path
from generator.section import RenderedFile
from generator.sections.core import names as naming
from generator.templating import make_environment

SCHEMA_FILE = "spec/mrgen.schema.json"
GUIDE_REGIONS: tuple[dict[str, Any], ...] = (
    {
        "name": "us-east-1",
        "role": "primary",
        "aws": "us-east-1",
        "gcp": "us-east1",
        "min": 5,
        "max": 20,
        "weight": 50,
        "latency": 100,
        "failover": ["eu-west-1", "ap-southeast-1"],
    },
    {
        "name": "eu-west-1",
        "role": "secondary",
        "aws": "eu-west-1",
        "gcp": "europe-west1",
        "min": 3,
        "max": 15,
        "weight": 30,
        "latency": 150,
        "failover": ["us-east-1", "ap-southeast-1"],
    },
    {
        "name": "ap-southeast-1",
        "role": "tertiary",
        "aws": "ap-southeast-1",
        "gcp": "asia-southeast1",
        "min": 2,
        "max": 10,
        "weight": 20,
        "latency": 200,
        "failover": ["us-east-1", "eu-west-1"],
    },
)


@dataclass(frozen=True)
class Choices:
    """What `mrgen init` asks for: every value the example fills with a placeholder."""

    image: str | None = None
    repo_url: str | None = None
    helm_repo: str | None = None
    hostnames: tuple[str, ...] = ()

    def values(self, name: str) -> dict[str, Any]:
        return {
            "image": self.image or f"registry.example.com/{name}/{name}:0.1.0",
            "repo_url": self.repo_url or f"https://git.example.com/platform/{name}-deploy.git",
            "helm_repo": self.helm_repo or "https://charts.example.com/istio",
            "hostnames": list(self.hostnames) or [f"{name}.example.com"],
        }


@dataclass(frozen=True)
class Starter:
    files: list[RenderedFile]
    left_to_fill: tuple[Diagnostic, ...]
    """The starter spec's placeholder warnings, located in its file."""


def starter(
    name: str, choices: Choices | None = None, port: int = 8000, folder: str = "."
) -> Starter:
    """The spec and schema files for a new project, and the placeholders left in the spec;
    raises MrgenError when a value would not make a valid spec, so nothing invalid is ever
    written. ``folder`` is where the files go (it only locates the warnings)."""
    if not re.fullmatch(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?", name):
        raise fail(
            "--name",
            f"{name!r} is not a DNS-1123 label (lowercase letters, digits and '-', at most 63)",
        )
    spec_path = naming.spec_file_name(name)
    values = (choices or Choices()).values(name)
    text = (
        make_environment()
        .get_template("init/spec.yaml.j2")
        .render(name=name, port=port, regions=GUIDE_REGIONS, **values)
    )
    display = spec_path if folder in ("", ".") else f"{folder.rstrip('/')}/{spec_path}"
    built = build(load_text(text, display), spec_path)  # the starter must validate
    schema = schema_path().read_text(encoding="utf-8")
    return Starter(
        [RenderedFile(spec_path, text), RenderedFile(SCHEMA_FILE, schema)], built.warnings
    )


def starter_files(name: str, image: str | None = None, port: int = 8000) -> list[RenderedFile]:
    """The spec and schema files for a new project (see :func:`starter`)."""
    return starter(name, Choices(image=image), port).files
