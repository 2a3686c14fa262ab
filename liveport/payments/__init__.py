"""Payments: the provider port (e-CNY operator, card acquirer), its HTTP adapters, and — once
orders exist — notification handling, the settlement ledger and reconciliation."""
