"""The ``globalRouting`` section: the global edge (Route53 GeoDNS with health-checked failover,
and/or a GCP global external load balancer), and the traffic simulation over it."""
