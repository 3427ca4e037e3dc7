"""The one Jinja environment factory, and template rendering with located errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


class _SourceLoader(jinja2.BaseLoader):
    """Templates given as text (read at the edge), named by their relative path; the name
    is also the file name that tracebacks carry, so errors locate their line."""

    def __init__(self, sources: Mapping[str, str]) -> None:
        self.sources = dict(sources)

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        if template not in self.sources:
            raise jinja2.TemplateNotFound(template)
        return self.sources[template], template, lambda: True

    def list_templates(self) -> list[str]:
        return sorted(self.sources)


def make_environment(
    root: Path | None = None, *, sources: Mapping[str, str] | None = None, sandboxed: bool = False
) -> jinja2.Environment:
    """Strict: an undefined value is an error, never an empty string.

    Templates come from ``root`` (default: mrgen's own ``templates/``) or, when given, from
    ``sources`` (name -> text). ``sandboxed`` renders templates mrgen did not write (user
    extensions): no access to Python internals, no changes to the model they read.
    """
    cls: type[jinja2.Environment] = jinja2.Environment
    if sandboxed:
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        cls = ImmutableSandboxedEnvironment
    loader: jinja2.BaseLoader = (
        _SourceLoader(sources)
        if sources is not None
        else jinja2.FileSystemLoader(str(root or templates_dir()))
    )
    env = cls(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # renders YAML/JSON, not HTML; values are serialized
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["yaml"] = _defined(yaml_block)
    env.filters["scalar"] = _defined(yaml_scalar)
    env.filters.update(
        md=_defined(markdown_text), md_code=_defined(markdown_code), mermaid=_defined(mermaid_text)
    )
    env.globals["raise"] = _raise
    return env


TEMPLATE_ERRORS: tuple[type[Exception], ...] = (
    jinja2.TemplateError,
    yaml.YAMLError,
    TypeError,
    ValueError,
    LookupError,
    AttributeError,
    ArithmeticError,
    RecursionError,
)
"""What rendering a template can raise because of the template or its values (a template's
own mistake, never mrgen's): reported as a located problem, not an internal error."""


def template_line(exc: BaseException, name: str) -> int:
    """The line of template ``name`` that raised ``exc`` (0 when unknown)."""
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
        except TEMPLATE_ERRORS as exc:
            context = f"target={target}" + (f", region={region}" if region else "")
            line = template_line(exc, name)
            where = f"templates/{name}" + (f":{line}" if line else "")
            raise fail(where, f"({context}) {exc}") from None
