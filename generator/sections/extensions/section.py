"""The ``extensions`` setting behind the :class:`Section` protocol. It renders nothing
itself: the CLI reads the folder it names and :mod:`generator.render` hands the contents to
:mod:`generator.extensions`, after every section rendered."""

from __future__ import annotations

from collections.abc import Iterable

from generator.section import Context, DerivedName, Problem, Raw, RenderedFile, Section
from generator.sections.extensions.model import DEFAULT_PATH, EXTENSIONS, ExtensionSettings
from generator.spec import Always, Spec


class ExtensionsSection:
    key: Always[ExtensionSettings] = EXTENSIONS
    spec_keys = ("extensions",)

    def build(self, raw: Raw, built: Spec) -> ExtensionSettings:
        part = raw.get("extensions", {})
        return ExtensionSettings(part.get("path", DEFAULT_PATH), "path" in part)

    def check(self, model: ExtensionSettings, spec: Spec) -> Iterable[Problem]:
        return ()

    def names(self, model: ExtensionSettings, spec: Spec) -> Iterable[DerivedName]:
        return ()

    def layers(self, model: ExtensionSettings, spec: Spec) -> Iterable[str]:
        return ()

    def render(
        self, model: ExtensionSettings, spec: Spec, context: Context
    ) -> Iterable[RenderedFile]:
        return ()


SECTION: Section[ExtensionSettings] = ExtensionsSection()
