"""Hypothesis strategies: valid specs, and invalid specs made by mutating valid ones.

Valid specs: 1 to 50 regions with DNS-label names of varied shapes, exactly one primary,
replica ranges, integer weights summing to 100 (zeros allowed), latency targets, failover
orders (a permutation of a subset of the other regions, or none), distinct cluster names
and distinct AWS/GCP locations matching the schema patterns, provider gke or eks, and
free-text env values. Everything else comes from the example spec (tests.specgen).
"""

from __future__ import annotations

import contextlib
import copy
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from tests.specgen import RegionRow, spec_data, to_yaml

# Region names stay short: another output's derived names add prefixes and suffixes
# (e.g. "<region>-<service>") and must stay within Kubernetes' 63 characters.
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_ALNUM = _LOWER + "0123456789"
_labels = st.builds(  # [a-z]([-a-z0-9]{0,13}[a-z0-9])?  (from_regex is slower to draw)
    lambda first, rest: first + rest,
    st.sampled_from(_LOWER),
    st.just("")
    | st.builds(
        lambda mid, last: mid + last, st.text(_ALNUM + "-", max_size=13), st.sampled_from(_ALNUM)
    ),
)
_words = st.sampled_from(
    ("east", "west", "north", "south", "central", "northeast", "southeast", "mid")
) | st.text(_LOWER, min_size=1, max_size=10)
_aws = st.builds(
    lambda cc, infix, word, n: f"{cc}{infix}-{word}-{n}",
    st.text(_LOWER, min_size=2, max_size=2),
    st.sampled_from(("", "", "", "-gov", "-isob")),
    _words,
    st.integers(1, 99),
)
_gcp = st.builds(lambda a, b, n: f"{a}-{b}{n}", _words, _words, st.integers(1, 99))
_env_keys = st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_]{0,20}\Z").filter(
    lambda k: k not in {"REGION", "SERVICE_NAME", "POD_NAME", "POD_NAMESPACE"}
)
# Any text YAML can carry: control characters and non-BMP included (no surrogates).
_env_values = st.text(st.characters(codec="utf-8"), max_size=40)


@dataclass(frozen=True)
class Generated:
    """A drawn spec: its data, its YAML text, and the env it sets (for round-trip checks)."""

    data: dict[str, Any]
    env: dict[str, str]

    @property
    def text(self) -> str:
        return to_yaml(self.data)


@st.composite
def region_rows(draw: st.DrawFn, min_regions: int = 1, max_regions: int = 50) -> list[RegionRow]:
    count = draw(st.integers(min_regions, max_regions))
    names = draw(st.lists(_labels, min_size=count, max_size=count, unique=True))
    clusters = draw(st.lists(_labels, min_size=count, max_size=count, unique=True))
    aws = draw(st.lists(_aws, min_size=count, max_size=count, unique=True))
    gcp = draw(st.lists(_gcp, min_size=count, max_size=count, unique=True))
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=count - 1, max_size=count - 1)))
    weights = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    primary = draw(st.integers(0, count - 1))
    # Each distinct latency target needs a histogram bucket boundary, and the schema caps
    # monitoring.buckets at 64: valid specs draw their targets from a bounded set (a spec
    # past the cap is an error that the schema-limit tests cover).
    targets = draw(st.lists(st.integers(1, 60000), min_size=1, max_size=40, unique=True))
    rows = []
    for i, name in enumerate(names):
        low = draw(st.integers(1, 20))
        others = [n for n in names if n != name]
        failover: tuple[str, ...] | None = None
        if draw(st.booleans()) and others:
            order = draw(st.permutations(others))
            failover = tuple(order[: draw(st.integers(0, len(order)))])
        rows.append(
            RegionRow(
                name=name,
                role="primary"
                if i == primary
                else draw(st.sampled_from(("secondary", "tertiary"))),
                cluster=clusters[i],
                provider=draw(st.sampled_from(("gke", "eks"))),
                aws=aws[i],
                gcp=gcp[i],
                min_replicas=low,
                max_replicas=draw(st.integers(low, low + 50)),
                weight=weights[i],
                latency_ms=draw(st.sampled_from(targets)),
                failover=failover,
            )
        )
    return rows


@st.composite
def valid_specs(draw: st.DrawFn, max_regions: int = 50) -> Generated:
    rows = draw(region_rows(max_regions=max_regions))
    env = draw(st.none() | st.dictionaries(_env_keys, _env_values, max_size=4))
    return Generated(spec_data(rows, env), env or {})


# --- invalid specs -------------------------------------------------------------------

REQUIRED = {
    (): ("apiVersion", "service", "regions"),
    ("service",): ("name", "namespace", "image", "port", "health", "resources"),
    ("region",): ("name", "role", "cluster", "location", "replicas", "weight", "latencyTargetMs"),
}
_WRONG_TYPES: list[Any] = ["80", 3.5, True, None, [], {}, {"a": 1}, [1, 2]]


