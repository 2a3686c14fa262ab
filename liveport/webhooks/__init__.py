"""Webhooks for exhibitors: signed order events (paid, released, shipped, delivered,
returned) sent to endpoints each exhibitor registers, retried with back-off."""
