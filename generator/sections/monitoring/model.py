"""The monitoring model: the spec's ``monitoring`` section with the guide's defaults."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from generator.spec import Maybe


@dataclass(frozen=True)
class MetricNames:
    requests: str
    duration: str
    model_sync_timestamp: str
    cache_replication_lag: str
    probe_success: str


@dataclass(frozen=True)
class Monitoring:
    """The spec's monitoring section with the guide's defaults filled in.

    Latencies are exact decimals in seconds (0.1, not 0.1000000000000000055...) so rule
    expressions, bucket boundaries and generated tests agree digit for digit."""

    namespace: str
    job: str
    metrics_path: str
    metrics: MetricNames
    blackbox_job: str
    blackbox_instance: str
    buckets: tuple[Decimal, ...]
    """Histogram upper bounds in seconds, sorted."""
    slo_objective: Decimal
    """Percent, e.g. 99.5."""
    latency_threshold: Decimal
    """Seconds."""
    model_sync_max_age_seconds: int
    cache_lag_max_seconds: int
    failover_seconds: int
    cross_region_latency: Decimal
    """Seconds."""
    region_down_for: str
    scrape_interval: str
    evaluation_interval: str
    federation_template: str
    federation_targets: tuple[tuple[str, str], ...]
    """Per-region host:port overrides, sorted by region."""
    rule_selector: tuple[tuple[str, str], ...]
    dashboard_label: tuple[tuple[str, str], ...]

    @property
    def error_budget(self) -> Decimal:
        """The SLO's error budget as a ratio: 99.5 -> 0.005."""
        return (Decimal(100) - self.slo_objective) / Decimal(100)


MONITORING: Maybe[Monitoring] = Maybe("monitoring")
