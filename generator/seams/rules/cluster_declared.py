"""cluster-declared: every cluster Argo CD is told to deploy to is declared in the render.

Argo CD resolves an Application's ``destination.name`` (or ``server``) through its cluster
Secrets; an unknown cluster makes the Application fail with "there are no clusters with
this name". Once the render declares clusters (Argo CD cluster Secrets, or Config Connector
ContainerClusters that the registration is derived from), every destination of every
Application (ApplicationSet-generated included) and every literal cluster name in an
AppProject's ``destinations`` must be one of them (``in-cluster`` always exists). A render
that declares no cluster at all leaves registration outside the render: nothing to check.

Reference: https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#clusters
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.seams.clusters import IMPLICIT, declared
from generator.seams.rule import Finding, SeamRule, at, listing
from generator.seams.tree import Tree, items, mapping, text

_GLOB = set("*?[]{}!")


def _check(tree: Tree) -> Iterator[Finding]:
    names, servers = declared(tree)
    if not names and not servers:
        return
    known_names, known_servers = names | IMPLICIT[0], servers | IMPLICIT[1]
    shown = listing(sorted(names)) if names else "none by name"
    seen: set[tuple[str, int, tuple[str | int, ...], str]] = set()
    for placement in tree.placements:
        app = placement.app
        destination = mapping(app.spec.get("destination"))
        name, server = text(destination.get("name")), text(destination.get("server"))
        if (name and name not in known_names) or (
            not name and server and server not in known_servers
        ):
            field = "name" if name else "server"
            document, path = app.where(("spec", "destination", field))
            key = (document.file, document.index, path, name or server)
            if key not in seen:
                seen.add(key)
                yield Finding(
                    document,
                    path,
                    f"Application {app.name} deploys to cluster {name or server}, "
                    f"which the render does not declare (declared: {shown}): Argo "
                    "CD cannot resolve the destination",
                )
    for project in tree.of_kind("argoproj.io", "AppProject"):
        for i, entry in enumerate(items(project.spec.get("destinations"))):
            name = text(mapping(entry).get("name"))
            if name and not set(name) & _GLOB and name not in known_names:
                yield at(
                    project,
                    ("spec", "destinations", i, "name"),
                    f"AppProject {project.name} allows cluster {name}, which the render "
                    f"does not declare (declared: {shown})",
                )


RULE = SeamRule(
    id="cluster-declared",
    description="Every cluster that Applications, ApplicationSets and AppProjects name is "
    "declared in the render (once it declares any).",
    reference="https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/"
    "#clusters",
    run=_check,
)
