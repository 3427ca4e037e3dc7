"""Hand the files to kubeconform, when it is installed, and read back its findings.

mrgen passes ``-strict -summary -output json``, the Kubernetes version, the default
schema location (kubeconform's own registry of core schemas) and one location per schema
folder in the ``<group>/<kind>_<version>.json`` layout, then the files. Missing schemas
are not ignored, so an unknown kind is an error there too.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from generator.errors import Diagnostic
from generator.errors import Path as DataPath
from generator.outcheck.documents import Document

EXECUTABLE = "kubeconform"
LAYOUT = "{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json"
TIMEOUT_SECONDS = 300
_BAD = {"statusInvalid", "statusError", "INVALID", "ERROR"}


def find() -> str | None:
    return shutil.which(EXECUTABLE)


def command(
    exe: str, files: Sequence[str], schema_dirs: Sequence[Path], k8s_version: str
) -> list[str]:
    args = [
        exe,
        "-strict",
        "-summary",
        "-output",
        "json",
        "-kubernetes-version",
        k8s_version.lstrip("v"),
        "-schema-location",
        "default",
    ]
    for folder in schema_dirs:
        args += ["-schema-location", f"{folder.resolve().as_posix()}/{LAYOUT}"]
    return [*args, *files]


def _pointer(text: object) -> DataPath:
    """``/spec/ports/0/port`` as a data path."""
    if not isinstance(text, str) or not text.strip("/"):
        return ()
    parts = [p.replace("~1", "/").replace("~0", "~") for p in text.strip("/").split("/")]
    return tuple(int(p) if p.isdigit() else p for p in parts)


def _document(entry: Mapping[str, Any], documents: Sequence[Document]) -> Document | None:
    kind, name = entry.get("kind", ""), entry.get("name", "")
    for document in documents:
        if document.kind == kind and (not name or document.name == name):
            return document
    return documents[0] if len(documents) == 1 else None


def run(
    exe: str,
    files: Mapping[str, str],
    documents: Mapping[str, Sequence[Document]],
    schema_dirs: Sequence[Path],
    k8s_version: str,
) -> tuple[list[Diagnostic], int]:
    """Run kubeconform on ``files`` (real path -> display name).

    Returns the diagnostics and the number of resources it validated.
    """
    if not files:
        return [], 0
    args = command(exe, sorted(files), schema_dirs, k8s_version)
    try:
        proc = subprocess.run(
            args, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
        report = json.loads(proc.stdout)
        resources = report.get("resources") or []
        summary = report.get("summary") or {}
    except (OSError, subprocess.TimeoutExpired, ValueError, AttributeError) as exc:
        detail = " ".join(getattr(exc, "stderr", None) or str(exc).split())
        return [Diagnostic(EXECUTABLE, 0, 0, "", f"could not run or read kubeconform: {detail}")], 0
    problems: list[Diagnostic] = []
    for entry in resources:
        if not isinstance(entry, dict) or entry.get("status") not in _BAD:
            continue
        real = str(entry.get("filename", ""))
        display = files.get(real, real)
        document = _document(entry, documents.get(real, ()))
        errors = entry.get("validationErrors") or [{"path": "", "msg": entry.get("msg", "")}]
        for error in errors:
            path, message = _pointer(error.get("path")), str(error.get("msg") or "invalid")
            if document is not None:
                problems.append(document.diagnostic(path, message))
            else:
                label = f"{entry.get('kind', '?')} {entry.get('name', '')}".strip()
                problems.append(Diagnostic(display, 0, 0, f"({label})", message))
    if proc.returncode not in (0, 1) or (proc.returncode == 1 and not problems):
        detail = " ".join(proc.stderr.split()) or f"exit status {proc.returncode}"
        problems.append(Diagnostic(EXECUTABLE, 0, 0, "", f"kubeconform failed: {detail}"))
    counted = sum(int(summary.get(k, 0) or 0) for k in ("valid", "invalid", "errors"))
    return problems, counted
