"""A cap on request bodies that answers like every other error: 413 with {"error": {...}} JSON.

It sits inside the other middleware, so the refusal still carries a request id, CORS and the
security headers, and it is no error to log: a declared Content-Length over the cap is refused
before the body is read; a body sent in chunks is cut off when it passes the cap.
"""

from __future__ import annotations

import re

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from handlers.errors import error_response


class BodyLimit:
    """Refuse request bodies over `max_bytes`, or over the limit of the first `larger` path pattern
    that matches (the export uploads are the one place a large body is expected)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, larger: tuple[tuple[str, int], ...] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = tuple((re.compile(pattern), limit) for pattern, limit in larger)

    def _limit(self, path: str) -> int:
        return next((limit for pattern, limit in self.larger if pattern.fullmatch(path)), self.max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope.get("path", ""))
        message_text = f"The request body is over the {limit // 1024} KB limit."
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await error_response(413, "payload_too_large", message_text)(scope, receive, send)
            return
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised where the route reads its body; handlers.errors answers it as JSON.
                    raise HTTPException(413, message_text)
            return message

        await self.app(scope, receive_within_limit, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers") or ():
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
