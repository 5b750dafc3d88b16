"""Issue 12 finding 9: /docs and /redoc only when API_DOCS allows, served without a CDN, with a CSP that fits."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app import create_app


def _client(make_services: Any, make_settings: Any, **settings: Any) -> TestClient:
    services = make_services(make_settings(**settings))
    return TestClient(create_app(services.settings, services=services))


def test_docs_are_served_from_the_package_with_their_own_csp(make_services: Any, make_settings: Any) -> None:
    with _client(make_services, make_settings, API_DOCS=True) as client:
        docs = client.get("/docs")
        assert docs.status_code == 200 and "cdn" not in docs.text.lower()
        assert "/api-docs/static/swagger-ui-bundle.js" in docs.text
        csp = docs.headers["content-security-policy"]
        assert "script-src 'self' 'sha256-" in csp and "'unsafe-inline'" not in csp.split("script-src")[1]
        assert "frame-ancestors 'none'" in csp
        redoc = client.get("/redoc")
        assert redoc.status_code == 200 and "fonts.googleapis" not in redoc.text
        assert "worker-src 'self' blob:" in redoc.headers["content-security-policy"]
        bundle = client.get("/api-docs/static/swagger-ui-bundle.js")
        assert bundle.status_code == 200 and "javascript" in bundle.headers["content-type"]
        assert client.get("/api-docs/static/redoc.standalone.js").status_code == 200
        assert client.get("/openapi.json").status_code == 200


def test_docs_are_off_when_the_setting_says_so(make_services: Any, make_settings: Any) -> None:
    with _client(make_services, make_settings, API_DOCS=False) as client:
        for path in ("/docs", "/redoc", "/api-docs/static/swagger-ui-bundle.js", "/docs/oauth2-redirect"):
            assert client.get(path).status_code == 404, path
        assert client.get("/openapi.json").status_code == 200  # the contract itself stays published
