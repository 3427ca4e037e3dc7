"""The guide's multi-region Grafana dashboard as Python data (dumped with dump_json).

It reads only the federated aggregates on the global Prometheus. Panel ids and grid
positions follow the fixed section order, so the JSON is identical on every render.
"""

from __future__ import annotations

from typing import Any

from generator.sections.monitoring import names
from generator.sections.monitoring import rules as mr
from generator.sections.monitoring.model import Monitoring
from generator.spec import Spec

WIDTH, HEIGHT, COLUMNS = 24, 8, 3
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
Panel = tuple[str, str, list[tuple[str, str]]]
"""(title, unit, [(expr, legend), ...])"""


def sections(mon: Monitoring, spec: Spec) -> list[tuple[str, list[Panel]]]:
    mon, rec, j = mon, names.recorded(mon), mr.job(mon, spec)
    requests = mr.selector(rec["requests"], j)
    errors = requests[:-1] + ',code=~"5.."}'
    ok = requests[:-1] + ',code!~"5.."}'
    buckets = mr.selector(rec["buckets"], j)

    def quantile(q: str, by: str) -> str:
        return f"histogram_quantile({q}, sum by ({by}) ({buckets}))"

    sli = f"{names.SLI_ERROR}"
    slo = mr.slo_names(mon, spec)["latency"]
    return [
        (
            "Global",
            [
                ("Total request rate", "reqps", [(f"sum({requests})", "all regions")]),
                (
                    "Global error rate (5xx)",
                    "percentunit",
                    [(f"sum({errors}) / sum({requests})", "all regions")],
                ),
                ("Global P99 latency", "s", [(quantile(mr.QUANTILE, "le"), "p99")]),
            ],
        ),
        (
            "Per region",
            [
                ("Requests per region", "reqps", [(f"sum by (region) ({requests})", "{{region}}")]),
                (
                    "Error rate per region (5xx)",
                    "percentunit",
                    [(f"sum by (region) ({errors}) / sum by (region) ({requests})", "{{region}}")],
                ),
                (
                    "Latency per region (P50/P95/P99)",
                    "s",
                    [
                        (quantile(q, "le, region"), f"{{{{region}}}} p{q[2:]}")
                        for q in ("0.5", "0.95", mr.QUANTILE)
                    ],
                ),
            ],
        ),
        (
            "Failover status",
            [
                (
                    "Healthy pods per region",
                    "short",
                    [(f"sum by (region) ({mr.selector(rec['up'], j)})", "{{region}}")],
                ),
                (
                    "Availability per region (non-5xx share)",
                    "percentunit",
                    [(f"sum by (region) ({ok}) / sum by (region) ({requests})", "{{region}}")],
                ),
                (
                    f"Cross-region P99 latency (SLO {mr.ms(mon.cross_region_latency)}ms)",
                    "s",
                    [(quantile(mr.QUANTILE, "le, region"), "{{region}}")],
                ),
            ],
        ),
        (
            "SLOs",
            [
                (
                    f"Latency SLO error ratio (budget {mr.num(mon.error_budget)})",
                    "percentunit",
                    [(mr.selector(f"{sli}{w}", {"slo": slo}), w) for w in ("5m", "1h", "6h", "3d")],
                ),
                (
                    f"Model sync age (SLO {mon.model_sync_max_age_seconds}s)",
                    "s",
                    [(f"time() - max by (region) ({rec['model_sync']})", "{{region}}")],
                ),
                (
                    f"Cache replication lag (SLO {mon.cache_lag_max_seconds}s)",
                    "s",
                    [(f"max by (region) ({rec['cache_lag']})", "{{region}}")],
                ),
            ],
        ),
    ]


def _panel(panel_id: int, panel: Panel, x: int, y: int) -> dict[str, Any]:
    title, unit, queries = panel
    return {
        "id": panel_id,
        "type": "timeseries",
        "title": title,
        "datasource": DATASOURCE,
        "gridPos": {"h": HEIGHT, "w": WIDTH // COLUMNS, "x": x, "y": y},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom"}},
        "targets": [
            {
                "refId": chr(ord("A") + i),
                "expr": expr,
                "legendFormat": legend,
                "datasource": DATASOURCE,
            }
            for i, (expr, legend) in enumerate(queries)
        ],
    }


def dashboard(mon: Monitoring, spec: Spec) -> dict[str, Any]:
    panels: list[dict[str, Any]] = []
    y = 0
    for title, row in sections(mon, spec):
        panels.append(
            {
                "id": len(panels) + 1,
                "type": "row",
                "title": title,
                "collapsed": False,
                "gridPos": {"h": 1, "w": WIDTH, "x": 0, "y": y},
                "panels": [],
            }
        )
        y += 1
        for index, panel in enumerate(row):
            x = (index % COLUMNS) * (WIDTH // COLUMNS)
            panels.append(_panel(len(panels) + 1, panel, x, y + (index // COLUMNS) * HEIGHT))
        y += HEIGHT * ((len(row) + COLUMNS - 1) // COLUMNS)
    return {
        "uid": names.dashboard_name(spec),
        "title": f"{spec.service.name}: multi-region",
        "tags": ["mrgen", "multi-region", spec.service.name],
        "timezone": "utc",
        "editable": False,
        "schemaVersion": 39,
        "version": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "annotations": {"list": []},
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "label": "Data source",
                    "type": "datasource",
                    "query": "prometheus",
                    "hide": 0,
                    "current": {},
                }
            ]
        },
        "panels": panels,
    }
