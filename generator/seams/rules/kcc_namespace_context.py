"""kcc-namespace-context: Config Connector reconciles every namespace its objects are in.

In namespaced mode (the ``ConfigConnector`` object's ``spec.mode: namespaced``) Config
Connector runs one controller per namespace that has a ``ConfigConnectorContext``, with
that context's Google service account; objects in any other namespace are never
reconciled and sit without status. In cluster mode one controller serves every namespace.
So every Config Connector object (any ``*.cnrm.cloud.google.com`` kind) must be in a
namespace of its cluster that has a ConfigConnectorContext, unless that cluster declares
``ConfigConnector`` with ``spec.mode: cluster``.

References:
- https://cloud.google.com/config-connector/docs/how-to/install-namespaced
- https://cloud.google.com/config-connector/docs/how-to/advanced-install#manual
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.seams.rule import Finding, SeamRule, at, listing
from generator.seams.tree import Obj, Tree, text

KCC_SUFFIX = ".cnrm.cloud.google.com"
CORE = "core.cnrm.cloud.google.com"


def _managed(obj: Obj) -> bool:
    return obj.group.endswith(KCC_SUFFIX) and obj.group != CORE


def _check(tree: Tree) -> Iterator[Finding]:
    missing: dict[str, dict[str, list[Obj]]] = {}
    for cluster in tree.clusters:
        here = tree.in_cluster(cluster)
        modes = {
            text(o.spec.get("mode"))
            for o in here
            if o.group == CORE and o.kind == "ConfigConnector"
        }
        if "cluster" in modes:
            continue
        contexts = {
            o.namespace for o in here if o.group == CORE and o.kind == "ConfigConnectorContext"
        }
        for obj in here:
            if _managed(obj) and obj.namespace and obj.namespace not in contexts:
                missing.setdefault(obj.namespace, {}).setdefault(cluster, []).append(obj)
    for namespace, by_cluster in sorted(missing.items()):
        first = min(
            (o for objs in by_cluster.values() for o in objs),
            key=lambda o: (o.doc.file, o.doc.index),
        )
        count = sum(len(o) for o in by_cluster.values())
        yield at(
            first,
            ("metadata", "namespace"),
            f"{count} Config Connector object{'s' if count != 1 else ''} in namespace "
            f"{namespace} of {listing(sorted(by_cluster))}, but no "
            f"ConfigConnectorContext for {namespace} and no cluster-mode ConfigConnector "
            "is rendered: in namespaced mode they are never reconciled",
        )


RULE = SeamRule(
    id="kcc-namespace-context",
    description="Every Config Connector object's namespace has a ConfigConnectorContext, or "
    "its cluster declares cluster mode.",
    reference="https://cloud.google.com/config-connector/docs/how-to/install-namespaced",
    run=_check,
)
