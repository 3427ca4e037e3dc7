"""Build every kustomize root with ``kubectl kustomize``: the documents Argo CD applies.

A root is a folder with a kustomization that no other kustomization includes (an overlay
or a platform layer). Its build output is parsed and validated like the files, and an
object that appears twice in one build (same group, kind, namespace and name) is an error.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path as FsPath

from generator.errors import Diagnostic
from generator.outcheck.documents import Document, parse_yaml

TIMEOUT_SECONDS = 120
SUFFIX = " (kubectl kustomize)"


class KubectlMissing(RuntimeError):
    """--build was asked for but kubectl is not on PATH."""


@dataclass
class Build:
    root: str
    """The root folder as shown to the user."""
    text: str = ""
    documents: list[Document] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)

    @property
    def display(self) -> str:
        return f"{self.root}{SUFFIX}"


def kubectl() -> str | None:
    return shutil.which("kubectl")


def roots(
    kustomization_files: Sequence[str], included: set[str], real: FsPath, display_root: str
) -> list[tuple[FsPath, str]]:
    """(folder, display) of every kustomization folder no other kustomization includes."""
    out = []
    for display in sorted(kustomization_files):
        folder_display = display.rsplit("/", 1)[0]
        folder = (real / folder_display[len(display_root) :].lstrip("/")).resolve()
        if folder.as_posix() not in included:
            out.append((folder, folder_display))
    return out


def build(folder: FsPath, display: str, exe: str) -> Build:
    result = Build(display)
    try:
        proc = subprocess.run(
            [exe, "kustomize", str(folder)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        result.problems.append(Diagnostic(result.display, 0, 0, "", f"cannot run kubectl: {exc}"))
        return result
    if proc.returncode != 0:
        message = " ".join(proc.stderr.split()) or f"exit status {proc.returncode}"
        result.problems.append(
            Diagnostic(result.display, 0, 0, "", f"kubectl kustomize failed: {message}")
        )
        return result
    result.text = proc.stdout
    result.documents, problems = parse_yaml(proc.stdout, result.display)
    result.problems.extend(problems)
    result.problems.extend(duplicates(result.documents))
    return result


def duplicates(documents: Sequence[Document]) -> list[Diagnostic]:
    """An object (group, kind, namespace, name) that a build emits more than once."""
    seen: dict[tuple[str, str, str, str], Document] = {}
    problems = []
    for document in documents:
        meta = document.data.get("metadata") if isinstance(document.data, dict) else None
        namespace = meta.get("namespace", "") if isinstance(meta, dict) else ""
        key = (
            document.api_version.rpartition("/")[0],
            document.kind,
            str(namespace or ""),
            document.name,
        )
        if key in seen:
            problems.append(
                document.diagnostic(
                    (),
                    f"duplicate object: {document.kind} "
                    f"{namespace or '(no namespace)'}/"
                    f"{document.name} is also {seen[key].label}",
                )
            )
        else:
            seen[key] = document
    return problems
