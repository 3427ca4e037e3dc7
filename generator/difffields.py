"""Field-level differences between two parsed documents: DeepDiff's tree report, list items
matched by identity.

Pure. :func:`field_changes` runs ``DeepDiff(old, new, view="tree")`` and maps its report to
:class:`FieldChange` records: ``values_changed`` and ``type_changes`` are a changed value
(``1``, ``"1"`` and ``true`` differ), ``dictionary_item_added``/``_removed`` an added or
removed key, ``iterable_item_added``/``_removed`` an added or removed list item, and
``iterable_item_moved`` in a list matched by identity the list's new order, when the items'
relative order changed.

Which list item is which comes from :mod:`generator.diffalign`: DeepDiff's
``iterable_compare_func`` matches items by :data:`~generator.diffalign.IDENTITY_RULES`, and
raises ``CannotCompare`` where DeepDiff's own in-order pairing gives the same pairs. DeepDiff
cannot align a list as a sequence once it has a compare function (its fallback pairs items by
position), nor pair replaced scalars by similarity, so the one adapter is
:class:`_Operator`: for a list without identity whose items were inserted, deleted or replaced,
it takes the list from DeepDiff; the alignment reports that list's added, removed and changed
scalar items, and DeepDiff compares each aligned pair of mappings or lists.

Paths name identified items in brackets (``spec.containers[api].image``) and anonymous ones
by their index in the new list (``spec.metrics[0].type``); an added or removed scalar list
item is reported on the list's own path (``resources: added x.yaml``). Changes come in
document order: mapping keys sorted, list items in the order :mod:`generator.diffalign` gives.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from deepdiff import DeepDiff
from deepdiff.helper import CannotCompare, notpresent
from deepdiff.model import ChildRelationship, DiffLevel
from deepdiff.operator import BaseOperator

from generator.diffalign import ITEM, REORDERED, Alignment, Order, Step, align

__all__ = ["ITEM", "FieldChange", "Status", "field_changes", "format_path"]

Status = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class FieldChange:
    path: str
    """Where in the document, e.g. ``spec.maxReplicas`` or ``spec.containers[api].image``."""
    status: Status
    old: Any = None
    new: Any = None
    within: str | None = None
    """For a list item added or removed: the list's path (reports group such items)."""


