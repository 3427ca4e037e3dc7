"""The flow step: a spec's user extensions -> files in the region overlays.

Called by :func:`generator.render.render` after every section rendered and before the
kustomizations are written, with the extension folder's contents (read at the edge). Pure:
it returns :class:`RenderedFile` s and raises every problem at once.

For each region, the files of ``all/`` and then of ``<region>/`` are read (a template is
rendered first, with ``spec``, ``region`` and the overlay's ``objects``); each document must
be a Kubernetes object. An added object must not be one mrgen renders in the overlay (that
needs a patch); a patch must target an object of the overlay, named as in mrgen's files:
without the overlay's name prefix. Each source file becomes one file in
``k8s/overlays/<region>/`` (``extension-all-<name>`` or ``extension-region-<name>``), written
by mrgen's serializer and listed after mrgen's own files, so a user's patch applies last.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from generator import emit
from generator.errors import MrgenError, at, did_you_mean
from generator.extensions.documents import Document, Identity, parse
from generator.extensions.problems import How, Problems
from generator.extensions.source import ALL, FileName, Source, SourceFile, parse_name
from generator.extensions.targets import Target, overlay_targets
from generator.section import RenderedFile
from generator.sections.core.layout import EXTENSION_PREFIX
from generator.sections.core.layout import PATCH_SUFFIX as LAYOUT_PATCH
from generator.sections.core.model import Region
from generator.sections.core.names import overlay_dir
from generator.spec import Spec


@dataclass(frozen=True)
class Unit:
    """One extension file."""

    folder: str
    """``all`` or a region's name."""
    file: SourceFile
    name: FileName
    display: str
    """The file as messages name it."""

    @property
    def text(self) -> str:
        return self.file.text or ""

    @property
    def output_name(self) -> str:
        scope = "all" if self.folder == ALL else "region"
        suffix = LAYOUT_PATCH if self.name.kind == "patch" else ".yaml"
        return f"{EXTENSION_PREFIX}{scope}-{self.name.stem}{suffix}"


def _units(source: Source, regions: Sequence[str], problems: Problems) -> list[Unit]:
    """The extension files, after checking the folder's layout and the files' names."""
    known = {ALL, *regions}
    if ALL in regions:
        problems.add(
            at(
                source.display,
                (
                    f"the spec has a region named {ALL!r}, so {ALL}/ "
                    f"would mean both that region and "
                    "every region: rename the region to use extensions"
                ),
            )
        )
        return []
    for folder in source.folders:
        top, _, inner = folder.partition("/")
        where = f"{source.display}/{folder}"
        if top not in known and not inner:
            problems.add(
                at(
                    where,
                    (
                        f"no region {top!r} in the spec; extension "
                        f"folders are {ALL}/ (every region) "
                        f"and one per region: "
                        f"{', '.join(regions)}{did_you_mean(top, sorted(known))}"
                    ),
                )
            )
        elif inner and top in known:
            problems.add(
                at(where, (f"folders inside {top}/ are not read: move the files up into {top}/"))
            )
    units: list[Unit] = []
    made: dict[tuple[str, str], Unit] = {}
    for file in source.files:
        top, _, name = file.path.partition("/")
        where = f"{source.display}/{file.path}"
        if not name:
            problems.add(
                at(
                    where,
                    (
                        f"extensions go in {ALL}/ (every region) or a "
                        f"region's folder, not at the top "
                        f"of {source.display}/"
                    ),
                )
            )
            continue
        if top not in known:
            continue  # the folder is reported
        parsed = parse_name(name)
        if isinstance(parsed, str):
            problems.add(at(where, parsed))
            continue
        unit = Unit(top, file, parsed, where)
        other = made.get((top, unit.output_name))
        if other is not None:
            problems.add(
                at(
                    where,
                    (f"{other.display} makes the same file ({unit.output_name}); keep one of them"),
                )
            )
            continue
        made[(top, unit.output_name)] = unit
        units.append(unit)
    return sorted(units, key=lambda u: (u.folder != ALL, u.file.path))


def _patch_miss(ident: Identity, targets: Sequence[Target]) -> str:
    """Why a patch matches nothing, with the nearest object of the overlay as a hint."""
    same_kind = [t for t in targets if t.identity.kind == ident.kind]
    message = f"the patch targets {ident.describe()}, which is not an object of the overlay"
    for target in same_kind:
        other = target.identity
        if other.name == ident.name and other.api_version != ident.api_version:
            return f"{message}: mrgen renders it as apiVersion {other.api_version}"
        if other.name == ident.name and other.namespace != ident.namespace:
            where = f"in namespace {other.namespace}" if other.namespace else "without a namespace"
            return f"{message}: mrgen renders it {where}"
        if target.cluster_name == ident.name != other.name:
            return (
                f"{message}: name it {other.name!r}, without the overlay's name prefix "
                f"(patches name objects as mrgen's own files do)"
            )
    names = sorted({t.identity.name for t in same_kind})
    hint = did_you_mean(ident.name, names)
    if hint:
        return message + hint
    if names:
        return f"{message}; its {ident.kind} objects: {', '.join(names)}"
    return f"{message}; it has no {ident.kind}"


