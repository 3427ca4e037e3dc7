"""Find the Kubernetes documents in a rendered tree, with the position of every value.

A file is a Kubernetes file when one of its YAML (or JSON) documents is a mapping with both
``apiVersion`` and ``kind``. Other files (Prometheus configuration, rule files, promtool
tests, change batches, markdown, mrgen's ownership record) are skipped and counted.
Values are read with PyYAML's safe (YAML 1.1) rules, which are closer to how kubectl reads
YAML than the spec loader's YAML 1.2 rules: an unquoted ``on`` is a boolean to both.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.errors import Diagnostic, Path, format_path

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
KUSTOMIZE_GROUP = "kustomize.config.k8s.io"
RECORD = ".mrgen-files.json"  # sync.RECORD, repeated to keep this import-light
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Document:
    """One YAML document of a rendered file (``index`` is 1-based)."""

    file: str
    index: int
    data: Any
    positions: Mapping[Path, tuple[int, int]] = field(default_factory=dict, repr=False)
    key_positions: Mapping[Path, tuple[int, int]] = field(default_factory=dict, repr=False)
    patch: bool = False
    """A strategic-merge patch: partial by design, so missing required fields are fine."""

    @property
    def api_version(self) -> str:
        value = self.data.get("apiVersion") if isinstance(self.data, dict) else None
        return value if isinstance(value, str) else ""

    @property
    def kind(self) -> str:
        value = self.data.get("kind") if isinstance(self.data, dict) else None
        return value if isinstance(value, str) else ""

    @property
    def name(self) -> str:
        meta = self.data.get("metadata") if isinstance(self.data, dict) else None
        name = meta.get("name") if isinstance(meta, dict) else None
        return name if isinstance(name, str) else ""

    @property
    def label(self) -> str:
        what = " ".join(part for part in (self.kind or "?", self.name) if part)
        return f"document {self.index} ({what})"

    @property
    def is_kustomization(self) -> bool:
        return self.api_version.startswith(f"{KUSTOMIZE_GROUP}/") or (
            FsPath(self.file).name in KUSTOMIZATION_NAMES
        )

    def where(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        table = self.key_positions if key and path in self.key_positions else self.positions
        probe = path
        while probe and probe not in table:
            probe = probe[:-1]
        return table.get(probe, (0, 0))

    def diagnostic(self, path: Path, message: str, *, key: bool = False) -> Diagnostic:
        line, col = self.where(path, key=key)
        return Diagnostic(self.file, line, col, f"{self.label}: {format_path(path)}", message)


@dataclass
class Discovery:
    """Documents found under a root, files skipped, and files that could not be read."""

    documents: list[Document] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)


class _Positions:
    def __init__(self) -> None:
        self.values: dict[Path, tuple[int, int]] = {}
        self.keys: dict[Path, tuple[int, int]] = {}
        self.duplicates: list[tuple[Path, tuple[int, int]]] = []

    def walk(self, node: Node, path: Path) -> None:
        self.values.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    continue
                key = str(key_node.value)
                here = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                if key in seen:
                    self.duplicates.append(((*path, key), here))
                    continue
                seen.add(key)
                self.keys[(*path, key)] = here
                self.walk(value_node, (*path, key))
        elif isinstance(node, SequenceNode):
            for i, item in enumerate(node.value):
                self.walk(item, (*path, i))


def parse_yaml(
    text: str,
    file: str,
    *,
    fast: bool = False,
) -> tuple[list[Document], list[Diagnostic]]:
    """Every non-empty document of a YAML stream, with positions; duplicate keys are errors.

    ``fast``: parse with libyaml when PyYAML has it (same values and positions, about seven
    times faster, but its error messages are worded differently)."""
    documents: list[Document] = []
    problems: list[Diagnostic] = []
    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader) if fast else yaml.SafeLoader
    loader = loader_class(text)
    try:
        index = 0
        while loader.check_node():
            node = loader.get_node()
            index += 1
            if node is None:
                continue
            data = loader.construct_document(node)
            if data is None:
                continue
            positions = _Positions()
            positions.walk(node, ())
            document = Document(file, index, data, positions.values, positions.keys)
            for path, (line, col) in positions.duplicates:
                problems.append(
                    Diagnostic(
                        file, line, col, f"{document.label}: {format_path(path)}", "duplicate key"
                    )
                )
            documents.append(document)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problems.append(Diagnostic(file, line, col, "", f"invalid YAML: {exc.problem}"))
    except yaml.YAMLError as exc:
        problems.append(Diagnostic(file, 0, 0, "", f"invalid YAML: {exc}"))
    finally:
        loader.dispose()
    return documents, problems


def is_object(data: object) -> bool:
    return isinstance(data, dict) and "apiVersion" in data and "kind" in data


def _read(path: FsPath, display: str) -> tuple[list[Document], list[Diagnostic]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Diagnostic(display, 0, 0, "", f"cannot read: {exc}")]
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except ValueError as exc:
            return [], [Diagnostic(display, 0, 0, "", f"invalid JSON: {exc}")]
        return [Document(display, 1, data)], []
    return parse_yaml(text, display)


def _files(root: FsPath) -> Iterator[FsPath]:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield path


def discover(root: FsPath, display_root: str | None = None) -> Discovery:
    """Every Kubernetes document under ``root``; file names shown as ``display_root/rel``."""
    shown = display_root if display_root is not None else root.as_posix()
    found = Discovery()
    for path in _files(root):
        rel = path.relative_to(root).as_posix()
        display = f"{shown.rstrip('/')}/{rel}" if shown else rel
        hidden = any(part.startswith(".") for part in path.relative_to(root).parts)
        if hidden or path.name == RECORD or path.suffix not in (*YAML_SUFFIXES, ".json"):
            found.skipped.append(display)
            continue
        documents, problems = _read(path, display)
        found.problems.extend(problems)
        kustomization = path.name in KUSTOMIZATION_NAMES
        if not kustomization and not any(is_object(d.data) for d in documents):
            if not problems:
                found.skipped.append(display)
            continue
        found.files.append(display)
        for document in documents:
            if kustomization or is_object(document.data):
                found.documents.append(document)
            else:
                found.problems.append(
                    document.diagnostic(
                        (), "not a Kubernetes object (no apiVersion and kind) in a file of objects"
                    )
                )
    return found
