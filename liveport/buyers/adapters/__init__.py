"""Adapters of the buyers domain's ports."""
