"""YAML syntax errors in plain words.

PyYAML reports a syntax error in the parser's terms (``expected <block end>, but found
'?'``). :func:`explain` turns each kind into what went wrong in the file and how to fix it,
located where the fix goes (an unclosed quote is reported where it opens, not at the end
of the file). The loader shows the line with a caret under the column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

_TOKENS = {
    "?": "a key",
    ":": "a ':'",
    "-": "a list item ('- ')",
    ",": "a ','",
    "[": "a '['",
    "]": "a ']'",
    "{": "a '{'",
    "}": "a '}'",
    "<block mapping start>": "a key at another indentation",
    "<block sequence start>": "a list",
    "<block end>": "the end of an indented block",
    "<stream end>": "the end of the file",
    "<scalar>": "a value",
    "<document start>": "a '---' line",
    "<document end>": "a '...' line",
    "<alias>": "an alias (*name)",
    "<anchor>": "an anchor (&name)",
    "<tag>": "a tag (!name)",
    "<block entry>": "a list item ('- ')",
    "<directive>": "a '%' directive",
}
_FOUND = re.compile(r"(?:found|got) (?P<token>'[^']*'|<[^>]*>|\S+)$")


@dataclass(frozen=True)
class Explained:
    line: int
    """1-based; 0 when the error has no position."""
    col: int
    message: str


def _token(problem: str) -> str:
    match = _FOUND.search(problem)
    if not match:
        return "something else"
    raw = match.group("token").strip("'")
    return _TOKENS.get(raw, f"{raw!r}")


def _char(problem: str) -> str:
    """The character a scanner message quotes (``found character '@' ...``)."""
    match = re.search(r"'((?:\\.|[^'])+)'", problem)
    return match.group(1) if match else "?"


def _starts(mark: yaml.Mark | None) -> str:
    return f" (it starts on line {mark.line + 1})" if mark is not None else ""


def _on(mark: yaml.Mark | None) -> str:
    return f" on line {mark.line + 1}" if mark is not None else ""


def _message(problem: str, context: str, context_mark: yaml.Mark | None, before: str) -> str:
    """``before``: the text of the error's line up to its column."""
    found = _token(problem)
    opened = _starts(context_mark)
    if problem == "mapping values are not allowed here":
        if ": " in before or before.rstrip().endswith(":"):
            return (
                "a second ': ' on this line: a value that contains ': ' must be quoted "
                '(key: "a: b")'
            )
        return (
            "a key cannot start here: YAML reads this line as the continuation of the "
            "value above it; indent a key exactly like the keys next to it, or quote a "
            "value that contains ': '"
        )
    if problem.startswith("could not find expected ':'"):
        return (
            "this looks like a key but no ': ' follows it; write `key: value`, or "
            "quote the text if it is a value that continues the line above"
        )
    if problem in ("sequence entries are not allowed here", "mapping keys are not allowed here"):
        return (
            "a list item or key cannot start here, after a value on the same line; "
            "put it on its own line"
        )
    if problem.startswith("expected <block end>"):
        if "collection" in context:
            return (
                f"this line does not fit the list{opened}: found {found}, but the items of "
                "a list each start with '- ' in the same column; check the indentation "
                "of this line"
            )
        return (
            f"this line does not fit the mapping{opened}: found {found}, but the keys of "
            "a mapping all start in the same column; check the indentation of this line"
        )
    if problem.startswith("found character '\\t'"):
        return "a tab character: YAML indentation must be spaces; replace the tab with spaces"
    if "cannot start any token" in problem:
        return (
            f"a value cannot start with {_char(problem)!r} (YAML reserves it); "
            "put the value in quotes"
        )
    if problem.startswith("expected ',' or ']'"):
        return (
            f"the list opened with '['{_on(context_mark)} is not closed where it should be: "
            f"found {found}; separate items with ',' and end the list with ']'"
        )
    if problem.startswith("expected ',' or '}'"):
        return (
            f"the mapping opened with '{{'{_on(context_mark)} is not closed where it should "
            f"be: found {found}; separate entries with ',' and end the mapping with '}}'"
        )
    if problem == "found unexpected end of stream" or "document separator" in problem:
        return "this quoted value is never closed: add the closing quote"
    if problem.startswith("found unknown escape character"):
        return (
            f"'\\{_char(problem)}' is not an escape inside double quotes: write '\\\\' for "
            "a backslash, or use single quotes, where a backslash is just a backslash"
        )
    if problem.startswith("expected escape sequence of"):
        return (
            "an escape needs its hexadecimal digits: \\x takes 2, \\u takes 4 and "
            "\\U takes 8 (for example \\u00e9 or \\U0001F600)"
        )
    if problem.startswith("found undefined alias"):
        return (
            f"*{_char(problem)} refers to an anchor &{_char(problem)} that is not defined "
            "before it; quote the value if the '*' is meant literally"
        )
    if problem == "second occurrence":
        first = f" on line {context_mark.line + 1}" if context_mark else ""
        return (
            f"the anchor &{_char(context)} is defined a second time (first{first}); "
            "anchor names must be unique"
        )
    if problem == "but found another document":
        return (
            "a second YAML document starts here: a spec is one document; remove this "
            "'---' and what follows it, or merge the two"
        )
    if context.startswith("while scanning a block scalar"):
        return (
            "after '|' or '>' only an indentation digit (1-9), '+' or '-' and a comment "
            "may follow on the same line; the text starts on the next line"
        )
    if context.startswith(("while scanning an anchor", "while scanning an alias")):
        return (
            "'&' and '*' start an anchor or alias name (letters, digits, '-' and '_'); "
            "quote the value if the character is meant literally"
        )
    if (
        context.startswith(("while scanning a tag", "while parsing a tag"))
        or "tag handle" in problem
    ):
        return "'!' starts a YAML tag here; quote the value if it begins with '!'"
    if problem.startswith("expected the node content"):
        return f"a value is missing here: found {found}"
    if problem.startswith("expected '<document start>'"):
        return (
            f"found {found} after the end of the spec's top-level mapping; every line "
            "belongs under a key (check the indentation)"
        )
    if context.startswith("while scanning a directive") or "directive" in problem:
        return "a line starting with '%' is a YAML directive; quote the value or remove it"
    return f"the YAML is malformed here (found {found})"


