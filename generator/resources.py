"""Where the packaged data lives: templates/ and the spec schema.

A wheel carries them inside the package (``generator/_data``); a source checkout or
editable install reads them from the project's top-level folders.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent
_PACKAGED = _PACKAGE / "_data"
_SOURCE = _PACKAGE.parent


def templates_dir() -> Path:
    packaged = _PACKAGED / "templates"
    return packaged if packaged.is_dir() else _SOURCE / "templates"


def schema_path() -> Path:
    packaged = _PACKAGED / "mrgen.schema.json"
    return packaged if packaged.is_file() else _SOURCE / "spec" / "mrgen.schema.json"


@cache
def spec_schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
    return data
