"""Every response carries the security headers; HSTS only when served over https."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app import create_app


def test_headers_on_api_and_errors(client: Any) -> None:
    for response in (
        client.post("/api/chat", json={"message": "hi"}),
        client.get("/no-such-page"),
        client.post("/api/chat", content="{bad", headers={"content-type": "application/json"}),
    ):
        headers = response.headers
        assert headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in headers
        assert headers["x-request-id"]


def test_hsts_behind_https(make_services: Any, make_settings: Any) -> None:
    services = make_services(make_settings(PUBLIC_URL="https://privacy.example.com"))
    with TestClient(create_app(services.settings, services=services)) as client:
        assert "max-age=" in client.get("/healthz").headers["strict-transport-security"]


def test_cors_only_for_allowed_origins(client: Any) -> None:
    allowed = client.options(
        "/api/chat",
        headers={
            "Origin": "http://127.0.0.1:8000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert allowed.headers.get("access-control-allow-origin") == "http://127.0.0.1:8000"
    denied = client.options(
        "/api/chat", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in denied.headers
    simple = client.post("/api/chat", json={"message": "hi"}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


def test_an_unexpected_error_is_json_and_readable_cross_origin(client: Any) -> None:
    def broken(inbound: Any) -> Any:
        raise RuntimeError("boom")

    client.services.engine.handle = broken
    response = client.post("/api/chat", json={"message": "hi"}, headers={"Origin": "http://127.0.0.1:8000"})
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error" and "boom" not in response.text
    assert response.headers["access-control-allow-origin"] == "http://127.0.0.1:8000"
    assert response.headers["x-content-type-options"] == "nosniff"
