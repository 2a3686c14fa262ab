"""The media plane (DESIGN.md §1, ADR 0009): stream keys, RTMP ingest (managed nginx-rtmp,
an external origin with the same callbacks, or the embedded PyAV fallback), HLS serving,
recordings and replay chapters."""
