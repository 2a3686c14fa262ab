"""`liveport rehearse`: a crowd simulator that rehearses an expo night against a running
Liveport over HTTP and WebSockets, then checks the night's invariants (docs/rehearsal.md)."""
