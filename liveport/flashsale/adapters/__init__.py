"""Gate adapters: in-process with a durable journal, and Redis."""
