"""Measurements behind the decisions in docs/adr/ (run by `liveport bench …`)."""
