"""`mrgen init`: the command (part of the CLI; the starter itself is
:mod:`generator.starter`). It takes a flag for every value the example fills with a
placeholder, asks for the missing ones with ``--ask``, and lists the ones left to fill."""

from __future__ import annotations

from pathlib import Path

import click

from generator.cli import SPEC_FOLDER, main
from generator.cli_report import reported as _reported


def _ask(value: str | None, label: str, interactive: bool) -> str | None:
    if value is not None or not interactive:
        return value
    answer = click.prompt(
        f"{label} (empty: leave a placeholder)", default="", show_default=False
    ).strip()
    return answer or None


@main.command()
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False))
@click.option(
    "--name",
    default="fingerprint-api",
    show_default=True,
    help="Service name (a DNS label); also names the spec file.",
)
@click.option(
    "--image",
    default=None,
    help="Container image, pinned by digest (recommended) or tag (default: a "
    "registry.example.com placeholder).",
)
@click.option(
    "--repo-url",
    default=None,
    help="Git repository Argo CD syncs rendered/ from (default: a git.example.com placeholder).",
)
@click.option(
    "--helm-repo",
    default=None,
    help="Istio's Helm chart repository or your mirror (default: a "
    "charts.example.com placeholder).",
)
@click.option(
    "--hostname",
    "hostnames",
    multiple=True,
    help="Public hostname of the service (repeatable; default: a NAME.example.com placeholder).",
)
@click.option("--ask", is_flag=True, help="Prompt for each of these values not given as a flag.")
def init(
    directory: str,
    name: str,
    image: str | None,
    repo_url: str | None,
    helm_repo: str | None,
    hostnames: tuple[str, ...],
    ask: bool,
) -> None:
    """Start a project in DIRECTORY: spec/NAME.yaml for the guide's three regions (with the
    schema modeline) and spec/mrgen.schema.json. Never overwrites anything.

    Every value the example fills with a placeholder has a flag; the output lists the
    placeholders left to fill (`mrgen validate --strict` fails until they are replaced).
    """
    from generator.errors import TroubleError, at
    from generator.starter import Choices, starter
    from generator.sync_new import create_new

    if ask and not hostnames:
        answer = _ask(None, "Public hostname", True)
        hostnames = (answer,) if answer else ()
    choices = Choices(
        image=_ask(image, "Container image", ask),
        repo_url=_ask(repo_url, "Git repository URL for Argo CD", ask),
        helm_repo=_ask(helm_repo, "Istio Helm chart repository", ask),
        hostnames=hostnames,
    )
    root = Path(directory)
    with _reported():
        made = starter(name, choices, folder=directory)
        folder = root / SPEC_FOLDER
        others = sorted(p for p in (*folder.glob("*.yaml"), *folder.glob("*.yml")))
        if others:
            raise TroubleError(
                at(str(p), "a spec already exists here; mrgen init starts new projects only")
                for p in others
            )
        create_new(root, made.files)
    for file in made.files:
        click.echo(f"create {root / file.path}")
    spec_file = root / made.files[0].path
    if made.left_to_fill:
        count = len(made.left_to_fill)
        click.echo(
            f"left to fill ({count} placeholder{'s' if count != 1 else ''}; "
            "`mrgen validate --strict` fails until they are replaced):"
        )
        for warning in made.left_to_fill:
            click.echo(f"  {warning}")
    click.echo(
        f"next: mrgen validate {spec_file} && mrgen render {spec_file} --out {root / 'rendered'}"
    )
