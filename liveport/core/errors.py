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
    # The same message in Chinese, for refusals a buyer reads; the error handler answers in
    # the caller's language when it exists, and in English otherwise.
    message_zh: str | None = None

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        message_zh: str | None = None,
    ) -> None:
        self.message = message or self.message
        if code:
            self.code = code
        if message_zh or message:
            # A custom English message must not pair with the class's generic Chinese one.
            self.message_zh = message_zh
        self.details = details or {}
        super().__init__(self.message)

    def message_in(self, lang: str) -> str:
        return self.message_zh if lang == "zh" and self.message_zh else self.message


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
