"""The core section: ``service`` and ``regions``, the base every other section builds on
(the workload, its per-region overlays, and the kustomize layout)."""
