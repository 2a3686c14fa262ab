"""Analytics: the night's figures from the ledger and persisted events (issue 11)."""
