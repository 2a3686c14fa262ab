"""Adapters of the payments port: the e-CNY operator and the card acquirer over HTTP."""
