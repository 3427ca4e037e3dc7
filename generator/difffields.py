"""Field-level differences between two parsed documents, list items matched by identity.

Pure. :func:`field_changes` walks two values side by side:
- mappings by key;
- lists of mappings by the identity of their items, when one identity rule gives every item
  of both lists a unique key: ``name`` (containers, env vars, ports, rule groups, ...),
  an alert's or recording rule's name (with its labels when the name repeats, as Prometheus
  tells such rules apart), ``job_name``, a Route 53 record's name, type and
  ``SetIdentifier``, ``region``, ... (:data:`IDENTITY_RULES`). Inserting an item reports
  that item, never every later item "renamed"; items that only moved report the new order;
- any other list as a sequence (difflib): inserted and deleted items are reported as such,
  items replaced one for one are compared field by field;
- scalars by value and type (``1`` and ``"1"`` and ``true`` differ).

Paths name identified items in brackets (``spec.containers[api].image``) and anonymous ones
by their index in the new list (``spec.metrics[0].type``); an added or removed scalar list
item is reported on the list's own path (``resources: added x.yaml``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, Literal

Status = Literal["added", "removed", "changed"]
ITEM = "\x00"
"""Prefix marking a path part (or a mapping key) that is an item's identity."""

KeyOf = Callable[[Any], "str | None"]


@dataclass(frozen=True)
class FieldChange:
    path: str
    """Where in the document, e.g. ``spec.maxReplicas`` or ``spec.containers[api].image``."""
    status: Status
    old: Any = None
    new: Any = None
    within: str | None = None
    """For a list item added or removed: the list's path (reports group such items)."""


