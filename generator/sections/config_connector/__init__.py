"""The ``configConnector`` section: one Config Connector namespace model for every platform
layer that renders Config Connector objects (replication's buckets and IAM, the GCLB)."""
