"""The ``replication`` section: model sync from the primary, the cache-invalidation watcher,
and Workload Identity (Kubernetes and Google service accounts, Config Connector objects)."""
