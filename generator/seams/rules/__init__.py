"""The registry: every seam rule, in the order they are documented (docs/seams.md).

A new rule is one module in this package with a ``RULE`` and one line here.
"""

from __future__ import annotations

from generator.seams.rule import Rule
from generator.seams.rules import (
    alert_input_produced,
    app_project_permits,
    cluster_declared,
    dns_name_served,
    health_check_served,
    kcc_namespace_context,
    locality_failover_multicluster,
    managed_cert_dns,
    neg_backed_by_service,
    paging_alert_runbook,
    pod_ranges_disjoint,
    rolling_sync_steps,
    scrape_once,
    scrape_reachable_mtls,
    wi_pool_matches,
)

RULES: tuple[Rule, ...] = (
    # traffic
    dns_name_served.RULE,
    health_check_served.RULE,
    locality_failover_multicluster.RULE,
    neg_backed_by_service.RULE,
    managed_cert_dns.RULE,
    # monitoring
    scrape_reachable_mtls.RULE,
    scrape_once.RULE,
    alert_input_produced.RULE,
    paging_alert_runbook.RULE,
    # delivery
    app_project_permits.RULE,
    rolling_sync_steps.RULE,
    kcc_namespace_context.RULE,
    # platform
    cluster_declared.RULE,
    wi_pool_matches.RULE,
    pod_ranges_disjoint.RULE,
)