def format_path(parts: Sequence[Any]) -> str:
    """Path parts -> ``spec.containers[api].env[0]`` (keys that are not plain words quoted)."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and part.startswith(ITEM):
            out += f"[{part[len(ITEM) :]}]" if out else part[len(ITEM) :]
        elif isinstance(part, str) and part and all(c.isalnum() or c in "_-" for c in part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(str(part), ensure_ascii=False)}]"
    return out or "(document)"


def _same(old: Any, new: Any) -> bool:
    """Equal and of the same types all the way down (``1``, ``1.0`` and ``True`` differ)."""
    if old is new:
        return True
    if type(old) is not type(new):
        return False
    if isinstance(old, dict):
        return old == new and all(_same(v, new[k]) for k, v in old.items())
    if isinstance(old, list):
        return old == new and all(map(_same, old, new))
    return bool(old == new)


Where = tuple[tuple[Any, ...], tuple[Order, ...]]
"""Path parts and the report order of each part."""
Found = tuple[tuple[Order, ...], FieldChange]
_OPTIONS: dict[str, Any] = {
    "view": "tree",
    "threshold_to_diff_deeper": 0,  # always compare mappings key by key (never whole)
    "ignore_private_variables": False,  # ``__x`` keys are data too
    "report_repetition": True,  # keeps an item removed and another added at the same index
    # apart (else DeepDiff reports them as one changed value)
}
_STATUS: dict[str, Status] = {
    "values_changed": "changed",
    "type_changes": "changed",
    "dictionary_item_added": "added",
    "dictionary_item_removed": "removed",
    "iterable_item_added": "added",
    "iterable_item_removed": "removed",
}


class _Operator(BaseOperator):
    """DeepDiff custom operator: equal subtrees are skipped (nothing to report, and much
    cheaper), and a list that needs a sequence alignment is handed to :meth:`_Run.sequence`."""

    def __init__(self, run: _Run) -> None:
        super().__init__()
        self.run = run

    def match(self, level: DiffLevel) -> bool:
        return self.run.aligns(level) or _same(level.t1, level.t2)

    def give_up_diffing(self, level: DiffLevel, diff_instance: DeepDiff) -> bool:
        if self.run.aligns(level):
            self.run.lists.append(level)
        return True

    def normalize_value_for_hashing(self, parent: Any, obj: Any) -> Any:
        return obj  # DeepDiff hashes items for its compare function: as they are


class _Run:
    """One :func:`field_changes` call: the alignments of the lists met, by the lists' ids
    (the lists are kept so that the ids stay theirs), and the changes found."""

    def __init__(self) -> None:
        self.alignments: dict[tuple[int, int], tuple[Any, Any, Alignment]] = {}
        self.indexes: dict[tuple[int, int], tuple[dict[int, int], ...]] = {}
        self.matching: dict[tuple[int, int], tuple[dict[int, int], ...] | None] = {}
        self.lists: list[DiffLevel] = []
        self.found: list[Found] = []
        self.operator = _Operator(self)

    def alignment(self, old: Any, new: Any) -> Alignment:
        key = (id(old), id(new))
        if key not in self.alignments:
            self.alignments[key] = (old, new, align(old, new))
        return self.alignments[key][2]

    def aligns(self, level: DiffLevel) -> bool:
        """Whether the adapter aligns this list (no identity and not in place)."""
        if not (isinstance(level.t1, list) and isinstance(level.t2, list)):
            return False
        alignment = self.alignment(level.t1, level.t2)
        return alignment.keys is None and not alignment.positional

    def positions(self, old: list[Any], new: list[Any]) -> tuple[dict[int, int], ...]:
        """Each item's index in two lists matched by identity, by object: DeepDiff hands over
        items, and the indexes it links a moved item with differ between its versions."""
        lists = (id(old), id(new))
        if lists not in self.indexes:
            self.indexes[lists] = tuple(
                {id(item): index for index, item in enumerate(items)} for items in (old, new)
            )
        return self.indexes[lists]

    def same_item(self, old: Any, new: Any, level: DiffLevel) -> bool:
        """DeepDiff's ``iterable_compare_func``: whether two items are the same item (DeepDiff
        asks for every pair it tries, so the answer is one cached look-up per list)."""
        lists = (id(level.t1), id(level.t2))
        if lists not in self.matching:
            alignment = self.alignment(level.t1, level.t2)
            self.matching[lists] = (
                None
                if alignment.keys is None or alignment.positional
                else (alignment.pairs, *self.positions(level.t1, level.t2))
            )
        found = self.matching[lists]
        if found is None:
            raise CannotCompare  # DeepDiff's in-order pairing gives the alignment's pairs
        pairs, by_old, by_new = found
        return pairs.get(by_old[id(old)]) == by_new[id(new)]

    def step(self, level: DiffLevel) -> Step:
        """The path part and report order of the item below a list's level."""
        alignment, item = self.alignment(level.t1, level.t2), _down(level)
        if alignment.keys is not None:
            by_old, by_new = self.positions(level.t1, level.t2)
            return (
                alignment.new[by_new[id(item.t2)]]
                if item.t2 is not notpresent
                else alignment.old[by_old[id(item.t1)]]
            )
        if level.t2_child_rel is not None:  # paired in place: the same index on both sides
            return alignment.new[_param(level.t2_child_rel)]
        return alignment.old[_param(level.t1_child_rel)]

    def compare(self, old: Any, new: Any, where: Where) -> None:
        tree = DeepDiff(
            old,
            new,
            **_OPTIONS,
            iterable_compare_func=self.same_item,
            custom_operators=[self.operator],
        )
        lists, self.lists = self.lists, []
        done: set[tuple[int, int]] = set()  # a list's new order, a set: reported once
        for report, levels in tree.items():
            for level in levels:
                if report in _STATUS:
                    self.report(report, level, where)
                    continue
                parent = _up(level)  # the list (or set) whose item moved (or was added, ...)
                if (id(parent.t1), id(parent.t2)) not in done:
                    done.add((id(parent.t1), id(parent.t2)))
                    if report == "iterable_item_moved":
                        self.moved(parent, where)
                    else:  # a set's items (YAML's !!set): the set changed
                        self.report("values_changed", parent, where)
        for level in lists:
            self.sequence(level.t1, level.t2, self.locate(level, where))

    def locate(self, target: DiffLevel, where: Where) -> Where:
        """The path parts and report order of a level, from DeepDiff's chain of levels."""
        parts, order = list(where[0]), list(where[1])
        level = target.all_up
        while level is not target:
            if isinstance(level.t1, list) and isinstance(level.t2, list):
                part, step = self.step(level)
                if part is not None:
                    parts.append(part)
                order.append(step)
            else:
                key = _param(level.t1_child_rel or level.t2_child_rel)
                parts.append(key)
                order.append((str(key),))  # mapping keys sort by their text
            level = _down(level)
        return tuple(parts), tuple(order)

    def add(self, order: tuple[Order, ...], change: FieldChange) -> None:
        self.found.append((order, change))

    def report(self, report: str, level: DiffLevel, where: Where) -> None:
        parts, order = self.locate(level, where)
        old = None if level.t1 is notpresent else level.t1
        new = None if level.t2 is notpresent else level.t2
        within = (
            format_path(self.locate(_up(level), where)[0])
            if report.startswith("iterable_item_")
            else None
        )
        self.add(order, FieldChange(format_path(parts), _STATUS[report], old, new, within))

    def moved(self, level: DiffLevel, where: Where) -> None:
        order = self.alignment(level.t1, level.t2).reordered()
        if order is not None:
            parts, steps = self.locate(level, where)
            self.add((*steps, REORDERED), FieldChange(format_path(parts), "changed", *order))

    def sequence(self, old: list[Any], new: list[Any], where: Where) -> None:
        """The changes of a list aligned as a sequence (see :mod:`generator.diffalign`)."""
        alignment = self.alignment(old, new)
        paired = set(alignment.pairs.values())
        for i, item in enumerate(old):
            if i not in alignment.pairs:
                self.item(where, alignment.old[i], "removed", item, None)
        for j, item in enumerate(new):
            if j not in paired:
                self.item(where, alignment.new[j], "added", None, item)
        for i, j in alignment.pairs.items():
            if _same(old[i], new[j]):
                continue
            part, step = alignment.new[j]
            if part is None:  # a scalar replaced by a similar one
                self.add(
                    (*where[1], step), FieldChange(format_path(where[0]), "changed", old[i], new[j])
                )
            else:
                self.compare(old[i], new[j], ((*where[0], part), (*where[1], step)))

    def item(self, where: Where, step: Step, status: Status, old: Any, new: Any) -> None:
        """A list item added or removed (a scalar item on the list's own path)."""
        parts = where[0] if step[0] is None else (*where[0], step[0])
        self.add(
            (*where[1], step[1]),
            FieldChange(format_path(parts), status, old, new, format_path(where[0])),
        )


def _up(level: DiffLevel) -> DiffLevel:
    assert level.up is not None, "a list item's level has its list's above it"
    return level.up


def _down(level: DiffLevel) -> DiffLevel:
    assert level.down is not None, "levels above the reported one lead down to it"
    return level.down


def _param(link: ChildRelationship | None) -> Any:
    assert link is not None, "a level above the reported one links to its child"
    return link.param


def field_changes(old: Any, new: Any) -> tuple[FieldChange, ...]:
    """Every difference going from ``old`` to ``new``, in document order."""
    run = _Run()
    run.compare(old, new, ((), ()))
    return tuple(change for _, change in sorted(run.found, key=lambda found: found[0]))
