"""scrape-once: each pod is scraped by at most one target on each monitoring path.

The Prometheus Operator turns a ServiceMonitor into one target per endpoint of every
Service its selector matches. Two Services over the same pods (a ClusterIP and a headless
metrics Service, say) make every pod two targets that differ only in their ``service``
label: request rates, ``up`` sums and pod counts double, and disagree with any other path.
Several monitors (or plain configuration jobs) selecting the same pods do the same. Each
path is checked on its own: all operator monitors together, and each Prometheus
configuration file.

References:
- https://prometheus-operator.dev/docs/developer/getting-started/#using-servicemonitors
- https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.ServiceMonitorSpec
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.seams import prom
from generator.seams.rule import Finding, SeamRule, listing
from generator.seams.tree import Tree


def _check(tree: Tree) -> Iterator[Finding]:
    paths: dict[str, list[prom.Scrape]] = {}
    for scrape in prom.scrapes(tree):
        if not scrape.probe:
            paths.setdefault("operator" if scrape.obj else scrape.document.file, []).append(scrape)
    for scrapes in paths.values():
        counted: dict[tuple[str, int], list[tuple[prom.Scrape, str, str]]] = {}
        for scrape in scrapes:
            for cluster in prom.clusters(tree, scrape):
                for target in prom.pod_targets(tree, scrape, cluster):
                    key = (target.workload.ref, target.port or 0)
                    counted.setdefault(key, []).append((scrape, target.via, cluster))
        for (workload, port), hits in sorted(counted.items()):
            per_cluster: dict[str, list[tuple[prom.Scrape, str]]] = {}
            for scrape, via, cluster in hits:
                per_cluster.setdefault(cluster, []).append((scrape, via))
            worst = max(per_cluster.values(), key=len)
            if len(worst) < 2:
                continue
            clusters = sorted(c for c, h in per_cluster.items() if len(h) > 1)
            vias: dict[str, list[str]] = {}
            for scrape, via in worst:
                vias.setdefault(scrape.origin, []).append(via)
            ways = listing(
                [
                    origin
                    + (
                        f" through Service{'s' if len(v) > 1 else ''} {listing(sorted(v))}"
                        if all(v)
                        else ""
                    )
                    for origin, v in sorted(vias.items())
                ]
            )
            first = worst[0][0]
            yield Finding(
                first.document,
                first.path,
                f"pods of {workload} (port {port}) are scraped {len(worst)} times, "
                f"by {ways}, in {listing(clusters)}: their series are counted "
                f"{len(worst)} times in every sum",
            )


RULE = SeamRule(
    id="scrape-once",
    description="Each pod is selected by at most one ServiceMonitor endpoint, PodMonitor or "
    "scrape job on each monitoring path.",
    reference="https://prometheus-operator.dev/docs/api-reference/api/"
    "#monitoring.coreos.com/v1.ServiceMonitorSpec",
    run=_check,
)
