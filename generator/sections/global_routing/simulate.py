"""``mrgen simulate --down REGION,...``: the guide's failover drill, done on the model.

Pure: :func:`simulate` returns a :class:`Simulation`; the CLI prints it. It reads the same
model and the same helpers that render the DNS tree, the URL map and the mesh failover
(:mod:`records`), so it predicts what the rendered configuration does.

Traffic model (also in docs/outputs/global-routing.md):
- Demand: ``capacity.peakRequestsPerSecond`` split by the regions' weights; a region's
  weight is the share of demand that normally lands on it.
- Geolocation DNS (when route53 is rendered): a region's demand enters through the
  failover name its geography points at (regions without a geography of their own enter
  through the default ``*`` record). A failover name answers with its region if that is up,
  else with its SECONDARY (the first region of its failover order). If both are down the
  geolocation record is unhealthy and Route53 falls back to the default record, which
  resolves the same way; if that is down too, the demand is unrouted.
- Weighted entry (Route53 ``weighted.<domain>`` and the GCLB URL map): the weights of the
  surviving regions, renormalised (Route53 skips weighted records whose health check
  fails; if all surviving weights are 0 they share equally).
- Capacity: each survivor must serve the larger of its two shares at peak; it needs
  ``ceil(rps / capacity.requestsPerReplica)`` replicas (at least its HPA minimum) and has
  its HPA maximum. The drill fails when a survivor would need more than its maximum or
  when some demand has no surviving region to go to.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from generator.errors import did_you_mean
from generator.sections.core.model import Region, shares
from generator.sections.global_routing import names as naming
from generator.sections.global_routing.model import GLOBAL_ROUTING, GlobalRouting
from generator.sections.global_routing.records import secondary
from generator.spec import Spec

GEO, WEIGHTED = "geolocation DNS", "weights (Route53 weighted / GCLB URL map)"


class UnknownRegions(ValueError):
    """--down named regions the spec does not have."""

    def __init__(self, names: list[str], known: list[str]) -> None:
        self.names, self.known = names, known
        hints = [
            f"{n!r} ({hint.removeprefix('; ')})" if (hint := did_you_mean(n, known)) else repr(n)
            for n in names
        ]
        super().__init__(f"unknown region(s) {', '.join(hints)}; the spec has {', '.join(known)}")


@dataclass(frozen=True)
class GeoRoute:
    code: str
    """Continent code or '*'."""
    home: str
    """The region the geography maps to."""
    serving: str | None
    """The region that answers, or None when nothing survives on its path."""
    via: tuple[str, ...]
    """Every DNS name consulted, in order."""
    tried: tuple[str, ...] = ()
    """Every region those names can answer with, in order."""


@dataclass(frozen=True)
class RegionLoad:
    region: str
    normal_share: Fraction
    geo_share: Fraction | None
    """None when the spec renders no geolocation DNS."""
    weighted_share: Fraction
    rps: Fraction
    replicas_needed: int
    min_replicas: int
    max_replicas: int

    @property
    def ok(self) -> bool:
        return self.replicas_needed <= self.max_replicas

    @property
    def worst_mode(self) -> str:
        """The entry mode that gives the region its larger share."""
        return (
            GEO
            if self.geo_share is not None and self.geo_share >= self.weighted_share
            else WEIGHTED
        )


@dataclass(frozen=True)
class Stranded:
    """Demand with no surviving region to go to under one entry mode."""

    mode: str
    share: Fraction
    origins: tuple[tuple[str, Fraction], ...] = ()
    """The regions whose normal demand it is, with their shares (geolocation DNS)."""
    codes: tuple[str, ...] = ()
    """The geography codes it enters through."""
    via: tuple[str, ...] = ()
    """The DNS names it resolves through."""
    tried: tuple[str, ...] = ()
    """The regions those names can answer with, all down."""


@dataclass(frozen=True)
class Simulation:
    down: tuple[str, ...]
    modes: tuple[str, ...]
    geo: tuple[GeoRoute, ...]
    loads: tuple[RegionLoad, ...]
    """Surviving regions only, in spec order."""
    unrouted: dict[str, Fraction]
    """Mode -> share of demand with no surviving region."""
    peak_rps: Fraction
    rps_per_replica: Fraction
    stranded: tuple[Stranded, ...] = ()

    @property
    def ok(self) -> bool:
        return (
            bool(self.loads)
            and all(load.ok for load in self.loads)
            and not any(self.unrouted.values())
        )

    def reasons(self) -> tuple[str, ...]:
        """Why the drill fails, one sentence each: which region runs out of capacity, which
        traffic has nowhere to go. Empty when it passes."""
        out: list[str] = []
        if not self.loads:
            out.append(
                f"every region is down ({', '.join(self.down)}): no region is left to "
                "serve any traffic"
            )
        for load in self.loads:
            if not load.ok:
                share = load.geo_share if load.worst_mode == GEO else load.weighted_share
                out.append(
                    f"{load.region} runs out of capacity: under {load.worst_mode} it carries "
                    f"{_pct(share)} of the peak ({float(load.rps):g} requests/s) and needs "
                    f"{load.replicas_needed} replicas, above its HPA maximum of "
                    f"{load.max_replicas}"
                )
        for lost in self.stranded:
            if lost.mode == GEO and self.loads:
                origins = _and([f"{region} ({_pct(share)})" for region, share in lost.origins])
                every = "both" if len(lost.tried) == 2 else "all"
                out.append(
                    f"{_pct(lost.share)} of traffic has nowhere to go under {GEO}: the demand "
                    f"of {origins} enters through {_and(list(lost.codes))} at "
                    f"{' then '.join(lost.via)}, which can only answer with "
                    f"{_and(list(lost.tried), 'or')}, {every} down"
                )
        return tuple(out)


def _pct(share: Fraction | None) -> str:
    return f"{float(share or 0) * 100:.1f}%"


def _and(items: list[str], word: str = "and") -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"


def _routing(spec: Spec) -> GlobalRouting:
    routing = spec.get(GLOBAL_ROUTING)
    if routing is None:
        raise ValueError("the spec has no globalRouting section: nothing to simulate")
    return routing


def _resolve_failover(
    spec: Spec, name: str, down: set[str], via: list[str], tried: list[str]
) -> str | None:
    """Which region the failover name of region ``name`` answers with."""
    via.append(naming.failover_record_name(_routing(spec).domain, name))
    backup = secondary(spec.region(name))
    tried.extend(r for r in (name, backup) if r is not None and r not in tried)
    if name not in down:
        return name
    return backup if backup is not None and backup not in down else None


def geo_route(spec: Spec, code: str, home: str, down: set[str]) -> GeoRoute:
    via: list[str] = []
    tried: list[str] = []
    default = _routing(spec).default_region
    serving = _resolve_failover(spec, home, down, via, tried)
    if serving is None and code != "*" and home != default:
        serving = _resolve_failover(spec, default, down, via, tried)
    return GeoRoute(code=code, home=home, serving=serving, via=tuple(via), tried=tuple(tried))


def weighted_shares(spec: Spec, survivors: list[Region]) -> dict[str, Fraction]:
    return shares(survivors) if survivors else {}


def geo_shares(
    spec: Spec, down: set[str]
) -> tuple[dict[str, Fraction], Fraction, tuple[Stranded, ...]]:
    """Survivor -> share under geolocation DNS, the unrouted share, and where it comes from
    (one :class:`Stranded` per failover name the demand enters through)."""
    gr = _routing(spec)
    mapped = {region for _, region in gr.geography}
    served: dict[str, Fraction] = {}
    unrouted = Fraction(0)
    stranded: dict[str, tuple[GeoRoute, list[tuple[str, Fraction]]]] = {}
    for name, share in shares(spec.regions).items():
        entry = name if name in mapped else gr.default_region
        code = "*" if entry == gr.default_region else next(c for c, r in gr.geography if r == entry)
        route = geo_route(spec, code, entry, down)
        if route.serving is None:
            unrouted += share
            stranded.setdefault(entry, (route, []))[1].append((name, share))
        else:
            served[route.serving] = served.get(route.serving, Fraction(0)) + share
    lost = tuple(
        Stranded(
            GEO,
            sum((s for _, s in origins), Fraction(0)),
            tuple(origins),
            tuple(sorted((c for c, r in gr.geography if r == entry), key=lambda c: (c == "*", c))),
            route.via,
            route.tried,
        )
        for entry, (route, origins) in stranded.items()
    )
    return served, unrouted, lost


def simulate(spec: Spec, down: list[str]) -> Simulation:
    """Predict where traffic goes with the regions in ``down`` failed."""
    gr = _routing(spec)
    known = [r.name for r in spec.regions]
    unknown = [n for n in down if n not in known]
    if unknown:
        raise UnknownRegions(unknown, known)
    failed = set(down)
    survivors = [r for r in spec.regions if r.name not in failed]
    geo_enabled = "route53" in gr.providers
    modes = (GEO, WEIGHTED) if geo_enabled else (WEIGHTED,)
    weighted = weighted_shares(spec, survivors)
    unrouted = {WEIGHTED: Fraction(0) if survivors else Fraction(1)}
    geo: dict[str, Fraction] = {}
    stranded: tuple[Stranded, ...] = ()
    if geo_enabled:
        geo, unrouted[GEO], stranded = geo_shares(spec, failed)
    peak = Fraction(str(gr.capacity.peak_rps))
    per_replica = Fraction(str(gr.capacity.rps_per_replica))
    normal = shares(spec.regions)
    loads = []
    for region in survivors:
        geo_share = geo.get(region.name, Fraction(0)) if geo_enabled else None
        worst = max(weighted.get(region.name, Fraction(0)), geo_share or Fraction(0))
        rps = peak * worst
        needed = max(region.min_replicas, math.ceil(rps / per_replica))
        loads.append(
            RegionLoad(
                region=region.name,
                normal_share=normal[region.name],
                geo_share=geo_share,
                weighted_share=weighted.get(region.name, Fraction(0)),
                rps=rps,
                replicas_needed=needed,
                min_replicas=region.min_replicas,
                max_replicas=region.max_replicas,
            )
        )
    ordered = sorted(gr.geography, key=lambda item: (item[0] == "*", item[0]))
    routes = (
        tuple(geo_route(spec, code, home, failed) for code, home in ordered) if geo_enabled else ()
    )
    return Simulation(
        down=tuple(n for n in known if n in failed),
        modes=modes,
        geo=routes,
        loads=tuple(loads),
        unrouted=unrouted,
        peak_rps=peak,
        rps_per_replica=per_replica,
        stranded=stranded,
    )
