"""Strict validation of rendered Kubernetes documents (``mrgen validate --rendered``).

Modules, by concept: :mod:`.documents` finds documents and their positions,
:mod:`.core` validates core kinds (kubernetes-validate), :mod:`.crd` custom resources
(kubeconform-layout schema folders), :mod:`.metadata` names and labels,
:mod:`.kustomization` kustomization files, :mod:`.build` kustomize builds,
:mod:`.kubeconform` the hand-off to kubeconform, and :mod:`.check` ties them together.
"""

from __future__ import annotations

from generator.outcheck.build import KubectlMissing
from generator.outcheck.check import (
    DEFAULT_K8S_VERSION,
    EngineMissing,
    Options,
    Report,
    check_document,
    check_documents,
    check_tree,
    run,
)
from generator.outcheck.core import VersionError
from generator.outcheck.crd import ENV_VAR, SchemaDirError, check_dirs, dirs_from_env

USAGE_ERRORS = (EngineMissing, KubectlMissing, SchemaDirError, VersionError)
"""Problems with how the check was asked for (exit 2), not with the documents."""

__all__ = [
    "DEFAULT_K8S_VERSION",
    "ENV_VAR",
    "USAGE_ERRORS",
    "EngineMissing",
    "Options",
    "Report",
    "SchemaDirError",
    "check_dirs",
    "check_document",
    "check_documents",
    "check_tree",
    "dirs_from_env",
    "run",
]
