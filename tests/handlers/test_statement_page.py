"""GET /statement (DESIGN §10): the text the bot quotes, its version and an anchor per section; the
citations that link to it; and ticket cards that show what became of a request when reopened."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app import create_app
from bot.access.identity import sign_identity
from bot.cases.lifecycle import ActionRequest, apply_action
from bot.cases.tickets import get_ticket
from tests.factories import ChatDriver

SECRET = "portal-signing-secret"


@pytest.fixture
def web(make_services: Any, make_settings: Any) -> Iterator[TestClient]:
    services = make_services(make_settings(WIDGET_IDENTITY_SECRET=SECRET))
    with TestClient(create_app(services.settings, services=services)) as client:
        client.services = services  # type: ignore[attr-defined]
        yield client


def _text(html: str) -> str:
    inline = re.sub(r"</?a\b[^>]*>", "", html)  # a link is part of its sentence
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", inline)))


def test_the_statement_page_has_every_section_its_version_and_the_quoted_text(web: TestClient) -> None:
    page = web.get("/statement")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "'unsafe-inline'" not in csp and "style-src 'sha256-" in csp
    html = page.text
    statement = web.services.knowledge.statement  # type: ignore[attr-defined]
    assert f"Version {statement.version}" in html
    for number in ("intro", "1", "2", "3", "4", "5", "6", "7"):
        assert f'id="section-{number}"' in html
    assert '<a href="#section-4">' in html  # a table of contents
    text = _text(html)
    for passage in statement.passages:  # every sentence the bot can quote, word for word
        assert re.sub(r"\s+", " ", passage.text) in text, passage.text
    assert "<ul>" in html and html.count("<li>") > 8  # the statement's lists stay lists
    assert 'href="https://www.kone.com/en/contact.aspx"' in html


def test_citations_link_to_their_section(web: TestClient) -> None:
    body = ChatDriver(web).say("How long do you keep my data?")
    citation = body["citations"][0]
    assert citation["section"] == "4" and citation["url"] == "/statement#section-4"
    page = _text(web.get(citation["url"].split("#")[0]).text)
    for line in citation["quote"].splitlines():
        assert re.sub(r"\s+", " ", line) in page


def test_the_demo_footer_links_to_the_statement(web: TestClient) -> None:
    assert '<a href="/statement">Privacy statement</a>' in web.get("/").text


def test_a_reopened_conversation_shows_the_current_status_and_outcome(web: TestClient, clock: Any) -> None:
    email = "pat@example.com"
    chat = ChatDriver(web, identity={"email": email, "name": "Pat Example", "signature": sign_identity(email, SECRET)})
    chat.say("I want to talk to a person")
    chat.say("About my company's account admin.")
    chat.click("skip")
    filed = chat.click("yes")["ticket"]
    assert filed["status"] == "open" and filed["outcome"] == "" and filed["closed_on"] is None
    services = web.services  # type: ignore[attr-defined]
    with services.db.write() as session:
        ticket = get_ticket(session, filed["reference"])
        assert ticket is not None
        apply_action(session, ticket, ActionRequest("start"), actor="agent", now=clock())
        apply_action(session, ticket, ActionRequest("complete", note="We called you."), actor="agent", now=clock())
    turns = web.get(f"/api/chat/{chat.session_id}/history").json()["turns"]
    [card] = [t["reply"]["ticket"] for t in turns if t["reply"] and t["reply"]["ticket"]]
    assert card["reference"] == filed["reference"]
    assert card["status"] == "completed" and card["status_label"] == "completed"
    assert card["outcome"] == "We called you." and card["closed_on"] == clock().date().isoformat()


def test_the_statement_page_escapes_the_statement_and_links_only_web_addresses() -> None:
    from handlers.statement import render_statement
    from knowledge.statement import parse_statement

    text = (
        '---\ntitle: A <b>statement</b>\nversion: "2<i>"\n---\n\n## 1. Controller <img src=x onerror=alert(1)>\n\n'
        "See <script>alert(1)</script> and javascript:alert(1) and https://example.com/a?b=<c>.\n\n"
        "- an item with <em>markup</em>\n"
    )
    html, csp = render_statement(parse_statement(text))
    page = html.decode()
    assert "<script>" not in page and "<img" not in page and "<em>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;img src=x" in page
    assert 'href="javascript' not in page and 'href="https://example.com/a?b="' in page
    assert "script-src" not in csp and "default-src 'none'" in csp  # no script may run on it at all
