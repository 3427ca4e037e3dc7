"""The command line: the only place that prints or chooses an exit code.

Exit codes (a contract, like black's): 0 success / no drift, 1 invalid spec or drift,
2 usage error or trouble (an unreadable folder, an internal error).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

if TYPE_CHECKING:
    from generator.model import Spec
    from generator.sync import Plan

F = TypeVar("F", bound=Callable[..., object])
EXIT_OK, EXIT_PROBLEMS, EXIT_TROUBLE = 0, 1, 2
SPEC_FOLDER = "spec"


def _echo_err(text: str) -> None:
    click.echo(text, err=True)


@contextmanager
def _reported() -> Iterator[None]:
    """Turn MrgenError into located lines and exit 1; anything else into exit 2."""
    from generator.errors import MrgenError

    try:
        yield
    except MrgenError as exc:
        for diagnostic in exc.diagnostics:
            _echo_err(str(diagnostic))
        count = len(exc.diagnostics)
        _echo_err(f"mrgen: {count} problem{'s' if count != 1 else ''} found")
        sys.exit(EXIT_PROBLEMS)
    except OSError as exc:
        _echo_err(f"mrgen: {exc.filename or ''}: {exc.strerror or exc}")
        sys.exit(EXIT_TROUBLE)


def default_spec() -> Path:
    """The single ``spec/*.yaml`` of the project in the current folder."""
    folder = Path(SPEC_FOLDER)
    found = sorted(p for p in (*folder.glob("*.yaml"), *folder.glob("*.yml")) if p.is_file())
    if len(found) != 1:
        what = "no spec" if not found else f"{len(found)} specs"
        raise click.UsageError(f"{what} in {folder}/; name the spec file to use")
    return found[0]


def source_name(spec_path: Path) -> str:
    """How headers name the spec: relative to its project root, so cwd never matters."""
    resolved = spec_path.resolve()
    for parent in resolved.parents:
        if (parent / ".git").exists() or (parent / "pyproject.toml").exists():
            return resolved.relative_to(parent).as_posix()
    return f"{resolved.parent.name}/{resolved.name}"


def load_spec(spec_arg: str | None) -> tuple[Path, Spec]:
    from generator.build import build
    from generator.loader import load_file

    path = Path(spec_arg) if spec_arg else default_spec()
    loaded = load_file(path, display=str(path))
    return path, build(loaded, source_name(path))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mrgen", prog_name="mrgen")
def main() -> None:
    """Render a multi-region deployment from one spec.

    \b
    spec/*.yaml -> validate -> render -> rendered/ -> git -> Argo CD
    """


@main.command()
@click.argument("spec", required=False, type=click.Path(dir_okay=False))
def validate(spec: str | None) -> None:
    """Check SPEC (default: the one spec in spec/) and report every problem."""
    with _reported():
        path, model = load_spec(spec)
    click.echo(f"{path}: valid ({len(model.regions)} regions, primary {model.primary.name})")


def _print_plan(result: Plan, out: Path, show_diff: bool, verb: str) -> None:
    for change in result.changes:
        click.echo(f"{verb}{change.action} {out / change.path}")
    if show_diff:
        import difflib

        for change in result.changes:
            old = (change.old or "").splitlines(keepends=True)
            new = (change.new or "").splitlines(keepends=True)
            label = (out / change.path).as_posix()
            click.echo("".join(difflib.unified_diff(
                old, new,
                fromfile="/dev/null" if change.action == "create" else f"a/{label}",
                tofile="/dev/null" if change.action == "delete" else f"b/{label}")), nl=False)


@main.command()
@click.argument("spec", required=False, type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", default="rendered", show_default=True,
              type=click.Path(file_okay=False), help="Output folder.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the output would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Also print a unified diff of changes.")
def render(spec: str | None, out_dir: str, check: bool, show_diff: bool) -> None:
    """Render SPEC into OUT, writing only what changed, atomically."""
    from generator.render import render as render_files
    from generator.sync import apply, plan

    out = Path(out_dir)
    with _reported():
        _, model = load_spec(spec)
        result = plan(out, render_files(model), model.source)
        if check:
            _print_plan(result, out, show_diff, "would ")
            if result.changes:
                _echo_err(f"mrgen: {len(result.changes)} file(s) out of date in {out}; "
                          "run `mrgen render`")
                sys.exit(EXIT_PROBLEMS)
            click.echo(f"{out}: up to date ({len(result.unchanged)} files)")
            return
        apply(result)
    _print_plan(result, out, show_diff, "")
    counts = {a: sum(c.action == a for c in result.changes) for a in ("create", "update", "delete")}
    click.echo(f"{out}: {counts['create']} created, {counts['update']} updated, "
               f"{counts['delete']} deleted, {len(result.unchanged)} unchanged")


@main.command()
def schema() -> None:
    """Print the spec's JSON Schema (draft 2020-12)."""
    from generator.resources import schema_path

    click.echo(schema_path().read_text(encoding="utf-8"), nl=False)


def run() -> None:
    """Entry point wrapper: an unexpected exception is reported, not dumped."""
    try:
        main(standalone_mode=True)
    except SystemExit:
        raise
    except Exception as exc:  # the last line of defence: users get one line, not a traceback
        if os.environ.get("MRGEN_DEBUG"):
            raise
        _echo_err(f"mrgen: internal error: {type(exc).__name__}: {exc} "
                  "(set MRGEN_DEBUG=1 for a traceback)")
        sys.exit(EXIT_TROUBLE)
