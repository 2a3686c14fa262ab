"""Why a rehearsal could not run (as opposed to an invariant failing, which is its result)."""
from __future__ import annotations

from liveport.core.errors import AppError


class RehearsalRefused(AppError):
    code = "rehearsal_refused"
    status = 400
    message = "The rehearsal cannot run against that server."


class ServerAnsweredBadly(AppError):
    code = "rehearsal_server_error"
    status = 502
    message = "The server answered a set-up step unexpectedly."
