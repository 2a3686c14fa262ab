"""One error type for the whole application; each error carries a stable code.

HTTP status mapping lives in one place (``liveport.http_errors``); domain code raises these
without knowing about HTTP.
"""
from __future__ import annotations

from typing import Any


class AppError(Exception):
    code: str = "app_error"
    status: int = 400
    message: str = "The request could not be completed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or self.message
        if code:
            self.code = code
        self.details = details or {}
        super().__init__(self.message)


class ValidationFailed(AppError):
    code = "validation_error"
    status = 422
    message = "The request is not valid."


class NotFound(AppError):
    code = "not_found"
    status = 404
    message = "Not found."


class Conflict(AppError):
    code = "conflict"
    status = 409
    message = "The request conflicts with the current state."


class InvalidTransition(Conflict):
    code = "invalid_transition"
    message = "That change of state is not allowed."


class Unauthenticated(AppError):
    code = "unauthenticated"
    status = 401
    message = "Sign in first."


class Forbidden(AppError):
    code = "forbidden"
    status = 403
    message = "You may not do that."


class RateLimited(AppError):
    code = "rate_limited"
    status = 429
    message = "Too many requests; slow down."


class ConfigurationError(AppError):
    code = "configuration_error"
    status = 500
    message = "The server is not configured correctly."


class UpstreamError(AppError):
    code = "upstream_error"
    status = 502
    message = "An outside service did not answer correctly."
