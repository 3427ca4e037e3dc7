"""`mrgen diff`: what rendering the spec would change, per resource (part of the CLI)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from generator.cli import load_extensions, load_spec, main
from generator.cli_report import EXIT_OK, EXIT_PROBLEMS
from generator.cli_report import reported as _reported
from generator.cli_report import waiting as _waiting


@main.command()
@click.argument("spec", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--against",
    metavar="GITREF|DIR",
    help="Compare with the spec rendered at this git ref, or with this folder "
    "(default: the committed output folder, --out).",
)
@click.option(
    "--out",
    "out_dir",
    default="rendered",
    show_default=True,
    type=click.Path(file_okay=False),
    help="The committed output folder.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=0),
    default=None,
    help="Markdown only: leave out the details (then summary rows) beyond this size; "
    "0 for no bound (default: 60000, under GitHub's comment limit).",
)
def diff(
    spec: str | None, against: str | None, out_dir: str, fmt: str, max_bytes: int | None
) -> None:
    """Show, per resource, what rendering SPEC would change.

    \b
    Exit codes: 0 no changes, 1 changes (or an invalid spec), 2 trouble (unknown ref).
    """
    from generator.diffformat import FORMATTERS, to_markdown
    from generator.diffsource import extensions_at_ref, read_tree, render_tree, spec_at_ref
    from generator.lock import output_lock
    from generator.render import render as render_files
    from generator.semdiff import diff_trees

    with _reported():
        path, model = load_spec(spec)
        new = {f.path: f.content for f in render_files(model, load_extensions(path, model))}
        if against is None:
            out = Path(out_dir)
            with output_lock(out, shared=True, on_wait=_waiting(out)):
                old = read_tree(out) if out.exists() else {}
        elif Path(against).is_dir():
            old = read_tree(Path(against))
        else:
            text, display = spec_at_ref(path, against)
            old = render_tree(
                text, display, model.source, lambda built: extensions_at_ref(path, against, built)
            )
        result = diff_trees(old, new)
    colour = False if os.environ.get("NO_COLOR") else None
    if fmt == "markdown" and max_bytes is not None:
        shown = to_markdown(result, max_bytes=max_bytes)
    else:
        shown = FORMATTERS[fmt](result)
    click.echo(shown, nl=False, color=colour)
    sys.exit(EXIT_PROBLEMS if result.changed else EXIT_OK)
