"""The Applications an ApplicationSet generates, as the ApplicationSet controller would.

Supported generators: ``list`` (``elements``), ``clusters`` (the Argo CD cluster Secrets in
the tree, with ``selector``) and ``matrix`` of those. Templates are rendered with the
parameters of each element: ``{{.key}}`` with ``goTemplate: true`` and ``{{key}}``
(fasttemplate) otherwise; nested keys (``.metadata.labels.env``) resolve through maps.
Anything else is left as written, so an unsupported expression shows up as a literal in the
generated Application (and in any finding about it).

Reference: https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/Generators-List/
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from typing import Any

from generator.seams.selectors import matches
from generator.seams.tree import Obj, Tree, items, mapping, text

CLUSTER_SECRET_LABEL = "argocd.argoproj.io/secret-type"  # noqa: S105 (a label key)
_GO = re.compile(r"\{\{-?\s*\.([A-Za-z_][\w.]*)\s*-?\}\}")
_FAST = re.compile(r"\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}")

Params = dict[str, Any]


def cluster_secrets(tree: Tree) -> list[Obj]:
    """Argo CD cluster declarations: Secrets labelled ``secret-type: cluster``."""
    return [
        o for o in tree.of_kind("", "Secret") if o.labels.get(CLUSTER_SECRET_LABEL) == "cluster"
    ]


def secret_value(obj: Obj, key: str) -> str:
    """A cluster Secret's ``stringData`` value (``data`` is base64 and not read)."""
    return text(mapping(obj.data.get("stringData")).get(key))


def _cluster_params(tree: Tree, generator: Mapping[str, Any]) -> list[Params]:
    selector = mapping(generator.get("selector"))
    out = []
    for secret in cluster_secrets(tree):
        if selector and not matches(selector, secret.labels):
            continue
        name = secret_value(secret, "name") or secret.name
        out.append(
            {
                "name": name,
                "nameNormalized": name.lower().replace("_", "-"),
                "server": secret_value(secret, "server"),
                "metadata": {"labels": secret.labels, "annotations": secret.annotations},
                "values": mapping(generator.get("values")),
            }
        )
    return out


def params(tree: Tree, generator: Mapping[str, Any]) -> list[Params] | None:
    """Parameter sets of one generator (None: a generator this model does not evaluate)."""
    if "list" in generator:
        return [dict(mapping(e)) for e in items(mapping(generator["list"]).get("elements"))]
    if "clusters" in generator:
        return _cluster_params(tree, mapping(generator["clusters"]))
    if "matrix" in generator:
        children = [
            params(tree, mapping(g)) for g in items(mapping(generator["matrix"]).get("generators"))
        ]
        if len(children) != 2 or children[0] is None or children[1] is None:
            return None
        return [{**a, **b} for a in children[0] for b in children[1]]
    return None


def _lookup(values: Mapping[str, Any], dotted: str) -> object:
    node: object = values
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _render(value: Any, values: Mapping[str, Any], go: bool) -> Any:
    if isinstance(value, dict):
        return {k: _render(v, values, go) for k, v in value.items()}
    if isinstance(value, list):
        return [_render(v, values, go) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        found = _lookup(values, match.group(1))
        return match.group(0) if found is None or isinstance(found, (dict, list)) else str(found)

    return (_GO if go else _FAST).sub(substitute, value)


def generate(tree: Tree, appset: Obj) -> Iterator[tuple[Params, Obj]]:
    """(parameters, generated Application) for every element of every generator."""
    spec = appset.spec
    template = mapping(spec.get("template"))
    go = spec.get("goTemplate") is True
    for generator in items(spec.get("generators")):
        found = params(tree, mapping(generator))
        for values in found or []:
            rendered = _render(copy.deepcopy(template), values, go)
            meta = mapping(rendered.get("metadata"))
            meta.setdefault("namespace", appset.namespace)
            data = {
                "apiVersion": appset.api_version,
                "kind": "Application",
                "metadata": meta,
                "spec": mapping(rendered.get("spec")),
            }
            yield values, Obj(data, appset.docs, appset.namespace, prefix=("spec", "template"))


def unsupported(appset: Obj, tree: Tree) -> list[str]:
    """Generators this model cannot evaluate (their Applications are not checked)."""
    out = []
    for generator in items(appset.spec.get("generators")):
        if params(tree, mapping(generator)) is None:
            kinds = ", ".join(sorted(mapping(generator))) or "(empty)"
            out.append(kinds)
    return out
