"""The ``monitoring`` section: regional recording rules, federation, multi-region alerts and
SLO burn rates, promtool unit tests, and the Grafana dashboard."""