def _clash(ident: Identity, targets: Sequence[Target]) -> Target | None:
    """The object mrgen renders that an added object would duplicate."""
    for target in targets:
        other = target.identity
        if (other.group, other.kind, other.namespace) == (
            ident.group,
            ident.kind,
            ident.namespace,
        ) and ident.name in (other.name, target.cluster_name):
            return target
    return None


def _scope(unit: Unit, region: Region) -> tuple[str | None, How]:
    """How a problem of ``unit`` in ``region`` is reported: a plain file of a region's folder
    needs no region named; an ``all/`` file or a template's output does."""
    if unit.name.template:
        return region.name, "output"
    return (region.name if unit.folder == ALL else None), "plain"


class _Run:
    def __init__(
        self,
        spec: Spec,
        source: Source,
        units: Sequence[Unit],
        rendered: Sequence[RenderedFile],
        problems: Problems,
    ) -> None:
        self.spec = spec
        self.source = source
        self.units = units
        self.problems = problems
        self.targets = overlay_targets(spec, rendered)
        self.parsed: dict[str, list[Document]] = {}
        templates = {u.file.path: u.text for u in units if u.name.template}
        self.env = None
        if templates:
            from generator.templating import make_environment

            self.env = make_environment(sources=templates, sandboxed=True)

    def documents(self, unit: Unit, region: Region) -> list[Document]:
        if not unit.name.template:
            if unit.file.path not in self.parsed:
                docs, found = parse(unit.text, unit.display)
                for problem in found:
                    self.problems.add(problem)
                if not docs and not found:
                    self.problems.add(
                        at(unit.display, ("holds no document: add an object, or delete the file"))
                    )
                self.parsed[unit.file.path] = docs
            return self.parsed[unit.file.path]
        text = self.render_template(unit, region)
        if text is None:
            return []
        docs, found = parse(text, unit.display)
        for problem in found:
            self.problems.add(problem, region.name, "output")
        return docs

    def render_template(self, unit: Unit, region: Region) -> str | None:
        from generator.templating import TEMPLATE_ERRORS, template_line

        assert self.env is not None
        objects = [t.as_value() for t in self.targets[region.name]]
        try:
            text: str = self.env.get_template(unit.file.path).render(
                spec=self.spec, region=region, objects=objects
            )
        except TEMPLATE_ERRORS as exc:
            line = template_line(exc, unit.file.path)
            where = unit.display + (f":{line}" if line else "")
            message = " ".join(str(exc).split()) or type(exc).__name__
            self.problems.add(at(where, message), region.name, "template")
            return None
        return text

    def region(self, region: Region) -> list[RenderedFile]:
        targets = self.targets[region.name]
        mine = [
            (u, self.documents(u, region)) for u in self.units if u.folder in (ALL, region.name)
        ]
        added: dict[Identity, Unit] = {}
        for unit, docs in mine:
            scope, how = _scope(unit, region)
            for doc in docs:
                ident = doc.identity
                name_at = ("metadata", "name")
                if unit.name.kind == "object":
                    clash = _clash(ident, targets)
                    if clash is not None:
                        self.problems.add(
                            doc.problem(
                                name_at,
                                (
                                    f"mrgen already renders {clash.identity.describe()} in the "
                                    f"overlay: change it with a patch (name the file "
                                    f"{unit.name.stem}.patch.yaml)"
                                ),
                            ),
                            scope,
                            how,
                        )
                    elif ident in added:
                        other = added[ident]
                        self.problems.add(
                            doc.problem(
                                name_at,
                                (
                                    "the file adds this object twice"
                                    if other is unit
                                    else f"{other.display} adds this object to the overlay too"
                                ),
                            ),
                            scope,
                            how,
                        )
                    added.setdefault(ident, unit)
        known = {t.identity for t in targets} | set(added)
        for unit, docs in mine:
            scope, how = _scope(unit, region)
            for doc in docs:
                if unit.name.kind == "patch" and doc.identity not in known:
                    self.problems.add(
                        doc.problem(("metadata", "name"), _patch_miss(doc.identity, targets)),
                        scope,
                        how,
                    )
        folder = overlay_dir(region)
        return [
            replace(
                emit.yaml_file(f"{folder}/{unit.output_name}", *(d.data for d in docs)),
                source=f"{self.source.header}/{unit.file.path}",
            )
            for unit, docs in mine
            if docs
        ]


def extend(spec: Spec, source: Source, rendered: Sequence[RenderedFile]) -> list[RenderedFile]:
    """The overlay files of ``source``'s extensions, given mrgen's own ``rendered`` files."""
    problems = Problems([r.name for r in spec.regions])
    units = _units(source, problems.regions, problems)
    out: list[RenderedFile] = []
    if units:
        run = _Run(spec, source, units, rendered, problems)
        for region in spec.regions:
            out.extend(run.region(region))
    if problems:
        raise MrgenError(problems.diagnostics())
    return sorted(out)
