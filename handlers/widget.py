"""The web widget channel's files: GET /widget.js for any host page, GET / the demo portal page."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request, Response

router = APIRouter(include_in_schema=False)

HERE = Path(__file__).resolve().parent
WIDGET_PATH = HERE / "static" / "widget.js"
DEMO_PATH = HERE / "templates" / "demo.html"
JS_TYPE = "text/javascript; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
# Host pages embed the stable URL /widget.js, so a release must reach them soon: a short
# freshness lifetime, then a cheap revalidation against the ETag.
WIDGET_CACHE = "public, max-age=300, stale-while-revalidate=3600"


@dataclass(frozen=True)
class Asset:
    """A file served as-is: its bytes, a gzip copy and a strong ETag."""

    body: bytes
    gzipped: bytes
    etag: str


def _asset(path: Path) -> Asset:
    body = path.read_bytes()
    return Asset(body, gzip.compress(body, mtime=0), '"' + hashlib.sha256(body).hexdigest()[:32] + '"')


@cache
def widget_asset() -> Asset:
    """widget.js, read once per process."""
    return _asset(WIDGET_PATH)


@cache
def demo_page() -> tuple[bytes, str]:
    """The demo page and its Content-Security-Policy (its one inline <style> allowed by hash)."""
    html = DEMO_PATH.read_text(encoding="utf-8")
    styles = re.findall(r"<style>(.*?)</style>", html, flags=re.DOTALL)
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in styles)
    csp = "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            f"style-src 'self' {hashes}".strip(),
            "img-src 'self' data:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
            "object-src 'none'",
        ]
    )
    return html.encode("utf-8"), csp


def _serve(
    asset: Asset, request: Request, *, media_type: str, cache_control: str, extra: dict[str, str] | None = None
) -> Response:
    headers = {"Cache-Control": cache_control, "ETag": asset.etag, "Vary": "Accept-Encoding", **(extra or {})}
    if asset.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    body = asset.body
    if "gzip" in request.headers.get("accept-encoding", ""):
        body, headers["Content-Encoding"] = asset.gzipped, "gzip"
    return Response(body, media_type=media_type, headers=headers)


@router.api_route("/widget.js", methods=["GET", "HEAD"])
async def widget_js(request: Request) -> Response:
    """The embeddable widget; any site may load it (the API behind it is what CORS limits)."""
    return _serve(
        widget_asset(),
        request,
        media_type=JS_TYPE,
        cache_control=WIDGET_CACHE,
        extra={"Cross-Origin-Resource-Policy": "cross-origin"},
    )


@router.api_route("/", methods=["GET", "HEAD"])
async def demo(request: Request) -> Response:
    """A myKONE-style portal page embedding the widget with one script tag (what `make run` opens)."""
    body, csp = demo_page()
    # Our own CSP header: SecurityHeaders only fills in the default when a page sets none.
    return Response(body, media_type=HTML_TYPE, headers={"Cache-Control": "no-cache", "Content-Security-Policy": csp})
