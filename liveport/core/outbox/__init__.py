"""The transactional outbox (DESIGN.md §2 core, §4): events leave a transaction only through here.

A service writes an event with ``add_event(session, type, payload)`` inside its own unit of
work, so the event commits or rolls back with the change. After commit, an
``OutboxDispatcher`` routes each new event to the handlers registered for its type (one
delivery row per handler) and runs each delivery in its own transaction, retrying with
back-off and parking it as a dead letter after ``max_attempts``. Other domains only
register handlers on ``ctx.outbox`` from a start-up hook. See docs/adr/0004-transactional-outbox.md.
"""
