"""Flash sales (DESIGN.md §4): drops, the burst-proof gate, reservation expiry.

The gate decides every claim atomically and in O(1) without a SQL row lock: in-process
(``adapters/memory_gate.py``, durable through a group-commit journal) or in Redis
(``adapters/redis_gate.py``, one Lua script per claim, reconciled into the database).
"""
