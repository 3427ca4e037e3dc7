"""Kubernetes label selectors, glob patterns, and which kinds are cluster-scoped.

References:
- label selectors: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
- API resource scope: ``kubectl api-resources --namespaced=false`` of Kubernetes 1.32, plus
  the cluster-scoped custom resources of the projects mrgen renders for.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

CLUSTER_SCOPED: frozenset[tuple[str, str]] = frozenset(
    {
        ("", "Namespace"),
        ("", "Node"),
        ("", "PersistentVolume"),
        ("", "ComponentStatus"),
        ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
        ("apiregistration.k8s.io", "APIService"),
        ("certificates.k8s.io", "CertificateSigningRequest"),
        ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
        ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
        ("networking.k8s.io", "IngressClass"),
        ("node.k8s.io", "RuntimeClass"),
        ("rbac.authorization.k8s.io", "ClusterRole"),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
        ("scheduling.k8s.io", "PriorityClass"),
        ("storage.k8s.io", "CSIDriver"),
        ("storage.k8s.io", "CSINode"),
        ("storage.k8s.io", "StorageClass"),
        ("storage.k8s.io", "VolumeAttachment"),
        ("gateway.networking.k8s.io", "GatewayClass"),
        ("cert-manager.io", "ClusterIssuer"),
        ("external-secrets.io", "ClusterSecretStore"),
        ("external-secrets.io", "ClusterExternalSecret"),
        ("core.cnrm.cloud.google.com", "ConfigConnector"),
    }
)


def cluster_scoped(group: str, kind: str, crd_scopes: Mapping[tuple[str, str], str]) -> bool:
    """Whether objects of ``group``/``kind`` have no namespace (CRDs in the tree win)."""
    scope = crd_scopes.get((group, kind))
    if scope is not None:
        return scope == "Cluster"
    return (group, kind) in CLUSTER_SCOPED


def matches(selector: Mapping[str, Any], labels: Mapping[str, Any]) -> bool:
    """A LabelSelector (``matchLabels`` and ``matchExpressions``) against labels."""
    for key, value in (selector.get("matchLabels") or {}).items():
        if str(labels.get(key)) != str(value) or key not in labels:
            return False
    for expression in selector.get("matchExpressions") or []:
        if not isinstance(expression, Mapping):
            return False
        key, operator = str(expression.get("key")), expression.get("operator")
        values = [str(v) for v in expression.get("values") or []]
        present = key in labels
        value = str(labels.get(key)) if present else None
        if operator == "In" and value not in values:
            return False
        if operator == "NotIn" and value in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def matches_map(selector: Mapping[str, Any], labels: Mapping[str, Any]) -> bool:
    """A plain map selector (Service ``spec.selector``): every pair present. Empty: none."""
    return bool(selector) and all(
        key in labels and str(labels[key]) == str(value) for key, value in selector.items()
    )


@cache
def _glob(pattern: str, separator: str) -> re.Pattern[str]:
    """A glob as Argo CD reads it (gobwas/glob): ``*`` stops at the separator when one is
    given, ``**`` does not, ``?``, ``[...]`` / ``[!...]`` and ``{a,b}`` work."""
    out, i = "", 0
    star = f"[^{re.escape(separator)}]*" if separator else ".*"
    one = f"[^{re.escape(separator)}]" if separator else "."
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**", i):
            out, i = out + ".*", i + 2
            continue
        if char == "*":
            out += star
        elif char == "?":
            out += one
        elif char == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                out += re.escape(char)
            else:
                body = pattern[i + 1 : end]
                out += "[" + ("^" + body[1:] if body.startswith("!") else body) + "]"
                i = end
        elif char == "{":
            end = pattern.find("}", i + 1)
            if end < 0:
                out += re.escape(char)
            else:
                out += "(?:" + "|".join(re.escape(p) for p in pattern[i + 1 : end].split(",")) + ")"
                i = end
        else:
            out += re.escape(char)
        i += 1
    return re.compile(out, re.DOTALL)


def glob(pattern: str, value: str, separator: str = "") -> bool:
    return pattern == "*" or _glob(pattern, separator).fullmatch(value) is not None
