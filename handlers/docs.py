"""Interactive API docs (/docs, /redoc): only when API_DOCS enables them, never from a CDN.

Swagger UI and ReDoc come from the `fastapi-offline` package's static files (installed with the
project, so nothing is downloaded at run time), served under /api-docs/static. Each page gets a
Content-Security-Policy of its own, as strict as it can be while the page still renders: scripts
only from this origin plus the one inline start-up script Swagger UI needs (by its hash), the
inline styles both tools write, data: images, and ReDoc's blob: web worker.
"""

from __future__ import annotations

import base64
import hashlib
import re
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = "/api-docs/static"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
_BASE_CSP = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
)


def assets_dir() -> Path:
    """Where the installed package keeps swagger-ui-bundle.js, swagger-ui.css and redoc.standalone.js."""
    return Path(str(files("fastapi_offline") / "static"))


def _script_hashes(html: str) -> str:
    digests = [hashlib.sha256(body.encode()).digest() for body in _INLINE_SCRIPT.findall(html)]
    return " ".join(f"'sha256-{base64.b64encode(d).decode()}'" for d in digests)


def _page(html: str, *, workers: bool = False) -> HTMLResponse:
    script_src = f"script-src 'self' {_script_hashes(html)}".strip()
    worker_src = "; worker-src 'self' blob:" if workers else ""
    return HTMLResponse(html, headers={"Content-Security-Policy": f"{_BASE_CSP}; {script_src}{worker_src}"})


def install_api_docs(app: FastAPI) -> None:
    """Mount the assets and add GET /docs and GET /redoc (the app is built with both off)."""
    title = f"{app.title} — API"
    app.mount(STATIC, StaticFiles(directory=assets_dir()), name="api-docs-static")
    router = APIRouter(include_in_schema=False)

    @router.get("/docs")
    def swagger_ui() -> HTMLResponse:
        html = get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=title,
            swagger_js_url=f"{STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC}/favicon.png",
        )
        return _page(bytes(html.body).decode())

    @router.get("/redoc")
    def redoc() -> HTMLResponse:
        html = get_redoc_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=title,
            redoc_js_url=f"{STATIC}/redoc.standalone.js",
            redoc_favicon_url=f"{STATIC}/favicon.png",
            with_google_fonts=False,
        )
        return _page(bytes(html.body).decode(), workers=True)

    app.include_router(router)
