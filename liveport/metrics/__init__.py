"""Operational metrics at ``/metrics`` (Prometheus text format): counters and latency
histograms from in-process instrumentation, gauges about orders, payments and declarations
from the database."""
