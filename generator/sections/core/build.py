"""Core defaults: the spec's ``service`` and ``regions`` -> :class:`Core`."""

from __future__ import annotations

from typing import Any

from generator.sections.core.model import ROLE_RANK, Core, Health, Region, Resources, Service

STARTUP_BUDGET_SECONDS = 300
TARGET_CPU_UTILIZATION = 70
MAX_UNAVAILABLE = 1


def resources(raw: dict[str, Any]) -> Resources:
    limits = raw.get("limits", {})
    return Resources(
        cpu_request=raw["requests"]["cpu"],
        memory_request=raw["requests"]["memory"],
        cpu_limit=limits.get("cpu"),
        memory_limit=limits.get("memory"),
    )


def service(raw: dict[str, Any]) -> Service:
    health = raw["health"]
    return Service(
        name=raw["name"],
        namespace=raw["namespace"],
        image=raw["image"],
        port=raw["port"],
        health=Health(
            liveness=health["liveness"],
            readiness=health["readiness"],
            startup=health.get("startup", health["liveness"]),
            startup_budget_seconds=health.get("startupBudgetSeconds", STARTUP_BUDGET_SECONDS),
        ),
        resources=resources(raw["resources"]),
        target_cpu_utilization=raw.get("autoscaling", {}).get(
            "targetCPUUtilization", TARGET_CPU_UTILIZATION
        ),
        max_unavailable=raw.get("maxUnavailable", MAX_UNAVAILABLE),
        env=tuple(sorted(raw.get("env", {}).items())),
    )


def _default_order(raw_regions: list[dict[str, Any]]) -> list[str]:
    ranked = sorted(enumerate(raw_regions), key=lambda ir: (ROLE_RANK[ir[1]["role"]], ir[0]))
    return [r["name"] for _, r in ranked]


def regions(raw_regions: list[dict[str, Any]]) -> tuple[Region, ...]:
    order = _default_order(raw_regions)
    built = []
    for index, raw in enumerate(raw_regions):
        written = tuple(raw.get("failover", []))
        listed = [n for n in dict.fromkeys(written) if n in order and n != raw["name"]]
        rest = [n for n in order if n != raw["name"] and n not in listed]
        built.append(
            Region(
                index=index,
                name=raw["name"],
                role=raw["role"],
                cluster=raw["cluster"]["name"],
                provider=raw["cluster"]["provider"],
                aws_location=raw["location"]["aws"],
                gcp_location=raw["location"]["gcp"],
                min_replicas=raw["replicas"]["min"],
                max_replicas=raw["replicas"]["max"],
                weight=raw["weight"],
                latency_target_ms=raw["latencyTargetMs"],
                failover=tuple(listed + rest),
                failover_listed=written,
            )
        )
    return tuple(built)


def core(raw: dict[str, Any]) -> Core:
    return Core(service=service(raw["service"]), regions=regions(raw["regions"]))