def _region(data: dict[str, Any], draw: st.DrawFn) -> tuple[int, dict[str, Any]]:
    if not isinstance(data.get("regions"), list) or not data["regions"]:
        raise TypeError("an earlier mutation removed the regions")
    index = draw(st.integers(0, len(data["regions"]) - 1))
    region: dict[str, Any] = data["regions"][index]
    return index, region


def _delete_required(data: dict[str, Any], draw: st.DrawFn) -> None:
    where = draw(st.sampled_from(sorted(REQUIRED)))
    key = draw(st.sampled_from(REQUIRED[where]))
    if where == ():
        del data[key]
    elif where == ("service",):
        del data["service"][key]
    else:
        del _region(data, draw)[1][key]


def _wrong_type(data: dict[str, Any], draw: st.DrawFn) -> None:
    _, region = _region(data, draw)
    targets: list[tuple[dict[str, Any], str, tuple[type, ...]]] = [
        (data["service"], "port", (int,)),
        (data["service"], "name", (str,)),
        (data["service"], "image", (str,)),
        (data["service"], "health", (dict,)),
        (region, "weight", (int,)),
        (region, "name", (str,)),
        (region, "cluster", (dict,)),
        (region["replicas"], "min", (int,)),
        (region, "latencyTargetMs", (int,)),
        (region["location"], "aws", (str,)),
        (data, "regions", (list,)),
    ]
    parent, key, ok = draw(st.sampled_from(targets))
    value = draw(
        st.sampled_from([v for v in _WRONG_TYPES if not isinstance(v, ok) or isinstance(v, bool)])
    )
    parent[key] = value


def _out_of_range(data: dict[str, Any], draw: st.DrawFn) -> None:
    _, region = _region(data, draw)
    choices: list[tuple[dict[str, Any], str, int]] = [
        (data["service"], "port", draw(st.sampled_from((0, -1, 65536, 10**12)))),
        (region, "weight", draw(st.sampled_from((-1, 101, 1000)))),
        (region, "latencyTargetMs", draw(st.sampled_from((0, -5, 60001)))),
        (region["replicas"], "min", draw(st.sampled_from((0, -1, 10001)))),
        (region["replicas"], "max", draw(st.sampled_from((0, 10001)))),
    ]
    parent, key, value = draw(st.sampled_from(choices))
    parent[key] = value


def _duplicate(data: dict[str, Any], draw: st.DrawFn) -> None:
    regions = data["regions"]
    if not isinstance(regions, list) or not regions:
        raise TypeError("an earlier mutation removed the regions")
    if len(regions) < 2:
        regions.append(copy.deepcopy(regions[0]))
        regions[1]["role"] = "secondary"
        regions[1]["weight"] = 0
        return
    a, b = draw(st.lists(st.integers(0, len(regions) - 1), min_size=2, max_size=2, unique=True))
    field = draw(
        st.sampled_from((("name",), ("cluster", "name"), ("location", "aws"), ("location", "gcp")))
    )
    src, dst = regions[a], regions[b]
    for key in field[:-1]:
        src, dst = src[key], dst[key]
    dst[field[-1]] = src[field[-1]]


def _weights_off(data: dict[str, Any], draw: st.DrawFn) -> None:
    _, region = _region(data, draw)
    region["weight"] += draw(st.sampled_from((-1, 1)))


def _failover(data: dict[str, Any], draw: st.DrawFn) -> None:
    _, region = _region(data, draw)
    bad = draw(st.sampled_from((region["name"], "nowhere-1", region["name"] + "x")))
    names = {r["name"] for r in data["regions"]}
    if bad != region["name"] and bad in names:
        bad = region["name"]
    listed = list(region.get("failover", []))
    listed.insert(draw(st.integers(0, len(listed))), bad)
    region["failover"] = listed


def _roles(data: dict[str, Any], draw: st.DrawFn) -> None:
    regions = data["regions"]
    primary = next(r for r in regions if r["role"] == "primary")
    others = [r for r in regions if r is not primary]
    if draw(st.booleans()) and others:
        draw(st.sampled_from(others))["role"] = "primary"
    else:
        primary["role"] = draw(st.sampled_from(("secondary", "tertiary", "Primary", "main")))


def _min_above_max(data: dict[str, Any], draw: st.DrawFn) -> None:
    _, region = _region(data, draw)
    region["replicas"]["min"] = region["replicas"]["max"] + draw(st.integers(1, 5))
    region["replicas"]["max"] = min(region["replicas"]["max"], 10000 - 5)


def _unknown_field(data: dict[str, Any], draw: st.DrawFn) -> None:
    _, region = _region(data, draw)
    parent = draw(st.sampled_from((data, data["service"], region, region["replicas"])))
    parent[draw(st.sampled_from(("weigth", "replica", "extra", "regions_", "Name")))] = 1


