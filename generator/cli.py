"""The command line: the only place that prints or chooses an exit code (with
:mod:`generator.cli_report`, which holds the exit-code table: 0 ok, 1 findings, 2 usage or
trouble, 130 interrupted).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from generator.cli_report import EXIT_INTERRUPTED, EXIT_PROBLEMS, EXIT_TROUBLE, Interrupted
from generator.cli_report import echo_err as _echo_err
from generator.cli_report import interrupt as _interrupt
from generator.cli_report import reported as _reported
from generator.cli_report import shown as _shown
from generator.cli_report import waiting as _waiting

if TYPE_CHECKING:
    from generator.extensions.source import Source
    from generator.safety import Refusal
    from generator.spec import Spec
    from generator.sync import Plan

F = TypeVar("F", bound=Callable[..., object])
SPEC_FOLDER = "spec"


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


def load_extensions(spec_path: Path, model: Spec) -> Source | None:
    from generator.extensions.loader import read_for  # the spec's folder; None when empty

    return read_for(spec_path, model)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mrgen", prog_name="mrgen")
def main() -> None:
    """Render a multi-region deployment from one spec.

    \b
    spec/*.yaml -> validate -> render -> rendered/ -> git -> Argo CD
    """


@main.command()
@click.argument("spec", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--rendered",
    "rendered_dir",
    is_flag=False,
    flag_value="rendered",
    default=None,
    type=click.Path(file_okay=False),
    metavar="[DIR]",
    help="Instead of a spec, validate the Kubernetes documents rendered in DIR "
    "(default: rendered) strictly.",
)
@click.option(
    "--schema-dir",
    "schema_dirs",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Custom resource schemas, <group>/<kind>_<version>.json (repeatable; "
    "also MRGEN_SCHEMA_DIR, os.pathsep-separated).",
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "python", "kubeconform"]),
    default="auto",
    show_default=True,
    help="auto: kubeconform when on PATH, else python.",
)
@click.option(
    "--build/--no-build",
    default=None,
    help="Also validate `kubectl kustomize` of every root (default: when kubectl is on PATH).",
)
@click.option("--kubernetes-version", default="1.32.0", show_default=True)
@click.option(
    "--rule",
    "rules",
    multiple=True,
    metavar="ID",
    help="With --rendered: run only the seam rules matching ID (a rule id or a glob "
    "like 'dns-*'; repeatable). See docs/seams.md.",
)
@click.option(
    "--skip-rule",
    "skipped",
    multiple=True,
    metavar="ID",
    help="With --rendered: skip the seam rules matching ID (repeatable; '*' skips them all).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Warnings (placeholder values, an Istio release past its end of life) "
    "are errors: exit 1 on any (for CI).",
)
def validate(
    spec: str | None,
    rendered_dir: str | None,
    schema_dirs: tuple[Path, ...],
    engine: str,
    build: bool | None,
    kubernetes_version: str,
    rules: tuple[str, ...],
    skipped: tuple[str, ...],
    strict: bool,
) -> None:
    """Check SPEC (default: the one spec in spec/) and report every problem and warning.

    With --rendered, also run the seam rules: cross-artifact checks of the rendered tree
    (DNS names served, scrapes reachable, projects that admit their Applications, ...).
    """
    if rendered_dir is not None:
        if spec is not None:
            raise click.UsageError("give either SPEC or --rendered DIR, not both")
        if strict:
            raise click.UsageError("--strict applies to a spec, not --rendered")
        _validate_rendered(
            Path(rendered_dir), schema_dirs, engine, build, kubernetes_version, rules, skipped
        )
        return
    if rules or skipped:
        raise click.UsageError("--rule and --skip-rule apply to --rendered only")

    with _reported():
        path, model = load_spec(spec)
        extensions = load_extensions(path, model)
        if extensions is not None:  # their problems show in a render
            from generator.render import render as render_files

            render_files(model, extensions)
    warnings = model.warnings
    if strict and warnings:
        from generator.errors import MrgenError

        with _reported():
            raise MrgenError(w.as_error() for w in warnings)
    for warning in warnings:
        _echo_err(str(warning))
    added = f", extensions in {extensions.display}" if extensions else ""
    noted = f", {len(warnings)} warning{'s' if len(warnings) != 1 else ''}" if warnings else ""
    click.echo(
        f"{path}: valid ({len(model.regions)} regions, primary {model.primary.name}{added}){noted}"
    )


def _print_plan(result: Plan, out: Path, show_diff: bool, verb: str) -> None:
    for change in result.changes:
        click.echo(f"{verb}{change.action} {_shown(out / change.path)}")
    if show_diff:
        import difflib

        for change in result.changes:
            old = (change.old or "").splitlines(keepends=True)
            new = (change.new or "").splitlines(keepends=True)
            label = _shown(out / change.path)
            click.echo(
                "".join(
                    difflib.unified_diff(
                        old,
                        new,
                        fromfile="/dev/null" if change.action == "create" else f"a/{label}",
                        tofile="/dev/null" if change.action == "delete" else f"b/{label}",
                    )
                ),
                nl=False,
            )


def _share(value: str) -> Fraction:
    """--max-delete-share: a fraction (0.25) or a percentage (25%)."""
    try:
        share = Fraction(value[:-1]) / 100 if value.endswith("%") else Fraction(value)
    except (ValueError, ZeroDivisionError):
        raise click.BadParameter(f"{value!r} is not a share like 0.25 or 25%") from None
    if not 0 <= share <= 1:
        raise click.BadParameter(f"{value!r} is not between 0 and 1 (0% and 100%)")
    return share


def _print_refusals(refusals: list[Refusal], out: Path, check: bool) -> None:
    verb = "would refuse to render" if check else "refusing to render"
    for refusal in refusals:
        _echo_err(f"mrgen: {verb}: {refusal.reason}; it would delete:")
        for path in refusal.paths:
            _echo_err(f"  {_shown(out / path)}")
    _echo_err("mrgen: if this is intended, run `mrgen render --force`")


@main.command()
@click.argument("spec", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--out",
    "out_dir",
    default="rendered",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Output folder.",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the output would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Also print a unified diff of changes.")
@click.option(
    "--force", is_flag=True, help="Apply even a render that deletes a whole region or many files."
)
@click.option(
    "--max-delete-share",
    "max_share",
    default="25%",
    show_default=True,
    help="Refuse (without --force) to delete more than this share of the rendered files.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Fail (exit 1) instead of warning when OUT is not the spec's delivery.renderedPath.",
)
@click.option(
    "--lock-timeout",
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    type=click.FloatRange(min=0),
    help="How long to wait for another render into "
    "the same folder to finish before giving up (exit 2).",
)
def render(
    spec: str | None,
    out_dir: str,
    check: bool,
    show_diff: bool,
    force: bool,
    max_share: str,
    strict: bool,
    lock_timeout: float,
) -> None:
    """Render SPEC into OUT, writing only what changed, atomically.

    Refuses, unless --force, a render that deletes every file of a region's overlay or more
    than --max-delete-share of the rendered files (a dropped region is usually a typo), and
    an OUT that holds the spec or other files but no record of mrgen's. Never renders into
    the filesystem root, the home folder, the current folder or a mount point. Warns (fails
    with --strict) when OUT is not the spec's delivery.renderedPath, which the Argo CD
    objects sync.
    """
    from generator import outdir
    from generator.lock import output_lock
    from generator.outpath import check_out
    from generator.render import render as render_files
    from generator.safety import check as safety_check
    from generator.sections.delivery.model import DELIVERY
    from generator.sync import apply, plan, recover

    out = Path(out_dir)
    share = _share(max_share)
    with _reported():
        spec_path, model = load_spec(spec)
        mismatch = check_out(spec_path, out, model[DELIVERY].rendered_path)
        if mismatch:
            _echo_err(f"mrgen: {'error' if strict else 'warning'}: {mismatch.message()}")
            if strict:
                sys.exit(EXIT_PROBLEMS)
        files = render_files(model, load_extensions(spec_path, model))
        if model.warnings:  # rendered all the same; `validate` lists them, located
            _echo_err(
                f"mrgen: {spec_path} has {len(model.warnings)} warning(s) (placeholder "
                "values, ...); `mrgen validate` lists them"
            )
        outdir.check(out, spec_path, force)
        with output_lock(out, shared=check, timeout=lock_timeout, on_wait=_waiting(out)):
            if not check:
                recover(out)
            result = plan(out, files, model.source)
            refusals = [] if force else safety_check(result, share)
            if check:
                _print_plan(result, out, show_diff, "would ")
                if refusals:
                    _print_refusals(refusals, out, check=True)
                if result.changes:
                    _echo_err(
                        f"mrgen: {len(result.changes)} file(s) out of date in {_shown(out)}; "
                        "run `mrgen render`"
                    )
                    sys.exit(EXIT_PROBLEMS)
                click.echo(f"{_shown(out)}: up to date ({len(result.unchanged)} files)")
                return
            if refusals:
                _print_refusals(refusals, out, check=False)
                sys.exit(EXIT_PROBLEMS)
            apply(result)
    _print_plan(result, out, show_diff, "")
    counts = {a: sum(c.action == a for c in result.changes) for a in ("create", "update", "delete")}
    click.echo(
        f"{_shown(out)}: {counts['create']} created, {counts['update']} updated, "
        f"{counts['delete']} deleted, {len(result.unchanged)} unchanged"
    )


@main.command()
def schema() -> None:
    """Print the spec's JSON Schema (draft 2020-12)."""
    from generator.resources import schema_path

    click.echo(schema_path().read_text(encoding="utf-8"), nl=False)


# The other commands live in their own modules; importing them registers them on main.
from generator import diffcmd, initcmd, simulatecmd  # noqa: E402
from generator.validaterendered import validate_rendered as _validate_rendered  # noqa: E402

__all__ = ["diffcmd", "initcmd", "main", "run", "simulatecmd"]


def run() -> None:
    """Entry point wrapper: Ctrl-C exits 130, an unexpected exception is reported, not
    dumped."""
    signal.signal(signal.SIGINT, _interrupt)
    try:
        main(standalone_mode=True)
    except SystemExit:
        raise
    except Interrupted:
        _echo_err("mrgen: interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:  # the last line of defence: users get one line, not a traceback
        if os.environ.get("MRGEN_DEBUG"):
            raise
        _echo_err(
            f"mrgen: internal error: {type(exc).__name__}: {exc} "
            "(set MRGEN_DEBUG=1 for a traceback)"
        )
        sys.exit(EXIT_TROUBLE)
