"""The series a PromQL expression reads: metric names and their label matchers.

Not a full parser: it tokenises the expression, skips functions, aggregations, keywords and
their label lists (``by (job)``), ranges and durations, and returns each vector selector
(``name{label="value"}``, bare ``name``, or ``{__name__="name"}``).

Reference: https://prometheus.io/docs/prometheus/latest/querying/basics/#time-series-selectors
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
  | (?P<braces>\{(?:[^}"'`]|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)*\})
  | (?P<range>\[[^\]]*\])
  | (?P<name>[A-Za-z_:][A-Za-z0-9_:]*)
  | (?P<number>[0-9][0-9A-Za-z.]*)
  | (?P<paren>\()
  | (?P<other>.)
""",
    re.VERBOSE | re.DOTALL,
)
_MATCHER = re.compile(
    r"""\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*
                          ("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)\s*,?""",
    re.VERBOSE,
)
_KEYWORDS = {
    "and",
    "or",
    "unless",
    "bool",
    "offset",
    "inf",
    "nan",
    "atan2",
    # aggregations may put their label list before the parenthesis: sum by (x) (...)
    "sum",
    "min",
    "max",
    "avg",
    "group",
    "stddev",
    "stdvar",
    "count",
    "count_values",
    "bottomk",
    "topk",
    "quantile",
    "limitk",
    "limit_ratio",
}
_LABEL_LISTS = {"by", "without", "on", "ignoring", "group_left", "group_right"}


@dataclass(frozen=True)
class Matcher:
    label: str
    op: str
    value: str

    def accepts(self, value: str) -> bool:
        if self.op == "=":
            return value == self.value
        if self.op == "!=":
            return value != self.value
        found = re.fullmatch(self.value, value) is not None
        return found if self.op == "=~" else not found


@dataclass(frozen=True)
class Selector:
    metric: str
    matchers: tuple[Matcher, ...]

    def on(self, label: str) -> list[Matcher]:
        return [m for m in self.matchers if m.label == label]


def _unquote(literal: str) -> str:
    body = literal[1:-1]
    return body if literal[0] == "`" else re.sub(r"\\(.)", r"\1", body)


def _matchers(block: str) -> tuple[Matcher, ...]:
    return tuple(
        Matcher(m.group(1), m.group(2), _unquote(m.group(3)))
        for m in _MATCHER.finditer(block[1:-1])
    )


def selectors(expr: str) -> list[Selector]:
    """Every vector selector of ``expr``, in order."""
    tokens = [(m.lastgroup or "", m.group(0)) for m in _TOKEN.finditer(expr)]
    tokens = [(kind, value) for kind, value in tokens if not value.isspace()]
    out: list[Selector] = []
    i = 0
    while i < len(tokens):
        kind, value = tokens[i]
        following = tokens[i + 1] if i + 1 < len(tokens) else ("", "")
        if kind == "name":
            if value.lower() in _LABEL_LISTS and following[0] == "paren":
                depth, i = 0, i + 1
                while i < len(tokens):
                    depth += tokens[i][1] == "("
                    depth -= tokens[i][1] == ")"
                    if depth == 0:
                        break
                    i += 1
            elif following[0] == "paren" or value.lower() in _KEYWORDS | _LABEL_LISTS:
                pass
            elif following[0] == "braces":
                out.append(Selector(value, _matchers(following[1])))
                i += 1
            else:
                out.append(Selector(value, ()))
        elif kind == "braces":
            matchers = _matchers(value)
            names = [m.value for m in matchers if m.label == "__name__" and m.op == "="]
            out.append(
                Selector(
                    names[0] if names else "", tuple(m for m in matchers if m.label != "__name__")
                )
            )
        i += 1
    return out
