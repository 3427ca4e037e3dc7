"""The ``mesh`` section: Istio traffic objects (Gateway, VirtualService, DestinationRule,
PeerAuthentication) and the per-region hostnames."""
