"""The only way structured values reach rendered files: deterministic YAML and JSON.

Keys are sorted, strings that a YAML 1.1 reader would mistake (``no``, ``on``,
``1.10``) are quoted, multi-line strings become literal blocks, and nothing a spec
value contains can break out of its place in the document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import yaml
from yaml.emitter import ScalarAnalysis

# Characters libyaml's emitter counts as unprintable although PyYAML's own prints them
# (everything beyond the Basic Multilingual Plane, emoji included): libyaml writes such a
# string double-quoted with \U escapes, PyYAML plain. _PythonDumper does what libyaml does.
_LIBYAML_UNPRINTABLE = re.compile("[\U00010000-\U0010ffff]")


class _PythonDumper(yaml.SafeDumper):
    """PyYAML's pure-Python emitter, made to write exactly what libyaml writes."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def analyze_scalar(self, scalar: str) -> ScalarAnalysis:
        analysis: ScalarAnalysis = super().analyze_scalar(scalar)
        if _LIBYAML_UNPRINTABLE.search(scalar):  # only double quotes can escape them
            analysis.allow_flow_plain = analysis.allow_block_plain = False
            analysis.allow_single_quoted = analysis.allow_block = False
        return analysis


# libyaml's emitter when PyYAML was built with it: the same documents, several times faster
# (emitting is most of a render's time). tests/test_serialize_engines.py proves they agree.
_BASE: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", _PythonDumper)


class _Dumper(_BASE):  # type: ignore[valid-type,misc]
    """Safe dumper that never emits aliases and writes multi-line strings as blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


# Line breaks YAML 1.1 knows besides \n: PyYAML writes them raw in plain, quoted and block
# scalars, and every reader then folds them into spaces. Escaped ("\N") they round-trip.
_RAW_BREAKS = ("\x85", "\u2028", "\u2029")


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if any(brk in value for brk in _RAW_BREAKS):
        style: str | None = '"'
    elif "\n" in value and not value.endswith((" ", "\t")):
        style = "|"
    else:
        style = None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)
_PythonDumper.add_representer(str, _str)


_EXACT = (str, int, float, bool, type(None))
_memo: dict[tuple[str, str], str] = {}
_MEMO_MAX = 4096


def _plain(value: Any) -> bool:
    """Plain data only (no subclasses): its repr then identifies it exactly."""
    if type(value) is dict:
        return all(type(k) is str and _plain(v) for k, v in value.items())
    if type(value) in (list, tuple):
        return all(_plain(v) for v in value)
    return type(value) in _EXACT


def _memoized(kind: str, value: Any, dump: Callable[[Any], str]) -> str:
    """Dumping is pure and the slowest step of a render; a value that recurs (labels,
    selectors, the same block in every region) is dumped once per process."""
    if not _plain(value):
        return dump(value)
    key = (kind, repr(value))
    found = _memo.get(key)
    if found is None:
        if len(_memo) >= _MEMO_MAX:
            _memo.clear()
        found = _memo[key] = dump(value)
    return found


def _dump_block(value: Any) -> str:
    return yaml.dump(
        value,
        Dumper=_Dumper,
        sort_keys=True,
        default_flow_style=False,
        allow_unicode=True,
        width=1_000_000,
        indent=2,
    )


def _dump_flow(value: Any) -> str:
    return yaml.dump(
        value, Dumper=_Dumper, default_flow_style=True, allow_unicode=True, width=1_000_000
    )


def dump_yaml(value: Any) -> str:
    """One YAML document body, ending in exactly one newline."""
    return _memoized("block", value, _dump_block)


def dump_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def yaml_block(value: Any, indent: int = 0) -> str:
    """Jinja filter ``yaml``: a value as a YAML block indented by ``indent`` spaces,
    without a trailing newline (the template supplies line breaks)."""
    text = dump_yaml(value)
    if text.endswith("\n...\n"):  # bare scalars carry an explicit end marker
        text = text[: -len("...\n")]
    pad = " " * indent
    return "\n".join(pad + line if line else line for line in text.rstrip("\n").split("\n"))


def yaml_scalar(value: Any) -> str:
    """Jinja filter ``scalar``: one scalar in flow style, quoted when needed."""
    if isinstance(value, dict | list | tuple):
        raise TypeError(f"scalar filter got a {type(value).__name__}; use the yaml filter")
    text = _memoized("flow", value, _dump_flow)
    text = text.removesuffix("\n").removesuffix("\n...")
    if "\n" in text:  # a multi-line string: keep it on one line, JSON-quoted (valid YAML)
        return json.dumps(value, ensure_ascii=False)
    return text


def markdown_text(value: Any) -> str:
    """Jinja filter ``md``: a value as inline markdown text, safe in a table cell."""
    text = " ".join(str(value).split())
    for char in ("\\", "|", "`", "*", "_", "<", ">", "[", "]"):
        text = text.replace(char, f"\\{char}")
    return text


def markdown_code(value: Any) -> str:
    """Jinja filter ``md_code``: a value as inline code (commands, paths), safe in tables."""
    text = " ".join(str(value).split())
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}".replace("|", "\\|")


def mermaid_text(value: Any) -> str:
    """Jinja filter ``mermaid``: a double-quoted Mermaid label (quotes as entities);
    a list becomes one line per item."""
    lines = value if isinstance(value, list | tuple) else [value]
    escaped = []
    for line in lines:
        text = " ".join(str(line).split())
        for char, entity in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
            text = text.replace(char, entity)
        escaped.append(text)
    return '"' + "<br/>".join(escaped) + '"'
