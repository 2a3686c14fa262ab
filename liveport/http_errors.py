"""The one place where errors become HTTP responses with the shared JSON shape."""
from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from liveport.core.errors import AppError
from liveport.web.i18n import LANG_COOKIE, supported, from_accept_language

log = logging.getLogger("liveport.http")

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _plain_errors(errors: list[Any]) -> list[dict[str, Any]]:
    plain = []
    for err in errors:
        plain.append(
            {
                "loc": [str(part) for part in err.get("loc", ())],
                "msg": str(err.get("msg", "")),
                "type": str(err.get("type", "")),
            }
        )
    return plain


def request_language(request: Request) -> str:
    """The language a refusal is written in: the page switch's cookie, then the browser's
    Accept-Language; English for API clients that say nothing."""
    return (supported(request.cookies.get(LANG_COOKIE))
            or from_accept_language(request.headers.get("accept-language")) or "en")


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    if exc.status >= 500:
        log.error("server error %s: %s", exc.code, exc.message)
    headers = {}
    if exc.code == "rate_limited" and "retry_after_s" in exc.details:
        headers["Retry-After"] = str(exc.details["retry_after_s"])
    message = exc.message_in(request_language(request))
    return JSONResponse(error_body(exc.code, message, exc.details), exc.status, headers=headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(
        error_body("validation_error", "The request is not valid.", {"errors": _plain_errors(list(exc.errors()))}),
        422,
    )


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return JSONResponse(error_body(code, message), exc.status_code, headers=exc.headers)


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return JSONResponse(error_body("internal_error", "Something went wrong on our side."), 500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
