"""Which handlers want which event types. Pure data held by the process (``ctx.outbox``).

A handler has a unique name (deliveries are keyed by it, so renaming a handler makes a new
one) and one function; it may subscribe that function to several event types.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from liveport.core.outbox.domain import OutboxMessage, check_event_type, check_handler_name

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# Runs inside the transaction that marks its delivery done: database effects commit with
# the mark (exactly once); outside effects should carry ``message.idempotency_key``.
OutboxHandler = Callable[["Session", OutboxMessage], None]


class HandlerRegistry:
    def __init__(self) -> None:
        self._functions: dict[str, OutboxHandler] = {}
        self._by_type: dict[str, list[str]] = {}
        # Start-up hooks may register while a dispatcher thread is already reading.
        self._lock = threading.Lock()

    def register_handler(self, event_type: str, name: str, fn: OutboxHandler) -> None:
        check_event_type(event_type)
        check_handler_name(name)
        with self._lock:
            known = self._functions.get(name)
            if known is not None and known is not fn:
                raise ValueError(f"outbox handler name {name!r} is already taken by {known!r}")
            subscribers = self._by_type.setdefault(event_type, [])
            if name in subscribers:
                raise ValueError(
                    f"outbox handler {name!r} is already registered for {event_type!r}"
                )
            self._functions[name] = fn
            subscribers.append(name)

    def handlers_for(self, event_type: str) -> tuple[str, ...]:
        """Handler names for a type, in registration order (the order deliveries are made)."""
        with self._lock:
            return tuple(self._by_type.get(event_type, ()))

    def handler(self, name: str) -> OutboxHandler | None:
        with self._lock:
            return self._functions.get(name)

    def names(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._functions)

    def event_types(self) -> frozenset[str]:
        with self._lock:
            return frozenset(t for t, names in self._by_type.items() if names)
