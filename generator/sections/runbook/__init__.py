"""The operator runbook (``docs/runbook.md``), rendered from every section's model."""
