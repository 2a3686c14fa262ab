"""A daemon thread that runs ``step`` whenever woken or when the work it reported is due.

Started by the first ``wake`` (a mounted sub-app gets no lifespan of its own, so nothing
may rely on start-up), stopped by ``close``. ``step`` does all work due now and returns
when the next is due (epoch seconds) or None; an exception is logged and retried shortly,
so a bad row or a locked file never ends the thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger("liveport.sandbox.customs")
IDLE_S = 3600.0


class Pump:
    def __init__(self, name: str, step: Callable[[], float | None], join_timeout_s: float = 10.0) -> None:
        self.name = name
        self.step = step
        self.join_timeout_s = join_timeout_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def wake(self) -> None:
        with self._lock:
            if self._stop.is_set():
                return
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
        self._wake.set()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=self.join_timeout_s)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                upcoming = self.step()
            except Exception:  # the thread must outlive any one failure
                log.exception("%s failed; retrying", self.name)
                upcoming = time.time() + 1
            wait = IDLE_S if upcoming is None else max(0.0, upcoming - time.time())
            self._wake.wait(timeout=min(wait, IDLE_S))
