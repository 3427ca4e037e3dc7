"""`mrgen simulate`: where traffic goes when regions fail (part of the CLI)."""

from __future__ import annotations

import sys
from fractions import Fraction

import click

from generator.cli import load_spec, main
from generator.cli_report import EXIT_PROBLEMS
from generator.cli_report import reported as _reported


def _pct(value: Fraction | None) -> str:
    return "-" if value is None else f"{float(value) * 100:5.1f}%"


@main.command()
@click.argument("spec", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--down",
    "down",
    required=True,
    multiple=True,
    metavar="REGION[,REGION...]",
    help="Regions to fail (comma-separated; repeatable).",
)
def simulate(spec: str | None, down: tuple[str, ...]) -> None:
    """Predict where traffic goes when regions fail, and whether the rest can carry it.

    Exit 0 when the surviving regions absorb the peak within their HPA maxima, 1 when they
    cannot (or the spec is invalid), 2 for a usage error such as an unknown region.
    """
    from generator.sections.global_routing.simulate import UnknownRegions
    from generator.sections.global_routing.simulate import simulate as run_simulation

    names = [n.strip() for item in down for n in item.split(",") if n.strip()]
    with _reported():
        _, model = load_spec(spec)
    from generator.sections.global_routing.model import GLOBAL_ROUTING

    gr = model.get(GLOBAL_ROUTING)
    if gr is None:
        raise click.UsageError("the spec has no globalRouting section; nothing to simulate")
    try:
        result = run_simulation(model, names)
    except UnknownRegions as exc:
        raise click.BadParameter(str(exc), param_hint="--down") from None
    click.echo(
        f"Failing {', '.join(result.down)}: peak {float(result.peak_rps):g} requests/s, "
        f"{float(result.rps_per_replica):g} requests/s per replica"
    )
    if result.geo:
        click.echo(f"\nGeolocation DNS ({gr.domain}):")
        for route in result.geo:
            where = route.serving or "NOWHERE (every region on its path is down)"
            moved = "" if route.serving == route.home else f"  (was {route.home})"
            click.echo(f"  {route.code:<3} -> {where}{moved}   via {' -> '.join(route.via)}")
    click.echo("\nSurviving regions (share of global traffic):")
    click.echo(
        f"  {'region':<18}{'normal':>8}{'geo DNS':>9}{'weighted':>10}{'peak rps':>10}"
        f"{'replicas':>10}{'HPA max':>9}"
    )
    for load in result.loads:
        verdict = "ok" if load.ok else "OVER CAPACITY"
        click.echo(
            f"  {load.region:<18}{_pct(load.normal_share):>8}{_pct(load.geo_share):>9}"
            f"{_pct(load.weighted_share):>10}{float(load.rps):>10.1f}"
            f"{load.replicas_needed:>10}{load.max_replicas:>9}  {verdict}"
        )
    for mode, share in sorted(result.unrouted.items()):
        if share:
            click.echo(f"  unrouted under {mode}: {_pct(share).strip()} of traffic")
    if result.ok:
        click.echo("\nVerdict: OK, the surviving regions absorb the peak within their HPA maxima")
        return
    click.echo("\nVerdict: FAIL, the surviving regions cannot absorb the load:")
    for reason in result.reasons():
        click.echo(f"  - {reason}")
    sys.exit(EXIT_PROBLEMS)