def explain(exc: yaml.MarkedYAMLError, text: str) -> Explained:
    """Where to fix ``exc`` in ``text`` and what to do, in words a spec author uses."""
    problem = " ".join(str(exc.problem or "").split())
    context = " ".join(str(exc.context or "").split())
    mark = exc.problem_mark or exc.context_mark
    unclosed = problem in (
        "found unexpected end of stream",
        "found unexpected document separator",
        "could not find expected ':'",
    )
    if exc.context_mark is not None and (unclosed or "<stream end>" in problem):
        mark = exc.context_mark  # where the quote, bracket or key opens: the fix goes there
    line = (source_line(text, mark.line + 1) or "") if mark is not None else ""
    before = line[: mark.column] if mark is not None else ""
    message = "invalid YAML: " + _message(problem, context, exc.context_mark, before)
    if mark is None:
        return Explained(0, 0, message)
    return Explained(mark.line + 1, mark.column + 1, message)


def source_line(text: str, line: int) -> str | None:
    """Line ``line`` (1-based) of ``text``, without its line break."""
    if line < 1:
        return None
    lines = text.split("\n")
    return lines[line - 1].rstrip("\r") if line <= len(lines) else None


def line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index in ``text``."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def invalid_character(code: int) -> str:
    """Why a character cannot be in a YAML file, and how to write it instead."""
    return (
        f"invalid character {chr(code)!r} (code {code:#x}): YAML files cannot contain "
        "control characters; remove it, or write it as an escape inside double quotes "
        f'("\\x{code:02x}")'
        if code < 0x100
        else f"invalid character {chr(code)!r} (code {code:#x}): YAML files cannot contain it; "
        "remove it, or write it as an escape inside double quotes"
    )