def _bad_names(data: dict[str, Any], draw: st.DrawFn) -> None:
    _, region = _region(data, draw)
    value = draw(
        st.sampled_from(
            (
                "../x",
                "UPPER",
                "a_b",
                "-a",
                "a-",
                "",
                "x" * 64,
                "a b",
                "/etc/passwd",
                "a\nb",
                "{{ x }}",
            )
        )
    )
    parent, key = draw(
        st.sampled_from(
            (
                (region, "name"),
                (region["cluster"], "name"),
                (data["service"], "name"),
                (data["service"], "namespace"),
            )
        )
    )
    parent[key] = value


STRUCTURAL = (
    _delete_required,
    _wrong_type,
    _out_of_range,
    _duplicate,
    _weights_off,
    _failover,
    _roles,
    _min_above_max,
    _unknown_field,
    _bad_names,
)


@st.composite
def structurally_invalid(draw: st.DrawFn) -> tuple[bytes, bool]:
    """A valid spec with one or more mutations that each make it invalid, and whether it
    got exactly one. One mutation always leaves the spec invalid; a second can undo the
    first (a weight set to 101, then lowered by one), so callers check those."""
    data = copy.deepcopy(draw(valid_specs(max_regions=8)).data)
    first, *more = draw(st.lists(st.sampled_from(STRUCTURAL), min_size=1, max_size=3))
    first(data, draw)  # on a valid spec: always applies, and makes it invalid
    for mutate in more:  # may find the structure already broken by an earlier one
        with contextlib.suppress(KeyError, TypeError, IndexError, AttributeError, StopIteration):
            mutate(data, draw)
    return to_yaml(data).encode("utf-8"), not more


@st.composite
def damaged_text(draw: st.DrawFn) -> bytes:
    """A valid spec's bytes, damaged: flipped bytes, truncation, inserted unicode.
    Damage can leave a spec valid; the test decides validity with the pipeline."""
    raw = bytearray(draw(valid_specs(max_regions=5)).text.encode("utf-8"))
    rng = draw(st.randoms(use_true_random=False))
    kind = draw(st.sampled_from(("flip", "truncate", "unicode", "splice")))
    if kind == "flip":
        for _ in range(draw(st.integers(1, 8))):
            raw[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
    elif kind == "truncate":
        del raw[draw(st.integers(0, len(raw) - 1)) :]
    elif kind == "unicode":
        junk = draw(st.text(min_size=1, max_size=8)).encode("utf-8", "surrogatepass")
        at = rng.randrange(len(raw) + 1)
        raw[at:at] = junk
    else:  # move a slice elsewhere: breaks indentation and structure
        a = rng.randrange(len(raw))
        b = min(len(raw), a + rng.randrange(1, 200))
        piece = raw[a:b]
        del raw[a:b]
        at = rng.randrange(len(raw) + 1)
        raw[at:at] = piece
    return bytes(raw)


# --- file names and output-folder states ------------------------------------------------

# Any name a Linux folder entry can take (no '/', no NUL): line breaks, '#', ':', YAML
# document markers, bidi controls and characters beyond the BMP included.
_NAME_CHARS = st.characters(codec="utf-8", exclude_characters="/\0")
HOSTILE_NAMES = (
    "a\nkind: Secret\n---\nb",
    "--- a",
    "a # b",
    "a: b",
    "...",
    "-a",
    " a ",
    "a\u2028b\x85c",
    "\u202ereversed",
    "a\rb",
    "\U0001f600",
    "a-->b<!--",
    "\\",
)
file_names = st.sampled_from(HOSTILE_NAMES) | st.text(_NAME_CHARS, min_size=1, max_size=20).filter(
    lambda n: n not in (".", "..") and len(n.encode()) <= 200
)

STEP_KINDS = (
    "user-file",
    "user-folder",
    "link-file",
    "link-folder",
    "fifo",
    "folder-at-file",
    "file-at-folder",
    "delete",
    "edit",
    "record-entry",
    "record-garbage",
    "unowned-at-wanted",
    "stale-staging",
    "stale-lock",
    "no-folder",
)
RECORD_ENTRIES = (
    "../victim",
    "/etc/passwd",
    "userlink/victim",
    "a//b",
    "./a",
    "",
    "a/../b",
    "k8s/base/../../../victim",
)

Step = tuple[str, int, str]
"""(kind, a number that picks an existing file or folder, a name or record entry)."""


@st.composite
def folder_states(draw: st.DrawFn) -> tuple[Step, ...]:
    """Changes to an output folder between two renders: user files and folders, links to
    outside, FIFOs, files and folders swapped, owned files deleted or edited, hostile or
    broken record entries, what a killed render leaves. One to four of them."""
    steps = draw(
        st.lists(
            st.tuples(
                st.sampled_from(STEP_KINDS),
                st.integers(0, 10_000),
                file_names | st.sampled_from(RECORD_ENTRIES),
            ),
            min_size=1,
            max_size=4,
        )
    )
    return tuple(steps)
