"""Template errors name template:line and the render context; filters serialize safely."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import MrgenError
from generator.templating import Templates, make_environment


def templates(tmp_path: Path, **files: str) -> Templates:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return Templates(make_environment(tmp_path))


def test_undefined_value_is_located(tmp_path: Path) -> None:
    t = templates(tmp_path, **{"x.yaml.j2": "a: 1\nb: {{ missing | scalar }}\n"})
    with pytest.raises(MrgenError) as caught:
        t.render("x.yaml.j2", "demo", "eu-west-1")
    message = str(caught.value)
    assert message.startswith("templates/x.yaml.j2:2: (target=demo, region=eu-west-1)")
    assert "'missing' is undefined" in message


def test_syntax_error_is_located(tmp_path: Path) -> None:
    t = templates(tmp_path, **{"bad.yaml.j2": "a: 1\n\n{% for x in %}\n"})
    with pytest.raises(MrgenError, match=r"templates/bad\.yaml\.j2:3: \(target=demo\)"):
        t.render("bad.yaml.j2", "demo")


def test_structured_value_in_scalar_position_is_refused(tmp_path: Path) -> None:
    t = templates(tmp_path, **{"s.yaml.j2": "a: {{ value | scalar }}\n"})
    with pytest.raises(MrgenError, match="use the yaml filter"):
        t.render("s.yaml.j2", "demo", value={"nested": True})


def test_filters_quote_what_yaml_would_misread(tmp_path: Path) -> None:
    t = templates(tmp_path, **{"q.yaml.j2": "a: {{ a | scalar }}\nb:\n{{ b | yaml(2) }}\n"})
    text = t.render("q.yaml.j2", "demo", a="no", b={"v": "1.10", "w": "x: y # z"})
    assert text == "a: 'no'\nb:\n  v: '1.10'\n  w: 'x: y # z'\n"
