"""rolling-sync-steps: an ApplicationSet never updates every region in one step.

Without ``strategy.type: RollingSync`` the ApplicationSet controller updates every
Application it generates at once (AllAtOnce): a bad image or value reaches every region in
the same minute. With RollingSync, each generated Application belongs to the first step
whose ``matchExpressions`` select its labels, and a step waits for the previous one to be
Healthy. A step whose selector holds the Applications of every destination cluster is
AllAtOnce again, an Application that no step selects is never synced automatically, and one
that two steps select is reported by Argo CD as invalid. Only ApplicationSets that generate
Applications for two or more clusters are checked.

References:
- https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/Progressive-Syncs/
  ("If an Application is not selected in any step, it will be excluded from the rolling
  sync and needs to be manually synced")
- argoproj/argo-cd ``applicationset/progressivesync/progressive_sync.go``
  (``buildAppDependencyList``: step membership, duplicate selections)
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.seams import appset
from generator.seams.rule import Finding, SeamRule, at, listing
from generator.seams.selectors import matches
from generator.seams.tree import Obj, Tree, items, mapping, text


def _cluster(app: Obj) -> str:
    destination = mapping(app.spec.get("destination"))
    return text(destination.get("name")) or text(destination.get("server"))


def _check(tree: Tree) -> Iterator[Finding]:
    for owner in tree.of_kind("argoproj.io", "ApplicationSet"):
        apps = [app for _, app in appset.generate(tree, owner)]
        clusters = sorted({_cluster(a) for a in apps} - {""})
        if len(clusters) < 2:
            continue
        strategy = mapping(owner.spec.get("strategy"))
        if text(strategy.get("type")) != "RollingSync":
            yield at(
                owner,
                ("spec", "strategy") if strategy else ("spec", "generators"),
                f"the {len(apps)} Applications it generates ({listing(clusters)}) update "
                "at once: without a RollingSync strategy a bad change reaches every "
                "region in the same sync",
            )
            continue
        steps = [mapping(s) for s in items(mapping(strategy.get("rollingSync")).get("steps"))]
        members = [
            [
                a
                for a in apps
                if matches({"matchExpressions": items(s.get("matchExpressions"))}, a.labels)
            ]
            for s in steps
        ]
        for step, selected in enumerate(members):
            if len(steps) > 0 and sorted({_cluster(a) for a in selected}) == clusters:
                yield at(
                    owner,
                    ("spec", "strategy", "rollingSync", "steps", step),
                    f"step {step + 1} selects the Applications of every cluster "
                    f"({listing(clusters)}): they all update at once",
                )
            earlier = {a.name for m in members[:step] for a in m}
            twice = sorted(a.name for a in selected if a.name in earlier)
            if twice:
                yield at(
                    owner,
                    ("spec", "strategy", "rollingSync", "steps", step),
                    f"step {step + 1} selects {listing(twice)} again (an earlier step "
                    "already does): Argo CD reports the duplicate and keeps the first",
                )
        unselected = sorted(a.name for a in apps if not any(a in m for m in members))
        if unselected:
            yield at(
                owner,
                ("spec", "strategy", "rollingSync", "steps"),
                f"no step selects {listing(unselected)}: the ApplicationSet "
                "controller never syncs them",
            )


RULE = SeamRule(
    id="rolling-sync-steps",
    description="An ApplicationSet over several clusters rolls out with RollingSync steps, "
    "none of which holds every cluster, and every Application is in a step.",
    reference="https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/"
    "Progressive-Syncs/",
    run=_check,
)
