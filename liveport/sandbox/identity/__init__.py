"""Sandbox real-name verification service ("two-element check": name + resident ID number).

A stand-in for the outside provider. It imports nothing from Liveport and keeps its own
registry and its own ID-number rules, so its answers stay independent of the code they check.
"""
