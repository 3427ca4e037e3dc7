"""Replication and Workload Identity, checked on the rendered output of the example spec
(domain-notes section 9, checks 19, 44 and 45), after kustomize built each overlay."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest

from generator.sections.replication import names as naming
from tests.conftest import require_crd_schemas
from tests.replication_helpers import (
    Doc,
    bucket_of,
    docs_under,
    example_data,
    kustomize,
    of_kind,
    pod_specs,
    render_to,
)

WI = "iam.gke.io/gcp-service-account"
MEMBER = re.compile(
    r"serviceAccount:(?P<project>[a-z0-9-]+)\.svc\.id\.goog"
    r"\[(?P<namespace>[a-z0-9-]+)/(?P<ksa>[a-z0-9-]+)\]"
)


class Rendered:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = example_data()
        self.regions = [r["name"] for r in self.data["regions"]]
        self.primary = next(r["name"] for r in self.data["regions"] if r["role"] == "primary")
        self.files = docs_under(root)
        self.overlays = {name: kustomize(root / "k8s" / "overlays" / name) for name in self.regions}
        self.platform = kustomize(root / "k8s" / "platform" / "config-connector")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    return Rendered(render_to(tmp_path_factory.mktemp("replication"), example_data()))


def _cronjobs(out: Rendered) -> dict[str, list[Doc]]:
    return {region: of_kind(docs, "CronJob") for region, docs in out.overlays.items()}


def test_model_sync_cronjob_only_in_the_primary_overlay(out: Rendered) -> None:
    cronjobs = _cronjobs(out)
    assert len(cronjobs[out.primary]) == 1
    assert all(not jobs for region, jobs in cronjobs.items() if region != out.primary)
    files = [p for p, docs in out.files.items() if any(d.get("kind") == "CronJob" for d in docs)]
    assert files == [f"k8s/overlays/{out.primary}/workload/model-sync-cronjob.yaml"]


def test_cronjob_name_is_prefixed_and_fits_52(out: Rendered) -> None:
    name = _cronjobs(out)[out.primary][0]["metadata"]["name"]
    assert name.startswith(f"{out.primary}-")
    assert len(name) <= 52


def test_cronjob_pod_opts_out_of_sidecar_injection(out: Rendered) -> None:
    template = _cronjobs(out)[out.primary][0]["spec"]["jobTemplate"]["spec"]["template"]
    assert template["metadata"]["labels"]["sidecar.istio.io/inject"] == "false"
    assert template["metadata"]["annotations"]["sidecar.istio.io/inject"] == "false"


def test_cronjob_policy_and_deadlines_come_from_the_spec(out: Rendered) -> None:
    cronjob = _cronjobs(out)[out.primary][0]["spec"]
    sync = out.data["replication"]["sync"]
    job = cronjob["jobTemplate"]["spec"]
    pod = job["template"]["spec"]
    assert cronjob["concurrencyPolicy"] == "Forbid"
    assert cronjob["timeZone"] == "Etc/UTC"
    assert cronjob["schedule"] == sync["schedule"]
    assert cronjob["startingDeadlineSeconds"] == sync["startingDeadlineSeconds"]
    assert job["activeDeadlineSeconds"] == sync["activeDeadlineSeconds"]
    assert job["backoffLimit"] == sync["backoffLimit"]
    assert job["ttlSecondsAfterFinished"] == sync["ttlSecondsAfterFinished"]
    assert pod["restartPolicy"] == "Never"
    assert pod["securityContext"]["runAsNonRoot"] is True
    for container in pod["containers"]:
        assert container["image"] == sync["image"]
        assert not container["image"].endswith(":latest")
        assert container["resources"]["requests"] == sync["resources"]["requests"]
        assert container["securityContext"]["allowPrivilegeEscalation"] is False


def test_sync_copies_the_primary_bucket_to_each_other_bucket_exactly_once(out: Rendered) -> None:
    pod = _cronjobs(out)[out.primary][0]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    path = out.data["replication"]["path"].strip("/")
    source = f"gs://{bucket_of(out.data, out.primary)}/{path}"
    copies = []
    for container in pod["containers"]:
        command = container["command"]
        assert command[:3] == ["gcloud", "storage", "rsync"]
        urls = [a for a in command if a.startswith("gs://")]
        assert len(urls) == 2, command
        assert "--recursive" in command
        assert "--delete-unmatched-destination-objects" in command
        copies.append(tuple(urls))
    expected = sorted(
        (source, f"gs://{bucket_of(out.data, r)}/{path}") for r in out.regions if r != out.primary
    )
    assert sorted(copies) == expected


def test_watcher_runs_in_every_region_with_probes_and_metrics(out: Rendered) -> None:
    watcher = out.data["replication"]["watcher"]
    for region, docs in out.overlays.items():
        deployments = {d["metadata"]["name"]: d for d in of_kind(docs, "Deployment")}
        deployment = deployments[f"{region}-cache-invalidation"]
        assert deployment["spec"]["replicas"] == watcher["replicas"]
        pod = deployment["spec"]["template"]
        (container,) = pod["spec"]["containers"]
        assert container["image"] == watcher["image"]
        assert container["readinessProbe"]["httpGet"]["path"] == watcher["health"]["readiness"]
        assert container["livenessProbe"]["httpGet"]["path"] == watcher["health"]["liveness"]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports[container["livenessProbe"]["httpGet"]["port"]] == watcher["metricsPort"]
        assert container["resources"]["requests"] == watcher["resources"]["requests"]
        assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
        env = {e["name"]: e for e in container["env"]}
        assert env["MODEL_BUCKET"]["value"] == bucket_of(out.data, region)
        assert env["LEADER_ELECTION"]["value"] == ("true" if watcher["replicas"] > 1 else "false")
        # The watcher must never join the endpoints of the API's Services (API, metrics).
        services = of_kind(docs, "Service")
        assert services
        labels = pod["metadata"]["labels"]
        for service in services:
            assert not all(labels.get(k) == v for k, v in service["spec"]["selector"].items())


def test_watcher_pdb_and_leader_election_rbac_when_replicated(out: Rendered) -> None:
    assert out.data["replication"]["watcher"]["replicas"] > 1  # the example replicates it
    for region, docs in out.overlays.items():
        name = f"{region}-cache-invalidation"
        deployment = next(d for d in of_kind(docs, "Deployment") if d["metadata"]["name"] == name)
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        pdbs = [p for p in of_kind(docs, "PodDisruptionBudget") if p["metadata"]["name"] == name]
        assert len(pdbs) == 1
        selector = pdbs[0]["spec"]["selector"]["matchLabels"]
        assert all(pod_labels.get(k) == v for k, v in selector.items())
        (binding,) = of_kind(docs, "RoleBinding")
        assert (
            binding["subjects"][0]["name"]
            == deployment["spec"]["template"]["spec"]["serviceAccountName"]
        )
        roles = {r["metadata"]["name"] for r in of_kind(docs, "Role")}
        assert binding["roleRef"]["name"] in roles


def _all_text(out: Rendered) -> list[tuple[str, str]]:
    texts = [
        (p.relative_to(out.root).as_posix(), p.read_text())
        for p in sorted(out.root.rglob("*"))
        if p.is_file()
    ]
    texts += [(f"kustomize {r}", json.dumps(d)) for r, docs in out.overlays.items() for d in docs]
    return texts


def test_no_key_material_or_key_file_reference_anywhere(out: Rendered) -> None:
    for where, text in _all_text(out):
        for needle in (
            "key.json",
            "GOOGLE_APPLICATION_CREDENTIALS",
            "private_key",
            '"type": "service_account"',
            "type: service_account",
        ):
            assert needle not in text, f"{needle} in {where}"
    every = [d for docs in out.files.values() for d in docs]
    every += [d for docs in out.overlays.values() for d in docs] + out.platform
    assert not of_kind(every, "Secret")


def _service_accounts(docs: list[Doc]) -> dict[str, Doc]:
    return {d["metadata"]["name"]: d for d in of_kind(docs, "ServiceAccount")}


def _touches_gcs(pod: Doc) -> bool:
    text = json.dumps(pod["spec"]["containers"])
    return "gs://" in text or "MODEL_BUCKET" in text


def test_every_ksa_of_a_gcs_pod_carries_the_workload_identity_annotation(out: Rendered) -> None:
    project = out.data["replication"]["project"]
    checked = 0
    for docs in out.overlays.values():
        accounts = _service_accounts(docs)
        for obj, pod in pod_specs(docs):
            if not _touches_gcs(pod):
                continue
            name = pod["spec"]["serviceAccountName"]
            annotation = accounts[name]["metadata"].get("annotations", {}).get(WI, "")
            assert annotation.endswith(f"@{project}.iam.gserviceaccount.com"), obj["metadata"]
            checked += 1
    # API + watcher per region, plus the CronJob.
    assert checked == 2 * len(out.regions) + 1


def _policy_members(out: Rendered) -> list[Doc]:
    return of_kind(out.platform, "IAMPolicyMember")


def test_iam_members_use_the_rendered_prefixed_ksa_names(out: Rendered) -> None:
    project = out.data["replication"]["project"]
    namespace = out.data["service"]["namespace"]
    members = {}
    for policy in _policy_members(out):
        if policy["spec"]["role"] != "roles/iam.workloadIdentityUser":
            continue
        match = MEMBER.fullmatch(policy["spec"]["member"])
        assert match, policy["spec"]["member"]
        assert match["project"] == project
        members[(match["namespace"], match["ksa"])] = policy["spec"]["resourceRef"]["name"]
    annotated = {}
    for docs in out.overlays.values():
        for name, account in _service_accounts(docs).items():
            email = account["metadata"].get("annotations", {}).get(WI)
            if email:
                annotated[(account["metadata"]["namespace"], name)] = email.split("@")[0]
    assert annotated  # the WI annotation exists at all
    assert all(ns == namespace for ns, _ in annotated)
    # Every annotated KSA is bound to exactly the GSA it names, and nothing else is bound.
    assert members == annotated


def test_bucket_roles_are_least_privilege(out: Rendered) -> None:
    grants: dict[tuple[str, str], str] = {}
    for policy in _policy_members(out):
        ref = policy["spec"]["resourceRef"]
        if ref["kind"] == "StorageBucket":
            gsa = policy["spec"]["memberFrom"]["serviceAccountRef"]["name"]
            assert (ref["name"], gsa) not in grants
            grants[(ref["name"], gsa)] = policy["spec"]["role"]
    accounts = {
        d["metadata"]["name"]: d for d in of_kind(out.overlays[out.primary], "ServiceAccount")
    }
    sync_gsa = accounts[f"{out.primary}-model-sync"]["metadata"]["annotations"][WI].split("@")[0]
    for region in out.regions:
        bucket = bucket_of(out.data, region)
        api = _service_accounts(out.overlays[region])[f"{region}-{out.data['service']['name']}"]
        api_gsa = api["metadata"]["annotations"][WI].split("@")[0]
        assert grants.pop((bucket, api_gsa)) == "roles/storage.objectViewer"
        wanted = (
            "roles/storage.objectViewer" if region == out.primary else "roles/storage.objectAdmin"
        )
        assert grants.pop((bucket, sync_gsa)) == wanted
    assert grants == {}  # no other bucket grant (in particular no roles/storage.admin)


def test_storage_buckets_sit_in_the_spec_gcp_locations(out: Rendered) -> None:
    buckets = {b["spec"]["resourceID"]: b for b in of_kind(out.platform, "StorageBucket")}
    assert sorted(buckets) == sorted(bucket_of(out.data, r) for r in out.regions)
    for region in out.data["regions"]:
        spec = buckets[bucket_of(out.data, region["name"])]["spec"]
        assert spec["location"] == region["location"]["gcp"]
        assert spec["uniformBucketLevelAccess"] is True


def test_config_connector_objects_carry_project_and_namespace(out: Rendered) -> None:
    replication = out.data["replication"]
    cnrm = [
        d
        for d in out.platform
        if d["apiVersion"].split("/")[0].endswith(".cnrm.cloud.google.com")
        and not d["apiVersion"].startswith("core.cnrm")
    ]
    assert len(cnrm) >= 3 * len(out.regions)
    namespaces = {d["metadata"]["name"] for d in of_kind(out.platform, "Namespace")}
    for doc in cnrm:
        annotations = doc["metadata"]["annotations"]
        assert annotations["cnrm.cloud.google.com/project-id"] == replication["project"]
        assert doc["metadata"]["namespace"] in namespaces
    # Every reference between Config Connector objects resolves inside the render.
    names = {(d["kind"], d["metadata"]["name"]) for d in cnrm}
    for policy in _policy_members(out):
        ref = policy["spec"]["resourceRef"]
        assert (ref["kind"], ref["name"]) in names
        source = policy["spec"].get("memberFrom", {}).get("serviceAccountRef")
        if source:
            assert ("IAMServiceAccount", source["name"]) in names


def test_config_connector_objects_validate_against_the_upstream_schemas(out: Rendered) -> None:
    schemas = require_crd_schemas()
    checked = 0
    for doc in out.platform:
        group, _, version = doc["apiVersion"].rpartition("/")
        if not group.endswith(".cnrm.cloud.google.com"):
            continue
        schema_file = schemas / group / f"{doc['kind'].lower()}_{version}.json"
        assert schema_file.is_file(), f"no schema for {doc['kind']} {doc['apiVersion']}"
        schema: dict[str, Any] = json.loads(schema_file.read_text())
        validator = jsonschema.validators.validator_for(schema)(schema)
        errors = [
            f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(doc)
        ]
        assert not errors, (doc["kind"], doc["metadata"]["name"], errors)
        checked += 1
    assert checked == len(_policy_members(out)) + len(of_kind(out.platform, "StorageBucket")) + len(
        of_kind(out.platform, "IAMServiceAccount")
    ) + len(of_kind(out.platform, "ConfigConnectorContext"))


def test_replication_core_objects_pass_strict_kubernetes_validation(out: Rendered) -> None:
    names = {"model-sync", "cache-invalidation", naming.WATCHER_LEADER_ELECTION}
    checked = 0
    for region, docs in out.overlays.items():
        for doc in docs:
            base = doc["metadata"]["name"].removeprefix(f"{region}-")
            if doc["apiVersion"].startswith("security.istio.io/"):
                continue  # a custom resource: the CRD-schema tests check it
            if base in names or doc["kind"] == "ServiceAccount":
                kubernetes_validate.validate(doc, "1.31.0", strict=True)
                checked += 1
    namespaces = of_kind(out.platform, "Namespace")
    for doc in namespaces:
        kubernetes_validate.validate(doc, "1.31.0", strict=True)
    assert checked >= 5 * len(out.regions) + 2 and namespaces
