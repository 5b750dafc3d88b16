"""One JSON error shape for every failure: {"error": {"code", "message"}}."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.errors import HelpdeskError, RateLimited

log = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str, **extra: object) -> JSONResponse:
    body: dict[str, object] = {"code": code, "message": message}
    body.update(extra)
    return JSONResponse({"error": body}, status_code=status)


def _describe(errors: list[dict]) -> str:
    parts = []
    for error in errors[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "The request is not valid JSON of the expected shape."


def register_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HelpdeskError)
    async def _helpdesk(request: Request, exc: HelpdeskError) -> JSONResponse:
        if isinstance(exc, RateLimited):
            # Also in the body: a cross-origin client may not be able to read headers.
            response = error_response(exc.status, exc.code, exc.message, retry_after=exc.retry_after)
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        response = error_response(exc.status, exc.code, exc.message)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()
        ]
        return error_response(422, "invalid_request", _describe(errors), details=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {
            404: "not_found",
            405: "method_not_allowed",
            413: "payload_too_large",
            401: "not_authenticated",
            403: "forbidden",
        }
        response = error_response(exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(500, "internal_error", "Something went wrong on our side. Please try again.")
