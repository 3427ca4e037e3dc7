"""Load a spec file into plain data plus the source position of every value.

Strict on purpose:
- YAML is composed with PyYAML's safe machinery, then converted here with YAML 1.2
  core-schema rules, so ``no``/``on``/``yes`` stay strings and ``0777`` is not octal.
  Values whose type then disagrees with the schema get a located error with a hint,
  instead of silently meaning something else.
- Duplicate keys, non-scalar keys, merge keys, unknown tags, several documents,
  non-UTF-8 bytes, alias bombs, deep nesting and oversized files are located errors.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.errors import ERROR, Diagnostic, MrgenError, Path, Severity, format_path
from generator.specbytes import MAX_BYTES as MAX_BYTES
from generator.specbytes import decode as decode
from generator.specbytes import read_regular
from generator.yamlerrors import explain, invalid_character, line_col, source_line

MAX_NODES = 50_000  # YAML nodes read, and values after alias expansion ("billion laughs");
# a 200-region spec failing over to every other region has ~45k; the pure-Python reader
# takes ~1 s per 40k nodes, so the limit also bounds the time a hostile file can cost
MAX_DEPTH = 64  # no spec needs more; stops stack exhaustion

_PLAIN = "mrgen:plain"
_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_INT_OTHER = re.compile(r"0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_STD = "tag:yaml.org,2002:"
MAX_INT = 2**53  # the largest integer every JSON and YAML reader keeps exact; no field is near
_MAX_DIGITS = 40  # longer number literals are refused before int() parses them
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class LoadedSpec:
    """A spec's data plus where each value came from (1-based line and column)."""

    file: str
    data: Any
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    plain_text: dict[Path, str] = field(default_factory=dict)

    def where(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """Position of ``path``, or of its nearest located ancestor."""
        table = self.key_positions if key and path in self.key_positions else self.positions
        probe = path
        while probe not in table and probe:
            probe = probe[:-1]
        return table.get(probe, self.positions.get((), (1, 1)))

    def diagnostic(
        self, path: Path, message: str, *, key: bool = False, severity: Severity = ERROR
    ) -> Diagnostic:
        line, col = self.where(path, key=key)
        return Diagnostic(self.file, line, col, format_path(path), message, severity)


class _Resolver(yaml.resolver.BaseResolver):
    """Marks plain scalars instead of guessing YAML 1.1 types; _Converter decides."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0]:
            return _PLAIN
        return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]


class _Composer(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    _Resolver,
):
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _Resolver.__init__(self)
        self.composed = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        """Stop reading as soon as the file holds more nodes than any spec needs."""
        self.composed += 1
        if self.composed > MAX_NODES:
            raise _TooManyNodes(self.peek_event().start_mark)  # type: ignore[no-untyped-call]
        node: Node | None = super().compose_node(parent, index)
        return node


class _TooManyNodes(Exception):
    def __init__(self, mark: Any) -> None:
        super().__init__("too many nodes")
        self.mark = mark


def _pos(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Converter:
    def __init__(self, file: str, what: str = "the spec") -> None:
        self.file = file
        self.what = what
        self.errors: list[Diagnostic] = []
        self.positions: dict[Path, tuple[int, int]] = {}
        self.key_positions: dict[Path, tuple[int, int]] = {}
        self.plain_text: dict[Path, str] = {}
        self.count = 0

    def error(self, node: Node, path: Path, message: str) -> None:
        line, col = _pos(node)
        self.errors.append(Diagnostic(self.file, line, col, format_path(path), message))

    def convert(self, node: Node, path: Path) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _Abort(
                node,
                path,
                f"{self.what} expands to more than {MAX_NODES} values "
                "(are aliases multiplying it?)",
            )
        if len(path) > MAX_DEPTH:
            raise _Abort(node, path, f"nesting deeper than {MAX_DEPTH} levels")
        self.positions.setdefault(path, _pos(node))
        if isinstance(node, MappingNode):
            return self.mapping(node, path)
        if isinstance(node, SequenceNode):
            self.tag_check(node, path, "seq")
            return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        return self.scalar(node, path)

    def tag_check(self, node: Node, path: Path, expected: str) -> None:
        if node.tag not in (_STD + expected,):
            self.error(node, path, f"unsupported YAML tag {node.tag!r}")

    def mapping(self, node: MappingNode, path: Path) -> dict[str, Any]:
        self.tag_check(node, path, "map")
        out: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.error(key_node, path, "mapping keys must be plain strings, not collections")
                continue
            key = str(key_node.value)
            if not self.text_check(key_node, (*path, key), key):
                continue
            if key == "<<" and key_node.tag == _PLAIN:
                self.error(
                    key_node, path, "YAML merge keys (<<) are not supported; write the values out"
                )
                continue
            if key in seen:
                self.error(
                    key_node,
                    (*path, key),
                    f"duplicate key {key!r} (first defined on line {seen[key]})",
                )
                continue
            seen[key] = key_node.start_mark.line + 1
            self.key_positions[(*path, key)] = _pos(key_node)
            out[key] = self.convert(value_node, (*path, key))
        return out

    def text_check(self, node: Node, path: Path, text: str) -> bool:
        """Text that is not a sequence of Unicode characters: a lone surrogate, which only a
        YAML escape (\\ud800) can produce and no UTF-8 file or reader can carry."""
        found = _SURROGATE.search(text)
        if not found:
            return True
        code = ord(found.group())
        pair = text[found.start() : found.start() + 2]
        hint = ""
        if len(pair) == 2 and 0xD800 <= code < 0xDC00 and 0xDC00 <= ord(pair[1]) <= 0xDFFF:
            joined = 0x10000 + ((code - 0xD800) << 10) + (ord(pair[1]) - 0xDC00)
            hint = f"; YAML does not join surrogate pairs: write \\U{joined:08X} or the character"
        self.error(
            node,
            path,
            f"the escape \\u{code:04x} is half of a UTF-16 surrogate pair, "
            f"not a character{hint or '; write the character itself'}",
        )
        return False

    def scalar(self, node: ScalarNode, path: Path) -> Any:
        text = str(node.value)
        tag = node.tag
        if not self.text_check(node, path, text):
            return text
        try:
            return self.typed(node, path, text, tag)
        except _OutOfRange as exc:
            self.error(node, path, str(exc))
            return text

    def typed(self, node: ScalarNode, path: Path, text: str, tag: str) -> Any:
        if tag == _PLAIN:
            value = _resolve_plain(text)
            if not isinstance(value, str):
                self.plain_text[path] = text
            return value
        if tag == _STD + "str":
            return text
        explicit = {f"{_STD}{name}": name for name in ("int", "float", "bool", "null")}
        if tag in explicit:
            value = _resolve_plain(text)
            wanted: dict[str, type | tuple[type, ...]] = {
                "int": int,
                "float": (int, float),
                "bool": bool,
                "null": type(None),
            }
            kind = explicit[tag]
            if isinstance(value, wanted[kind]) and not (kind == "int" and isinstance(value, bool)):
                return value
            self.error(node, path, f"{text!r} is not a valid !!{kind}")
            return text
        self.error(node, path, f"unsupported YAML tag {tag!r}")
        return text


class _Abort(Exception):
    def __init__(self, node: Node, path: Path, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.path = path
        self.message = message


class _OutOfRange(ValueError):
    """A number no spec field can take and not every reader can hold."""


def _shown(text: str) -> str:
    return text if len(text) <= 24 else f"{text[:20]}... ({len(text)} characters)"


def _resolve_plain(text: str) -> Any:
    """YAML 1.2 core schema, minus the forms that surprise (leading zeros, inf, nan).
    Raises _OutOfRange for numbers beyond what any reader keeps exact."""
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    decimal = _INT.fullmatch(text)
    if decimal or _INT_OTHER.fullmatch(text):
        whole = None if len(text) > _MAX_DIGITS else int(text) if decimal else int(text, 0)
        if whole is None or abs(whole) > MAX_INT:
            raise _OutOfRange(
                f"the number {_shown(text)} is too large: no field takes a "
                "number beyond 2^53 (quote it if it is text)"
            )
        return whole
    if _FLOAT.fullmatch(text) and re.search(r"[0-9]", text):
        number = float(text)
        if not math.isfinite(number):
            raise _OutOfRange(
                f"the number {_shown(text)} is too large to be a number (quote it if it is text)"
            )
        if not re.fullmatch(r"[-+]?0[0-9].*", text):
            return number
    return text


def _compose(text: str, file: str, what: str, *, single: bool) -> list[Node]:
    """The YAML nodes of ``text`` (one document, or every document when not ``single``);
    every syntax problem is a located MrgenError."""

    def located(line: int, col: int, message: str) -> MrgenError:
        return MrgenError(
            [Diagnostic(file, line, col, "", message, source_line=source_line(text, line))]
        )

    try:
        composer = _Composer(text)
    except yaml.reader.ReaderError as exc:
        line, col = line_col(text, exc.position)
        raise located(line, col, invalid_character(exc.character)) from None
    try:
        if single:
            root = composer.get_single_node()
            nodes = [] if root is None else [root]
        else:
            nodes = []
            while composer.check_node():
                node = composer.get_node()
                if node is not None:
                    nodes.append(node)
    except yaml.MarkedYAMLError as exc:
        why = explain(exc, text)
        raise located(why.line, why.col, why.message) from None
    except yaml.reader.ReaderError as exc:
        line, col = line_col(text, exc.position)
        raise located(line, col, invalid_character(exc.character)) from None
    except (ValueError, OverflowError):  # a \U escape beyond U+10FFFF (chr() refuses it)
        mark = composer.get_mark()
        escape = text[max(mark.index - 2, 0) : mark.index + 8]
        raise located(
            mark.line + 1,
            max(mark.column - 1, 1),
            f"the escape {escape!r} is not a Unicode character (the last one is \\U0010FFFF)",
        ) from None
    except RecursionError:
        raise MrgenError([Diagnostic(file, 0, 0, "", "nesting is too deep to read")]) from None
    except _TooManyNodes as stop:
        raise MrgenError(
            [
                Diagnostic(
                    file,
                    stop.mark.line + 1,
                    stop.mark.column + 1,
                    "",
                    f"{what} holds more than {MAX_NODES} values; "
                    f"no {what.removeprefix('the ')} needs that many",
                )
            ]
        ) from None
    finally:
        composer.dispose()
    return nodes


def _convert(root: Node, file: str, what: str) -> LoadedSpec:
    converter = _Converter(file, what)
    try:
        data = converter.convert(root, ())
    except _Abort as abort:
        line, col = _pos(abort.node)
        raise MrgenError(
            [Diagnostic(file, line, col, format_path(abort.path), abort.message)]
        ) from None
    except RecursionError:
        raise MrgenError([Diagnostic(file, 0, 0, "", "nesting is too deep to read")]) from None
    if converter.errors:
        raise MrgenError(converter.errors)
    return LoadedSpec(
        file, data, converter.positions, converter.key_positions, converter.plain_text
    )


def load_text(text: str, file: str) -> LoadedSpec:
    """Parse YAML text into a :class:`LoadedSpec`, or raise every problem found."""
    nodes = _compose(text, file, "the spec", single=True)
    if not nodes:
        raise MrgenError([Diagnostic(file, 1, 1, "", "the spec is empty")])
    return _convert(nodes[0], file, "the spec")


def load_documents(text: str, file: str, what: str = "the file") -> list[LoadedSpec]:
    """Every document of a YAML stream (empty ones left out), read by the same strict rules
    as a spec; raises the problems of every document together."""
    documents: list[LoadedSpec] = []
    problems: list[Diagnostic] = []
    for node in _compose(text, file, what, single=False):
        if isinstance(node, ScalarNode) and node.tag == _PLAIN and node.value in _NULL:
            continue  # an empty document (a leading or doubled `---`)
        try:
            documents.append(_convert(node, file, what))
        except MrgenError as exc:
            problems.extend(exc.diagnostics)
    if problems:
        raise MrgenError(problems)
    return documents


def load_file(path: FsPath, display: str | None = None) -> LoadedSpec:
    """Read and parse a spec file; ``display`` is the name used in messages. A missing,
    unreadable or special file is a TroubleError; what the file says, a MrgenError."""
    name = display or str(path)
    raw, size = read_regular(path, name)
    return load_text(decode(raw, name, size), name)
