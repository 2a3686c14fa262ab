"""Adapters of the live room's ports."""
