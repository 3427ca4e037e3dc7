"""The replication section's semantic checks (located errors), the cron period
arithmetic, and re-rendering when the spec changes (a fourth region, no section)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from generator.build import build
from generator.errors import MrgenError
from generator.loader import load_file
from generator.sections.replication import build as build_replication
from generator.sections.replication.cron import CronError, cadence, freshness_bound
from generator.sections.replication.model import Cadence
from tests.replication_helpers import (
    Doc,
    bucket_of,
    docs_under,
    example_data,
    kustomize,
    of_kind,
    render_to,
    write_spec,
)
from tests.spec_edit import add_region, rename_region


@pytest.mark.parametrize(
    ("schedule", "longest", "shortest"),
    [
        ("*/10 * * * *", 600, 600),
        ("* * * * *", 60, 60),
        ("0 * * * *", 3600, 3600),
        ("0,15 * * * *", 2700, 900),
        ("*/7 * * * *", 420, 240),  # ...49, 56, then 0 of the next hour
        ("5-10/5 */2 * * *", 6900, 300),  # 0:05, 0:10, 2:05, ...: gaps of 5 and 115 min
        ("30 */6 * * ?", 6 * 3600, 6 * 3600),
        ("0 0 * * *", 86400, 86400),
    ],
)
def test_cadence_of_daily_schedules(schedule: str, longest: int, shortest: int) -> None:
    assert cadence(schedule) == Cadence(longest, shortest)


@pytest.mark.parametrize(
    ("schedule", "says"),
    [
        ("0 0 1 * *", "day-of-month is '1'"),
        ("0 0 * * MON", "day-of-week is 'MON'"),
        ("61 * * * *", "outside 0-59"),
        ("0 24 * * *", "outside 0-23"),
        ("*/0 * * * *", "step 0"),
        ("10-5 * * * *", "runs backwards"),
        ("x * * * *", "is not a number"),
        ("* * * *", "has 4 fields"),
    ],
)
def test_schedules_mrgen_cannot_check_are_refused_with_the_reason(schedule: str, says: str) -> None:
    with pytest.raises(CronError, match=says):
        cadence(schedule)


def test_freshness_bound_adds_a_whole_run_when_runs_can_overlap() -> None:
    every_ten = Cadence(600, 600)
    assert freshness_bound(every_ten, 60, 480) == 600 + 540
    assert freshness_bound(every_ten, 60, 600) == 660 + 600 + 660


def _problems(tmp_path: Path, data: Doc) -> list[str]:
    path = write_spec(tmp_path, data)
    with pytest.raises(MrgenError) as caught:
        build(load_file(path), "spec/spec.yaml")
    lines = path.read_text().splitlines()
    found = []
    for problem in caught.value.diagnostics:
        assert problem.line > 0, problem  # located in the file
        found.append(f"{problem.path}: {problem.message} @ {lines[problem.line - 1].strip()}")
    return found


def _replication(data: Doc) -> Doc:
    section: Doc = data["replication"]
    return section


def test_period_plus_deadlines_over_the_slo_is_a_located_error(tmp_path: Path) -> None:
    data = example_data()
    _replication(data)["sync"]["schedule"] = "*/30 * * * *"
    (problem,) = _problems(tmp_path, data)
    assert problem.startswith(
        "replication.sync.schedule: '*/30 * * * *' cannot meet the freshness SLO of 30 min"
    )
    assert "2340 s" in problem and problem.endswith("@ schedule: '*/30 * * * *'")


def test_runs_that_can_overlap_count_twice_against_the_slo(tmp_path: Path) -> None:
    data = example_data()
    _replication(data)["sync"]["activeDeadlineSeconds"] = 900
    (problem,) = _problems(tmp_path, data)
    assert "concurrencyPolicy Forbid" in problem and "replication.sync.schedule" in problem


def test_bad_cron_project_and_image_are_all_reported_together(tmp_path: Path) -> None:
    data = example_data()
    _replication(data)["sync"]["schedule"] = "0 0 1 * *"
    _replication(data)["watcher"]["image"] = "registry.example.com/cache-invalidation:latest"
    found = _problems(tmp_path, data)
    assert any(p.startswith("replication.sync.schedule: day-of-month is '1'") for p in found)
    assert any(p.startswith("replication.watcher.image: ':latest'") for p in found)
    data = example_data()
    _replication(data)["project"] = "Fingerprint_Prod"
    _replication(data)["sync"]["schedule"] = "*/10 * * *"
    found = _problems(tmp_path / "schema", data)
    assert any(
        p.startswith("replication.project: 'Fingerprint_Prod' is not valid: GCP project")
        for p in found
    )
    assert any(
        p.startswith("replication.sync.schedule: '*/10 * * *' is not valid: Cron") for p in found
    )


def test_a_primary_region_name_too_long_for_the_cronjob_is_located(tmp_path: Path) -> None:
    data = example_data()
    old = data["regions"][0]["name"]
    new = "us-east-1-" + "x" * 33  # the workload name fits 63, <region>-model-sync does not
    rename_region(data, old, new)
    _replication(data)["serviceAccountPrefix"] = "fp"
    found = _problems(tmp_path, data)
    assert any(
        p.startswith(
            f"regions[0].name: derived model-sync CronJob name '{new}-model-sync'"
            f" is {len(new) + 11} characters; the limit is 52"
        )
        for p in found
    )


def test_replication_needs_gke_and_a_second_region(tmp_path: Path) -> None:
    data = example_data()
    data["regions"][1]["cluster"]["provider"] = "eks"
    data["mesh"]["istio"]["network"] = "perCluster"  # one flat network cannot span clouds
    data.pop("globalRouting", None)  # zonal NEG backends (GCLB) would also refuse EKS
    (problem,) = _problems(tmp_path, data)
    assert problem.startswith("regions[1].cluster.provider: replication uses GKE Workload")
    data = example_data()
    data["regions"] = [dict(data["regions"][0], weight=100, failover=[])]
    found = _problems(tmp_path / "one", data)
    assert any(p.startswith("replication: replication copies models") for p in found)


def test_model_env_set_by_the_user_clashes(tmp_path: Path) -> None:
    data = example_data()
    data["service"]["env"] = {"MODEL_BUCKET": "gs://elsewhere"}
    (problem,) = _problems(tmp_path, data)
    assert problem.startswith("service.env.MODEL_BUCKET: MODEL_BUCKET is set by mrgen")


def test_without_the_section_nothing_of_replication_is_rendered(tmp_path: Path) -> None:
    data = example_data()
    del data["replication"]
    files = docs_under(render_to(tmp_path, data))
    kinds = {d.get("kind") for docs in files.values() for d in docs}
    assert not kinds & {"CronJob", "StorageBucket", "IAMPolicyMember", "IAMServiceAccount"}
    assert not any("cache-invalidation" in p for p in files)
    # the GCLB still needs the Config Connector namespace and its context, nothing more
    assert sorted(p.rsplit("/", 1)[1] for p in files if "/platform/config-connector/" in p) == [
        "configconnectorcontext.yaml",
        "kustomization.yaml",
        "namespace.yaml",
    ]
    assert build_replication.replication(data, "ignored") is None


def _add_region(data: Doc) -> Doc:
    return add_region(
        copy.deepcopy(data),
        {
            "name": "sa-east-1",
            "role": "tertiary",
            "cluster": {"name": "sa-east-1", "provider": "gke"},
            "location": {"aws": "sa-east-1", "gcp": "southamerica-east1"},
            "replicas": {"min": 2, "max": 6},
            "weight": 10,
            "latencyTargetMs": 250,
        },
        {"us-east-1": 40, "eu-west-1": 30, "ap-southeast-1": 20, "sa-east-1": 10},
        origin="203.0.113.50",
        health_check_id="55555555-5555-5555-5555-555555555555",
        neg_zones=["southamerica-east1-a", "southamerica-east1-b"],
    )


def test_a_fourth_region_gets_its_bucket_iam_watcher_and_sync_destination(tmp_path: Path) -> None:
    data = _add_region(example_data())
    out = render_to(tmp_path, data)
    new, path = "sa-east-1", data["replication"]["path"].strip("/")
    bucket = bucket_of(data, new)
    platform = kustomize(out / "k8s" / "platform" / "config-connector")
    buckets = {
        b["spec"]["resourceID"]: b["spec"]["location"] for b in of_kind(platform, "StorageBucket")
    }
    assert buckets[bucket] == "southamerica-east1" and len(buckets) == 4
    members = [m["spec"].get("member", "") for m in of_kind(platform, "IAMPolicyMember")]
    namespace = data["service"]["namespace"]
    for ksa in (f"{new}-{data['service']['name']}", f"{new}-cache-invalidation"):
        assert sum(m.endswith(f"[{namespace}/{ksa}]") for m in members) == 1
    granted = [
        m
        for m in of_kind(platform, "IAMPolicyMember")
        if m["spec"]["resourceRef"]["name"] == bucket
    ]
    assert {g["spec"]["role"] for g in granted} == {
        "roles/storage.objectViewer",
        "roles/storage.objectAdmin",
    }
    overlay = kustomize(out / "k8s" / "overlays" / new)
    assert f"{new}-cache-invalidation" in {
        d["metadata"]["name"] for d in of_kind(overlay, "Deployment")
    }
    assert not of_kind(overlay, "CronJob")
    (cronjob,) = of_kind(kustomize(out / "k8s" / "overlays" / "us-east-1"), "CronJob")
    pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    destinations = [c["command"][4] for c in pod["containers"]]
    assert destinations.count(f"gs://{bucket}/{path}") == 1 and len(destinations) == 3


def test_a_single_watcher_has_no_pdb_and_no_leader_election(tmp_path: Path) -> None:
    data = example_data()
    _replication(data)["watcher"]["replicas"] = 1
    files = docs_under(render_to(tmp_path, data))
    docs = [d for docs in files.values() for d in docs]
    watcher = [d for d in docs if d.get("metadata", {}).get("name") == "cache-invalidation"]
    assert not of_kind(watcher, "PodDisruptionBudget")
    assert of_kind(docs, "PodDisruptionBudget")  # the API's is still there
    assert not of_kind(docs, "Role") and not of_kind(docs, "RoleBinding")
    (deployment,) = files["k8s/base/workload/cache-invalidation-deployment.yaml"]
    assert deployment["spec"]["replicas"] == 1
    env = {
        e["name"]: e.get("value")
        for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert env["LEADER_ELECTION"] == "false" and "LEADER_ELECTION_LEASE" not in env


def test_a_too_short_service_account_id_is_located(tmp_path: Path) -> None:
    data = example_data()
    _replication(data)["serviceAccountPrefix"] = "f"
    data["regions"][1]["name"] = "eu"
    data["regions"][0]["failover"] = ["eu", "ap-southeast-1"]
    data["regions"][2]["failover"] = ["us-east-1", "eu"]
    found = _problems(tmp_path, data)
    assert any(
        p.startswith(
            "replication.serviceAccountPrefix: derived Google service account "
            "id 'f-eu' is 4 characters; ids need at least 6"
        )
        for p in found
    )
