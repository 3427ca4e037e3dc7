"""`mrgen validate --rendered`: strict validation of a rendered tree plus the seam rules
(part of the CLI: it prints and picks the exit code)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from generator.cli_report import EXIT_PROBLEMS
from generator.cli_report import echo_err as _echo_err
from generator.cli_report import reported as _reported

if TYPE_CHECKING:
    from generator.errors import Diagnostic


def validate_rendered(
    folder: Path,
    flag_dirs: tuple[Path, ...],
    engine: str,
    build: bool | None,
    version: str,
    only: tuple[str, ...] = (),
    skipped: tuple[str, ...] = (),
) -> None:
    from generator import outcheck, seams
    from generator.errors import MrgenError

    if not folder.is_dir():
        raise click.UsageError(f"{folder} is not a folder; run `mrgen render` first")
    try:
        rules = seams.select(only, skipped)
    except seams.UnknownRule as exc:
        raise click.BadParameter(str(exc), param_hint="--rule/--skip-rule") from None
    env_dirs = outcheck.dirs_from_env(os.environ)
    try:
        outcheck.check_dirs(env_dirs, outcheck.ENV_VAR)
        options = outcheck.Options(
            [*flag_dirs, *env_dirs],
            version,
            engine,  # type: ignore[arg-type]
            build,
        )
        with _reported():
            report = outcheck.run(folder, options, folder.as_posix())
            builds = (
                f", {len(report.builds)} kustomize builds ({report.built_documents} documents)"
                if report.builds
                else ", no kustomize builds"
            )
            click.echo(
                f"{folder}: {report.documents} documents in {report.files} files "
                f"checked with {report.engine} (Kubernetes {version}){builds}; "
                f"{len(report.skipped)} other files skipped"
            )
            found = list(report.diagnostics)
            if rules:
                tree = seams.read(folder, folder.as_posix(), report.built)
                found += seams.check(tree, rules)
                plural = "s" if len(rules) != 1 else ""
                click.echo(
                    f"{folder}: {len(rules)} seam rule{plural} checked over "
                    f"{len(tree.placements)} Applications in {len(tree.clusters)} "
                    "clusters"
                )
            if found:
                _print_grouped(MrgenError(found).diagnostics)
                sys.exit(EXIT_PROBLEMS)
    except outcheck.USAGE_ERRORS as exc:  # missing schema folder or tool, unknown version
        raise click.UsageError(str(exc)) from None
    click.echo(f"{folder}: valid")


def _print_grouped(diagnostics: list[Diagnostic]) -> None:
    """Every problem, a message repeated for many files as one line with a count."""
    from generator.repeats import group_repeats

    for item in group_repeats(diagnostics):
        _echo_err(str(item))
    _echo_err(f"mrgen: {len(diagnostics)} problem{'s' if len(diagnostics) != 1 else ''} found")
