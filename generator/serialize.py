"""The only way structured values reach rendered files: deterministic YAML and JSON.

Keys are sorted, strings that a YAML 1.1 reader would mistake (``no``, ``on``,
``1.10``) are quoted, multi-line strings become literal blocks, and nothing a spec
value contains can break out of its place in the document.
"""

from __future__ import annotations

import json
from typing import Any

import yaml


class _Dumper(yaml.SafeDumper):
    """SafeDumper that never emits aliases and writes multi-line strings as blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and not value.endswith((" ", "\t")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_yaml(value: Any) -> str:
    """One YAML document body, ending in exactly one newline."""
    text = yaml.dump(value, Dumper=_Dumper, sort_keys=True, default_flow_style=False,
                     allow_unicode=True, width=1_000_000, indent=2)
    return text


def dump_yaml_documents(documents: list[Any]) -> str:
    return "---\n".join(dump_yaml(d) for d in documents)


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
    text = yaml.dump(value, Dumper=_Dumper, default_flow_style=True, allow_unicode=True,
                     width=1_000_000)
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
