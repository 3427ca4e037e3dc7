"""Where the rendered output belongs: the spec's ``delivery.renderedPath``, in the project.

Argo CD syncs ``<renderedPath>/k8s/overlays/<region>`` from git, so a render written
anywhere else is output nothing deploys. Pure: the CLI decides whether a mismatch warns or
(with ``--strict``) fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROJECT_MARKERS = (".git", "pyproject.toml")
SPEC_FOLDER = "spec"


def project_root(spec_path: Path) -> Path:
    """The nearest folder above the spec holding ``.git`` or ``pyproject.toml``; without one,
    the folder holding ``spec/`` when the spec is in a folder of that name (the layout
    ``mrgen init`` writes), else the spec's own folder."""
    resolved = spec_path.resolve()
    for parent in resolved.parents:
        if any((parent / marker).exists() for marker in PROJECT_MARKERS):
            return parent
    return resolved.parent.parent if resolved.parent.name == SPEC_FOLDER else resolved.parent


@dataclass(frozen=True)
class OutMismatch:
    out: Path
    """The output folder as given."""
    expected: Path
    """``delivery.renderedPath`` resolved in the project."""
    rendered_path: str
    """``delivery.renderedPath`` as the spec says it."""

    def message(self) -> str:
        return (
            f"--out {self.out} is not the spec's delivery.renderedPath "
            f"{self.rendered_path!r} ({self.expected}): the rendered Argo CD objects sync "
            f"{self.expected}, so what is written to {self.out} is not what gets deployed"
        )


def check_out(spec_path: Path, out: Path, rendered_path: str) -> OutMismatch | None:
    """A mismatch when ``out`` is not ``rendered_path`` resolved against the project."""
    expected = (project_root(spec_path) / rendered_path).resolve()
    if out.resolve() == expected:
        return None
    return OutMismatch(out, expected, rendered_path)
