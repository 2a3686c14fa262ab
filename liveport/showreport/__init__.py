"""`liveport report`: the post-show report — an HTML page with PNG charts and CSV exports,
every figure from ``liveport.analytics.services.figures`` (docs/rehearsal.md)."""
