"""The live room: the real-time plane (DESIGN.md §1, §7; ADR 0008)."""
