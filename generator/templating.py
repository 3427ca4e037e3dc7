"""The one Jinja environment factory, and template rendering with located errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import yaml

from generator.errors import fail
from generator.resources import templates_dir
from generator.serialize import (
    markdown_code,
    markdown_text,
    mermaid_text,
    yaml_block,
    yaml_scalar,
)


def _raise(message: str) -> None:
    raise jinja2.TemplateRuntimeError(message)


def _defined(fn: Callable[..., str]) -> Callable[..., str]:
    """A filter that fails on an undefined input instead of serializing the placeholder."""

    def filtered(value: Any, *args: Any) -> str:
        if isinstance(value, jinja2.Undefined):
            str(value)  # StrictUndefined raises UndefinedError naming the missing value
        return fn(value, *args)

    return filtered


def make_environment(root: Path | None = None) -> jinja2.Environment:
    """Strict: an undefined value is an error, never an empty string."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root or templates_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701 - renders YAML/JSON, not HTML; values are serialized
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["yaml"] = _defined(yaml_block)
    env.filters["scalar"] = _defined(yaml_scalar)
    env.filters.update(md=_defined(markdown_text), md_code=_defined(markdown_code),
                       mermaid=_defined(mermaid_text))
    env.globals["raise"] = _raise
    return env


def _template_line(exc: BaseException, name: str) -> int:
    import traceback  # only on errors: keeps start-up lean

    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.lineno:
        return exc.lineno
    line = 0
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(name) and frame.lineno:
            line = frame.lineno
    return line


class Templates:
    """Renders templates for one target; errors name template:line and the context."""

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env

    def render(self, name: str, target: str, region: str | None = None, **values: Any) -> str:
        try:
            return self.env.get_template(name).render(**values)
        except (jinja2.TemplateError, yaml.YAMLError, TypeError, ValueError, KeyError,
                AttributeError) as exc:
            context = f"target={target}" + (f", region={region}" if region else "")
            line = _template_line(exc, name)
            where = f"templates/{name}" + (f":{line}" if line else "")
            raise fail(where, f"({context}) {exc}") from None