def _field(item: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(item, dict):
            return None
        item = item.get(part)
    return item


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        return None
    return str(value)


def fields(first: str, *optional: str) -> KeyOf:
    """Identity from field ``first`` (required) and any of ``optional`` that are present."""
    def key(item: Any) -> str | None:
        head = _scalar_text(_field(item, first))
        if head is None:
            return None
        rest = [_scalar_text(_field(item, p)) for p in optional]
        return " ".join([head, *(r for r in rest if r is not None)])
    return key


def label_set(field: str) -> KeyOf:
    """Identity from a mapping of labels: ``{a=1, b=2}``."""
    def key(item: Any) -> str | None:
        labels = item.get(field) if isinstance(item, dict) else None
        if not isinstance(labels, dict) or not labels:
            return None
        return "{" + ", ".join(f"{k}={labels[k]}" for k in sorted(labels)) + "}"
    return key


@dataclass(frozen=True)
class IdentityRule:
    key: KeyOf
    disambiguate: KeyOf | None = None
    """Appended to the key of items whose key repeats (in either list)."""


IDENTITY_RULES: tuple[IdentityRule, ...] = (
    IdentityRule(fields("name")),
    # Prometheus rules: alerts and recording rules, told apart by labels when a name repeats
    IdentityRule(lambda i: fields("alert")(i) or fields("record")(i),
                 label_set("labels")),
    IdentityRule(fields("job_name")),                                   # scrape configs
    IdentityRule(fields("ResourceRecordSet.Name", "ResourceRecordSet.Type",
                        "ResourceRecordSet.SetIdentifier")),            # Route 53 changes
    IdentityRule(fields("SetIdentifier")),
    IdentityRule(fields("region")),                                     # ApplicationSet list
    IdentityRule(fields("from")),                                       # locality failover
    IdentityRule(fields("title")),                                      # dashboard panels
    IdentityRule(fields("refId")),                                      # panel queries
    IdentityRule(fields("series")),                                     # promtool inputs
    IdentityRule(fields("alertname", "eval_time")),                     # promtool alert tests
    IdentityRule(fields("expr", "eval_time")),                          # promtool expr tests
    IdentityRule(label_set("exp_labels")),                              # promtool alerts
    IdentityRule(fields("labels")),                                     # promtool samples
    IdentityRule(label_set("labels")),                                  # static targets
    IdentityRule(fields("backendServiceRef.name")),                     # URL map weights
    IdentityRule(fields("healthCheckRef.name")),
    IdentityRule(fields("targetLabel")),                                # relabelings
    IdentityRule(fields("key")),                                        # tags
)


def _keys(rule: IdentityRule, items: Sequence[Any], repeated: set[str]) -> list[str] | None:
    keys: list[str] = []
    for item in items:
        key = rule.key(item)
        if key is None:
            return None
        if key in repeated and rule.disambiguate is not None:
            extra = rule.disambiguate(item)
            if extra is None:
                return None
            key += extra
        keys.append(key)
    return keys if len(set(keys)) == len(keys) else None


def identify(old: Sequence[Any], new: Sequence[Any]) -> tuple[list[str], list[str]] | None:
    """Unique identity keys for the items of both lists, from the first rule that gives
    them, or None."""
    if not all(isinstance(i, dict) for i in (*old, *new)) or not (old or new):
        return None
    for rule in IDENTITY_RULES:
        bare_old, bare_new = [rule.key(i) for i in old], [rule.key(i) for i in new]
        if any(k is None for k in (*bare_old, *bare_new)):
            continue
        repeated = {k for side in (bare_old, bare_new)
                    for k, n in Counter(side).items() if n > 1 and k is not None}
        keys_old, keys_new = _keys(rule, old, repeated), _keys(rule, new, repeated)
        if keys_old is not None and keys_new is not None:
            return keys_old, keys_new
    return None


# ---------------------------------------------------------------------------------------------


Path = tuple[Any, ...]


def format_path(parts: Sequence[Any]) -> str:
    """Path parts -> ``spec.containers[api].env[0]`` (keys that are not plain words quoted)."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and part.startswith(ITEM):
            out += f"[{part[len(ITEM):]}]" if out else part[len(ITEM):]
        elif isinstance(part, str) and part and all(c.isalnum() or c in "_-" for c in part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(str(part), ensure_ascii=False)}]"
    return out or "(document)"


def _same(old: Any, new: Any) -> bool:
    return type(old) is type(new) and old == new


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


Found = tuple[Path, Status, Any, Any, "Path | None"]
"""path, status, old, new, and the list's path for an item added or removed."""
SIMILAR = 0.5
"""Two scalar list items replaced one for one count as one changed item when their text is
at least this similar (difflib ratio); otherwise one is removed and the other added."""


def _walk(old: Any, new: Any, path: Path) -> Iterator[Found]:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            if key not in new:
                yield (*path, key), "removed", old[key], None, None
            elif key not in old:
                yield (*path, key), "added", None, new[key], None
            else:
                yield from _walk(old[key], new[key], (*path, key))
    elif isinstance(old, list) and isinstance(new, list):
        yield from _walk_list(old, new, path)
    elif not _same(old, new):
        yield path, "changed", old, new, None


def _walk_list(old: list[Any], new: list[Any], path: Path) -> Iterator[Found]:
    keys = identify(old, new)
    if keys is not None:
        by_old = dict(zip(keys[0], old, strict=True))
        by_new = dict(zip(keys[1], new, strict=True))
        for key, item in by_old.items():
            if key not in by_new:
                yield (*path, ITEM + key), "removed", item, None, path
        for key, item in by_new.items():
            if key in by_old:
                yield from _walk(by_old[key], item, (*path, ITEM + key))
            else:
                yield (*path, ITEM + key), "added", None, item, path
        before = [k for k in keys[0] if k in by_new]
        after = [k for k in keys[1] if k in by_old]
        if before != after:  # the same items in another order: the order is the change
            yield path, "changed", before, after, None
        return
    matcher = SequenceMatcher(None, [_canonical(v) for v in old], [_canonical(v) for v in new],
                              autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        removed, added = list(range(i1, i2)), list(range(j1, j2))
        while removed and added and _pairs(old[removed[0]], new[added[0]]):
            before, after = old[removed.pop(0)], new[added[0]]
            if isinstance(before, dict | list):
                yield from _walk(before, after, (*path, added.pop(0)))
            else:
                added.pop(0)
                yield path, "changed", before, after, None
        for index in removed:
            yield _item_path(path, old[index], index), "removed", old[index], None, path
        for index in added:
            yield _item_path(path, new[index], index), "added", None, new[index], path


def _pairs(before: Any, after: Any) -> bool:
    """Whether two items replaced one for one are one item changed."""
    if isinstance(before, dict) and isinstance(after, dict):
        return True
    if isinstance(before, list) and isinstance(after, list):
        return True
    if isinstance(before, dict | list) or isinstance(after, dict | list):
        return False
    return SequenceMatcher(None, str(before), str(after)).ratio() >= SIMILAR


def _item_path(path: Path, item: Any, index: int) -> Path:
    return (*path, index) if isinstance(item, dict | list) else path


def field_changes(old: Any, new: Any) -> tuple[FieldChange, ...]:
    """Every difference going from ``old`` to ``new``, in document order."""
    return tuple(FieldChange(format_path(path), status, before, after,
                             None if within is None else format_path(within))
                 for path, status, before, after, within in _walk(old, new, ()))
