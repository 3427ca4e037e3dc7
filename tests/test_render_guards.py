"""The render flow's own guards: a file that does not parse back, a path produced twice,
and the CLI's last line of defence against an unexpected exception."""

from __future__ import annotations

import sys
from collections.abc import Iterable

import pytest

from generator import cli
from generator.errors import MrgenError
from generator.render import render
from generator.section import Context, RenderedFile
from generator.sections.mesh.model import Mesh
from generator.sections.mesh.section import MeshSection
from generator.spec import Spec
from tests.conftest import EXAMPLE_SPEC
from tests.globalspec import model


def _replace_mesh_output(monkeypatch: pytest.MonkeyPatch, *files: RenderedFile) -> None:
    def fake(
        self: MeshSection, model: Mesh, spec: Spec, context: Context
    ) -> Iterable[RenderedFile]:
        return files

    monkeypatch.setattr(MeshSection, "render", fake)


def test_a_generated_file_that_does_not_parse_is_a_located_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _replace_mesh_output(monkeypatch, RenderedFile("k8s/base/mesh/broken.yaml", "a: [1, 2\n"))
    with pytest.raises(MrgenError) as caught:
        render(model())
    (problem,) = caught.value.diagnostics
    # line 1 is the DO-NOT-EDIT header; the parser gives up at the end of line 2
    assert (problem.file, problem.line) == ("k8s/base/mesh/broken.yaml", 3)
    assert problem.message.startswith("generated file does not parse:")


def test_duplicate_keys_in_generated_output_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    _replace_mesh_output(monkeypatch, RenderedFile("k8s/base/mesh/twice.yaml", "a: 1\na: 2\n"))
    with pytest.raises(MrgenError) as caught:
        render(model())
    assert str(caught.value) == (
        "k8s/base/mesh/twice.yaml:2:1: generated file does not parse: duplicate keys ['a']"
    )


def test_a_path_produced_twice_names_both_sections(monkeypatch: pytest.MonkeyPatch) -> None:
    # The core section writes k8s/base/mesh/service.yaml; the mesh section now does too.
    _replace_mesh_output(monkeypatch, RenderedFile("k8s/base/mesh/service.yaml", "a: 1\n"))
    with pytest.raises(MrgenError) as caught:
        render(model())
    assert [str(d) for d in caught.value.diagnostics] == [
        "k8s/base/mesh/service.yaml: produced twice (by section core, then by mesh)"
    ]


def test_an_internal_error_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def explode(spec: Spec, extensions: object = None) -> list[RenderedFile]:
        raise RuntimeError("boom")

    monkeypatch.setattr("generator.render.render", explode)
    monkeypatch.setattr(sys, "argv", ["mrgen", "render", str(EXAMPLE_SPEC), "--check"])
    monkeypatch.delenv("MRGEN_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exited:
        cli.run()
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err == (
        "mrgen: internal error: RuntimeError: boom (set MRGEN_DEBUG=1 for a traceback)\n"
    )


def test_mrgen_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(spec: Spec, extensions: object = None) -> list[RenderedFile]:
        raise RuntimeError("boom")

    monkeypatch.setattr("generator.render.render", explode)
    monkeypatch.setattr(sys, "argv", ["mrgen", "render", str(EXAMPLE_SPEC), "--check"])
    monkeypatch.setenv("MRGEN_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        cli.run()
