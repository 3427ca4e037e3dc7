"""Argo CD's AppProject permission logic, read from its documented behaviour and source.

- Sources: ``sourceRepos`` globs (``/`` separates, ``!`` denies) against the normalised
  repository URL (lower case, no ``.git`` suffix, ``git@host:path`` as ``host/path``).
- Destinations: an entry matches when its ``server`` or ``name`` glob matches the
  destination cluster and its ``namespace`` glob matches the namespace; ``!`` entries deny.
- Kinds: a cluster-scoped object needs a ``clusterResourceWhitelist`` entry (an empty or
  missing list allows none) and no ``clusterResourceBlacklist`` entry; a namespaced object
  is allowed unless ``namespaceResourceWhitelist`` is given without it (an explicit empty
  list allows none) or ``namespaceResourceBlacklist`` lists it. Entries match group and kind
  (and, for cluster lists, ``name``) as globs.

References:
- https://argo-cd.readthedocs.io/en/stable/user-guide/projects/
- https://argo-cd.readthedocs.io/en/stable/operator-manual/project-specification/
- argoproj/argo-cd ``pkg/apis/application/v1alpha1/app_project_types.go``
  (``IsGroupKindNamePermitted``, ``IsSourcePermitted``, ``isDestinationMatched``) and
  ``controller/sync.go`` (messages "resource %s:%s is not permitted in project %s",
  "namespace %v is not permitted in project '%s'").
"""

from __future__ import annotations

from typing import Any

from generator.seams.selectors import glob
from generator.seams.tree import Obj, items, mapping, text


def normal_repo(url: str) -> str:
    url = url.strip().lower()
    if url.startswith("git@") or ("@" in url and "://" not in url):
        url = "ssh://" + url.replace(":", "/", 1)
    url = url.removesuffix(".git")
    return url.removeprefix("ssh://")


def _deny(pattern: str) -> bool:
    return pattern.startswith("!")


def _match(pattern: str, value: str, separator: str = "") -> bool:
    """Argo CD's globMatch: ``!pattern`` matches what ``pattern`` does not."""
    if _deny(pattern):
        return not glob(pattern[1:], value, separator)
    return glob(pattern, value, separator)


def source_permitted(project: Obj, repo: str) -> bool:
    source = normal_repo(repo)
    matched = False
    for pattern in (text(p) for p in items(project.spec.get("sourceRepos"))):
        normal = "!" + normal_repo(pattern[1:]) if _deny(pattern) else normal_repo(pattern)
        if _match(normal, source, "/"):
            matched = True
        elif _deny(normal):
            return False
    return matched


def destination_permitted(project: Obj, name: str, server: str, namespace: str) -> bool:
    matched = False
    for entry in map(mapping, items(project.spec.get("destinations"))):
        item_name, item_server = text(entry.get("name")), text(entry.get("server"))
        item_namespace = text(entry.get("namespace"))
        name_ok = bool(name) and _match(item_name, name)
        server_ok = bool(server) and _match(item_server, server)
        namespace_ok = _match(item_namespace, namespace)
        if (server_ok or name_ok) and namespace_ok:
            matched = True
        elif (
            ((not name_ok and _deny(item_name)) or (not server_ok and _deny(item_server)))
            and namespace_ok
        ) or (not namespace_ok and _deny(item_namespace) and server_ok):
            return False
    return matched


def _in_list(entries: list[Any], group: str, kind: str, name: str | None) -> bool:
    for entry in map(mapping, entries):
        if not glob(text(entry.get("kind")), kind, "/") or not glob(
            text(entry.get("group")), group, "/"
        ):
            continue
        if (
            name is not None
            and text(entry.get("name"))
            and not glob(text(entry.get("name")), name, "/")
        ):
            continue
        return True
    return False


def kind_permitted(project: Obj, group: str, kind: str, name: str, namespaced: bool) -> bool:
    spec = project.spec
    if namespaced:
        allow = spec.get("namespaceResourceWhitelist")
        allowed = allow is None or (
            bool(items(allow)) and _in_list(items(allow), group, kind, None)
        )
        denied = _in_list(items(spec.get("namespaceResourceBlacklist")), group, kind, None)
        return allowed and not denied
    allowed = _in_list(items(spec.get("clusterResourceWhitelist")), group, kind, name)
    denied = _in_list(items(spec.get("clusterResourceBlacklist")), group, kind, name)
    return allowed and not denied
