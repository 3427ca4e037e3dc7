"""Which list item is which in a field diff: identity rules first, sequence alignment otherwise.

Pure. For the two lists found at one place of the old and the new document, :func:`align`
says which old item became which new item, which items were removed or added, how each item
is named in a path and where its changes come in the report:

- lists of mappings are matched by identity when one identity rule gives every item of both
  lists a unique key: ``name`` (containers, env vars, ports, rule groups, ...), an alert's or
  recording rule's name (with its labels when the name repeats, as Prometheus tells such
  rules apart), ``job_name``, a Route 53 record's name, type and ``SetIdentifier``,
  ``region``, ... (:data:`IDENTITY_RULES`, the one place identity is defined). Items are
  named by their key (``containers[api]``); removed items are reported first, then the new
  list's items in its order, then the new order when common items changed places;
- any other list is aligned as a sequence (difflib): inserted and deleted items are reported
  as such, items replaced one for one are the same item when both are mappings, both are
  lists, or both are scalars whose text is similar (:data:`SIMILAR`). Mappings and lists are
  named by their index in the new list (the old one for a removed item); a scalar item by the
  list's own path (``resources: added x.yaml``).

:mod:`generator.difffields` hands the pairs to DeepDiff; :attr:`Alignment.positional` says
when DeepDiff's own in-order pairing already gives exactly these pairs.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

ITEM = "\x00"
"""Prefix marking a path part (or a mapping key) that is an item's identity."""

KeyOf = Callable[[Any], "str | None"]


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
    IdentityRule(lambda i: fields("alert")(i) or fields("record")(i), label_set("labels")),
    IdentityRule(fields("job_name")),  # scrape configs
    IdentityRule(
        fields(
            "ResourceRecordSet.Name", "ResourceRecordSet.Type", "ResourceRecordSet.SetIdentifier"
        )
    ),  # Route 53 changes
    IdentityRule(fields("SetIdentifier")),
    IdentityRule(fields("region")),  # ApplicationSet list
    IdentityRule(fields("from")),  # locality failover
    IdentityRule(fields("title")),  # dashboard panels
    IdentityRule(fields("refId")),  # panel queries
    IdentityRule(fields("series")),  # promtool inputs
    IdentityRule(fields("alertname", "eval_time")),  # promtool alert tests
    IdentityRule(fields("expr", "eval_time")),  # promtool expr tests
    IdentityRule(label_set("exp_labels")),  # promtool alerts
    IdentityRule(fields("labels")),  # promtool samples
    IdentityRule(label_set("labels")),  # static targets
    IdentityRule(fields("backendServiceRef.name")),  # URL map weights
    IdentityRule(fields("healthCheckRef.name")),
    IdentityRule(fields("targetLabel")),  # relabelings
    IdentityRule(fields("key")),  # tags
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
        repeated = {
            k
            for side in (bare_old, bare_new)
            for k, n in Counter(side).items()
            if n > 1 and k is not None
        }
        keys_old, keys_new = _keys(rule, old, repeated), _keys(rule, new, repeated)
        if keys_old is not None and keys_new is not None:
            return keys_old, keys_new
    return None


# ---------------------------------------------------------------------------------------------


Part = str | int | None
"""An item's path part: ``ITEM + key``, an index, or None for a scalar (the list's path)."""
Order = tuple[int | str, ...]
"""Where a part's changes come among its siblings' (list items by numbers, mapping keys by
their text)."""
Step = tuple[Part, Order]
REORDERED: Order = (2,)
"""Order of the list's own "new order" change: after all of its items."""
SIMILAR = 0.5
"""Two scalar list items replaced one for one count as one changed item when their text is
at least this similar (difflib ratio); otherwise one is removed and the other added."""


@dataclass(frozen=True)
class Alignment:
    pairs: dict[int, int]
    """Old index -> new index of the items that are the same item."""
    old: tuple[Step, ...]
    """Per old item: its path part and report order (used for removed items)."""
    new: tuple[Step, ...]
    """Per new item: its path part and report order."""
    keys: tuple[list[str], list[str]] | None = None
    """The identity keys of both lists' items, when matched by identity."""
    positional: bool = field(init=False)
    """Whether pairing items in order (and the longer list's tail added or removed) gives
    exactly these pairs: DeepDiff's own pairing then says the same."""

    def __post_init__(self) -> None:
        common = min(len(self.old), len(self.new))
        object.__setattr__(
            self,
            "positional",
            len(self.pairs) == common and all(self.pairs.get(i) == i for i in range(common)),
        )

    def reordered(self) -> tuple[list[str], list[str]] | None:
        """For items matched by identity: the common items' keys in the old and the new order,
        when that order changed (an insertion or removal alone moves nothing)."""
        if self.keys is None:
            return None
        old_keys, new_keys = self.keys
        before = [old_keys[i] for i in sorted(self.pairs)]
        after = [new_keys[j] for j in sorted(self.pairs.values())]
        return (before, after) if before != after else None


def align(old: Sequence[Any], new: Sequence[Any]) -> Alignment:
    """Which items of ``old`` and ``new`` are the same item (see the module docstring)."""
    keys = identify(old, new)
    return _by_sequence(old, new) if keys is None else _by_identity(*keys)


def _by_identity(old_keys: list[str], new_keys: list[str]) -> Alignment:
    index = {key: j for j, key in enumerate(new_keys)}
    pairs = {i: index[key] for i, key in enumerate(old_keys) if key in index}
    return Alignment(
        pairs,
        tuple(
            (ITEM + key, (1, pairs[i]) if i in pairs else (0, i)) for i, key in enumerate(old_keys)
        ),
        tuple((ITEM + key, (1, j)) for j, key in enumerate(new_keys)),
        (old_keys, new_keys),
    )


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _part(item: Any, index: int) -> Part:
    return index if isinstance(item, dict | list) else None


def _pairs(before: Any, after: Any) -> bool:
    """Whether two items replaced one for one are one item changed."""
    if isinstance(before, dict) and isinstance(after, dict):
        return True
    if isinstance(before, list) and isinstance(after, list):
        return True
    if isinstance(before, dict | list) or isinstance(after, dict | list):
        return False
    return SequenceMatcher(None, str(before), str(after)).ratio() >= SIMILAR


def _by_sequence(old: Sequence[Any], new: Sequence[Any]) -> Alignment:
    old_steps: list[Step] = [(None, ())] * len(old)
    new_steps: list[Step] = [(None, ())] * len(new)
    pairs: dict[int, int] = {}

    def pair(i: int, j: int, order: Order) -> None:
        pairs[i] = j
        old_steps[i] = new_steps[j] = (_part(new[j], j), order)

    matcher = SequenceMatcher(
        None, [_canonical(v) for v in old], [_canonical(v) for v in new], autojunk=False
    )
    for block, (tag, i1, i2, j1, j2) in enumerate(matcher.get_opcodes()):
        if tag == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                pair(i, j, (block, 0, j))
            continue
        removed, added = list(range(i1, i2)), list(range(j1, j2))
        while removed and added and _pairs(old[removed[0]], new[added[0]]):
            pair(removed.pop(0), added[0], (block, 0, added.pop(0)))
        for i in removed:
            old_steps[i] = (_part(old[i], i), (block, 1, i))
        for j in added:
            new_steps[j] = (_part(new[j], j), (block, 2, j))
    return Alignment(pairs, tuple(old_steps), tuple(new_steps))
