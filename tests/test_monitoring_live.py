"""End to end: one Prometheus per region plus a global one, on 127.0.0.1 with free ports,
running the rendered configs and rules (targets rewritten to loopback, intervals shortened).

Asserts that federated aggregates reach the global server labelled with their region, and
that RegionDown becomes active after one regional server is stopped. Every process this
test starts is stopped by PID in the fixture teardown, whatever happens.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml

from generator.build import build
from generator.loader import load_file
from generator.sections.monitoring.model import MONITORING
from generator.sections.monitoring.rules import num
from tests.conftest import EXAMPLE_SPEC, require_tool, run_cli

DEADLINE_SECONDS = 50
FAST = "1s"
T = TypeVar("T")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def exporter_handler(region: str, buckets: list[str]) -> type[BaseHTTPRequestHandler]:
    """Serves the service's metrics with the default names: counters grow with time."""
    started = time.monotonic()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            elapsed = time.monotonic() - started
            total = int(elapsed * 100) + 1
            lines = [
                "# TYPE http_requests_total counter",
                f'http_requests_total{{code="200",region_hint="{region}"}} {total}',
                "# TYPE http_request_duration_seconds histogram",
            ]
            lines += [f'http_request_duration_seconds_bucket{{le="{b}"}} {total}' for b in buckets]
            lines += [
                f'http_request_duration_seconds_bucket{{le="+Inf"}} {total}',
                f"http_request_duration_seconds_sum {total * 0.05}",
                f"http_request_duration_seconds_count {total}",
                f"model_sync_last_success_timestamp_seconds {int(time.time())}",
                "cache_replication_lag_seconds 1",
            ]
            body = ("\n".join(lines) + "\n").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


class Cluster:
    """The servers one test run started, and how to stop them."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.ports: dict[str, int] = {}
        self.exporters: list[ThreadingHTTPServer] = []

    def exporter(self, region: str, buckets: list[str]) -> int:
        server = ThreadingHTTPServer(("127.0.0.1", 0), exporter_handler(region, buckets))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.exporters.append(server)
        return int(server.server_address[1])

    def prometheus(self, name: str, binary: str, config: Path) -> None:
        port = free_port()
        data = self.workdir / f"data-{name}"
        data.mkdir()
        log = (self.workdir / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={data}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.workdir,
        )
        log.close()
        self.ports[name] = port

    def stop(self, name: str) -> None:
        process = self.processes[name]
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)
        for server in self.exporters:
            server.shutdown()
            server.server_close()

    def api(self, name: str, path: str, **params: str) -> Any:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        url = f"http://127.0.0.1:{self.ports[name]}/api/v1/{path}{query}"
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.loads(response.read())["data"]

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text()[-2000:]}" for p in sorted(self.workdir.glob("*.log"))
        )


def poll(what: str, probe: Callable[[], T | None], deadline: float, cluster: Cluster) -> T:
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError, KeyError):
            found = probe()
            if found:
                return found
        time.sleep(0.25)
    pytest.fail(f"timed out waiting for {what}\n{cluster.logs()}")


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    started = Cluster(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


def _fast(config: dict[str, Any]) -> None:
    config["global"]["scrape_interval"] = FAST
    config["global"]["evaluation_interval"] = FAST
    for job in config["scrape_configs"]:
        job["scrape_interval"] = FAST
        job["scrape_timeout"] = FAST


def test_federation_and_region_down_live(cluster: Cluster, tmp_path: Path) -> None:
    binary = require_tool("prometheus")
    deadline = time.monotonic() + DEADLINE_SECONDS
    out = tmp_path / "rendered"
    result = run_cli(["render", str(EXAMPLE_SPEC), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    # Same layout as rendered (rule_files stay relative), configs rewritten to loopback.
    shutil.copytree(out / "monitoring", tmp_path / "monitoring")
    prom = tmp_path / "monitoring/prometheus"
    board = json.loads(next((out / "monitoring/dashboards").glob("*.json")).read_text())
    assert board["panels"]
    regions = sorted(p.name[len("regional-") : -len(".yml")] for p in prom.glob("regional-*.yml"))
    assert len(regions) == 3
    spec = build(load_file(EXAMPLE_SPEC), "spec.yaml")
    mon = spec.get(MONITORING)
    assert mon is not None
    buckets = [num(b) for b in mon.buckets]
    assert "0.5" in buckets

    for region in regions:
        path = prom / f"regional-{region}.yml"
        config = yaml.safe_load(path.read_text())
        _fast(config)
        [job] = config["scrape_configs"]
        del job["dns_sd_configs"]
        job["static_configs"] = [{"targets": [f"127.0.0.1:{cluster.exporter(region, buckets)}"]}]
        path.write_text(yaml.safe_dump(config))
        cluster.prometheus(region, binary, path)

    path = prom / "global.yml"
    config = yaml.safe_load(path.read_text())
    _fast(config)
    federate = config["scrape_configs"][0]
    for group in federate["static_configs"]:
        group["targets"] = [f"127.0.0.1:{cluster.ports[group['labels']['region']]}"]
    path.write_text(yaml.safe_dump(config))
    cluster.prometheus("global", binary, path)

    def federated() -> set[str] | None:
        found = cluster.api(
            "global",
            "query",
            query='count by (region) (job:http_requests:rate5m{job="fingerprint-api"} > 0)',
        )
        seen = {r["metric"]["region"] for r in found["result"]}
        return seen if seen == set(regions) else None

    assert poll("federated request rates from every region", federated, deadline, cluster) == set(
        regions
    )
    pods = cluster.api("global", "query", query='job:up:sum{job="fingerprint-api"}')["result"]
    assert {r["metric"]["region"]: r["value"][1] for r in pods} == dict.fromkeys(regions, "1")
    raw = cluster.api("global", "query", query='{__name__="http_request_duration_seconds_bucket"}')[
        "result"
    ]
    assert raw == []  # only aggregates are federated

    victim = regions[0]
    cluster.stop(victim)

    def region_down() -> dict[str, Any] | None:
        for item in cluster.api("global", "alerts")["alerts"]:
            if (
                item["labels"].get("alertname") == "RegionDown"
                and item["labels"].get("region") == victim
                and item["state"] in ("pending", "firing")
            ):
                return dict(item)
        return None

    active = poll(f"RegionDown for {victim}", region_down, deadline, cluster)
    assert active["labels"]["severity"] == "critical"
    others = [
        a
        for a in cluster.api("global", "alerts")["alerts"]
        if a["labels"].get("alertname") == "RegionDown" and a["labels"].get("region") != victim
    ]
    assert others == []
