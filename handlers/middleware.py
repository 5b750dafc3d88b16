"""HTTP hygiene for every response: request ids and access logs, security headers, CORS."""

from __future__ import annotations

import logging
import re
import secrets
import time

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.logs import request_id
from bot.settings import Settings

access_log = logging.getLogger("helpdesk.access")
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

DEFAULT_CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"


class SecurityHeaders:
    """nosniff, no framing, a strict default CSP (pages may set their own), HSTS behind https."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        personal = str(scope.get("path", "")).startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra = {
                    b"x-content-type-options": b"nosniff",
                    b"referrer-policy": b"same-origin",
                    b"x-frame-options": b"DENY",
                    b"content-security-policy": DEFAULT_CSP.encode(),
                    b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
                }
                if personal:  # chat replies, transcripts, the agent API: never kept by a browser or proxy
                    extra[b"cache-control"] = b"no-store"
                if self.https:
                    extra[b"strict-transport-security"] = b"max-age=31536000; includeSubDomains"
                headers += [(k, v) for k, v in extra.items() if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def route_template(scope: Scope) -> str:
    """The matched route's template ("/api/chat/{session_id}/history"), never the raw path: paths
    carry session ids and ticket references, query strings search terms such as an e-mail."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str) or not path:
        return "(unmatched)"
    return f"{path}/{{path}}" if isinstance(route, Mount) else path


class RequestContext:
    """A request id for every request (the caller's X-Request-ID if sane), echoed back and put on
    every log line; one access line per request with the method, the route template, the status
    and the duration — never the raw path, the query string nor the client address."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = offered if _VALID_REQUEST_ID.match(offered) else secrets.token_hex(8)
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = route_template(scope)
            access_log.info(
                "%s %s %s",
                scope.get("method"),
                route,
                status,
                extra={
                    "method": scope.get("method"),
                    "route": route,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            request_id.reset(token)


class InternalErrors:
    """Turn an unexpected exception into the standard 500 JSON *inside* CORS, so a cross-origin
    widget can read it (Starlette's own error middleware sits outside every other middleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            logging.getLogger("helpdesk.errors").exception(
                "unhandled error on %s %s", scope.get("method"), route_template(scope)
            )
            if started:
                raise
            body = (
                b'{"error":{"code":"internal_error","message":"Something went wrong on our side. Please try again."}}'
            )
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
                }
            )
            await send({"type": "http.response.body", "body": body})


def install_middleware(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(InternalErrors)  # innermost
    # Only the widget's declared origins may call the API from a browser; no cookies cross origins.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.WIDGET_ALLOWED_ORIGINS,
        allow_methods=["GET", "POST"],
        allow_headers=["content-type"],
        expose_headers=["Retry-After", "X-Request-ID"],  # the widget reads them cross-origin
        allow_credentials=False,
        max_age=600,
    )
    app.add_middleware(SecurityHeaders, https=settings.https)
    app.add_middleware(RequestContext)  # outermost: ids cover everything, errors included
