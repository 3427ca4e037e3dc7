"""Validate a rendered tree: discovery, kustomizations, builds, then one engine per document.

Engines: ``python`` validates core kinds with kubernetes-validate and custom resources with
the schema folders; ``kubeconform`` hands the object files to kubeconform instead. Either
way mrgen itself checks kustomizations, patches and metadata syntax, and builds the
kustomize roots when asked to.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from jsonschema.exceptions import SchemaError

from generator.errors import Diagnostic
from generator.outcheck import build as kbuild
from generator.outcheck import core, kubeconform, kustomization, metadata
from generator.outcheck.crd import SchemaFileError, SchemaSet, schema_path
from generator.outcheck.documents import Document, discover
from generator.outcheck.errors import Finding, findings, ordered

Engine = Literal["auto", "python", "kubeconform"]
DEFAULT_K8S_VERSION = "1.32.0"


class EngineMissing(RuntimeError):
    """The kubeconform engine was asked for but kubeconform is not on PATH."""


@dataclass(frozen=True)
class Options:
    schema_dirs: Sequence[Path] = ()
    k8s_version: str = DEFAULT_K8S_VERSION
    engine: Engine = "python"
    build: bool | None = False
    """True: build kustomize roots (kubectl required); None: when kubectl is on PATH."""


@dataclass
class Report:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    documents: int = 0
    files: int = 0
    skipped: list[str] = field(default_factory=list)
    builds: list[str] = field(default_factory=list)
    built_documents: int = 0
    built: dict[str, list[Document]] = field(default_factory=dict)
    """The documents of each kustomize build, by the root folder as shown."""
    engine: str = "python"


def _no_schema(document: Document, schemas: SchemaSet, version: str) -> Finding:
    if not schemas.dirs:  # the same words for every kind: the CLI groups them into one line
        return Finding(
            (),
            f"not a core kind of Kubernetes {version}, and no schema folder "
            "given (--schema-dir or MRGEN_SCHEMA_DIR)",
            "schema",
        )
    where = f"no {schema_path(document.api_version, document.kind)} in " + ", ".join(
        str(d) for d in schemas.dirs
    )
    return Finding(
        (),
        f"no schema for {document.api_version} {document.kind}: not a core "
        f"kind of Kubernetes {version}, and {where}",
        "schema",
    )


def _findings(document: Document, schemas: SchemaSet, version: str) -> list[Finding]:
    data: Any = document.data
    if document.is_kustomization:
        return kustomization.check(document)
    api_version, kind = data.get("apiVersion"), data.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str) or not kind:
        return [Finding((), "apiVersion and kind must be non-empty strings", "schema")]
    out = metadata.check(data, patch=document.patch)
    if core.is_core(api_version, kind, version):
        return out + core.check(data, version)
    if schemas.lookup(api_version, kind) is None:
        return [*out, _no_schema(document, schemas, version)]
    out += schemas.check(data)
    meta_validator = core.metadata_validator(version)
    if meta_validator is not None and isinstance(data.get("metadata"), dict):
        out += [
            Finding(("metadata", *f.path), f.message, f.rule, f.key)
            for f in findings(meta_validator, data["metadata"])
        ]
    return out


def check_document(
    document: Document, schemas: SchemaSet, version: str = DEFAULT_K8S_VERSION
) -> list[Diagnostic]:
    """Every problem of one document, located in its file."""
    try:
        found = _findings(document, schemas, version)
    except (SchemaFileError, SchemaError, re.error, RecursionError) as exc:
        found = [Finding((), f"its schema cannot be applied: {exc}", "schema")]
    if document.patch:
        found = [f for f in found if f.rule != "required"]
    return [document.diagnostic(f.path, f.message, key=f.key) for f in ordered(found)]


def check_documents(
    documents: Sequence[Document],
    schema_dirs: Sequence[Path] = (),
    k8s_version: str = DEFAULT_K8S_VERSION,
) -> list[Diagnostic]:
    """Validate in-memory documents with the python engine."""
    schemas = SchemaSet(list(schema_dirs))
    return [d for document in documents for d in check_document(document, schemas, k8s_version)]


def _handed_off(document: Document) -> bool:
    return not document.is_kustomization and not document.patch


def _kubeconform(
    exe: str,
    root: Path,
    display_root: str,
    documents: Sequence[Document],
    builds: Sequence[kbuild.Build],
    options: Options,
) -> list[Diagnostic]:
    by_display: dict[str, list[Document]] = {}
    for document in documents:
        if _handed_off(document):
            by_display.setdefault(document.file, []).append(document)
    files: dict[str, str] = {}
    docs: dict[str, Sequence[Document]] = {}
    for display, group in by_display.items():
        real = (root / display[len(display_root) :].lstrip("/")).resolve().as_posix()
        files[real], docs[real] = display, group
    with tempfile.TemporaryDirectory(prefix="mrgen-outcheck-") as tmp:
        for i, built in enumerate(builds):
            if built.text:
                path = Path(tmp) / f"build-{i}.yaml"
                path.write_text(built.text, encoding="utf-8")
                files[path.as_posix()], docs[path.as_posix()] = built.display, built.documents
        problems, _ = kubeconform.run(exe, files, docs, options.schema_dirs, options.k8s_version)
    schemas = SchemaSet(list(options.schema_dirs))
    for document in [*documents, *(d for b in builds for d in b.documents)]:
        if _handed_off(document):
            problems += [
                document.diagnostic(f.path, f.message, key=f.key)
                for f in metadata.check(document.data)
            ]
        else:
            problems += check_document(document, schemas, options.k8s_version)
    return problems


def _engine(options: Options) -> tuple[str, str | None]:
    exe = kubeconform.find()
    if options.engine == "kubeconform" and exe is None:
        raise EngineMissing("--engine kubeconform: kubeconform is not on PATH")
    if options.engine == "python" or exe is None:
        return "python", None
    return "kubeconform", exe


def run(root: Path, options: Options, display_root: str | None = None) -> Report:
    """Validate every Kubernetes document under ``root`` (and its kustomize builds)."""
    shown = display_root if display_root is not None else root.as_posix()
    engine, exe = _engine(options)
    found = discover(root, shown)
    documents, problems, included = kustomization.references(root, shown, found.documents)
    report = Report(
        diagnostics=[*found.problems, *problems],
        files=len(found.files),
        skipped=found.skipped,
        engine=engine,
    )
    builds: list[kbuild.Build] = []
    kubectl = kbuild.kubectl()
    if options.build and kubectl is None:
        raise kbuild.KubectlMissing("--build: kubectl is not on PATH")
    if options.build is not False and kubectl is not None:
        names = sorted({d.file for d in documents if d.is_kustomization})
        for folder, display in kbuild.roots(names, included, root, shown):
            built = kbuild.build(folder, display, kubectl)
            builds.append(built)
            report.diagnostics += built.problems
    report.builds = [b.root for b in builds]
    report.built = {b.root: b.documents for b in builds if not b.problems}
    report.documents = len(documents)
    report.built_documents = sum(len(b.documents) for b in builds)
    if exe is not None:
        report.diagnostics += _kubeconform(exe, root, shown, documents, builds, options)
    else:
        schemas = SchemaSet(list(options.schema_dirs))
        for document in [*documents, *(d for b in builds for d in b.documents)]:
            report.diagnostics += check_document(document, schemas, options.k8s_version)
    report.diagnostics = _without_repeats(report.diagnostics)
    return report


_LABELLED = re.compile(r"document \d+ \((\S+)[^)]*\): (.*)")


def _without_repeats(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    """Drop a build's problem when a rendered file already shows it (same kind, field and
    message): the file is where it gets fixed."""

    def key(diagnostic: Diagnostic) -> tuple[str, ...] | None:
        match = _LABELLED.fullmatch(diagnostic.path)
        return (*match.groups(), diagnostic.message) if match else None

    in_files = {key(d) for d in diagnostics if not d.file.endswith(kbuild.SUFFIX)}
    return sorted(
        {d for d in diagnostics if not d.file.endswith(kbuild.SUFFIX) or key(d) not in in_files}
    )


def check_tree(
    root: Path, schema_dirs: Sequence[Path], k8s_version: str = DEFAULT_K8S_VERSION
) -> list[Diagnostic]:
    """Validate every rendered Kubernetes document under ``root`` with the python engine."""
    return run(root, Options(schema_dirs=schema_dirs, k8s_version=k8s_version)).diagnostics
