"""The hostile corpus in a real browser: typed into the widget, and planted in every field of a
ticket an agent opens in the console. Nothing executes; everything shows as text."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import expect

from bot.store.conversations import record_turn
from tests.browser.widget_page import ask, open_panel
from tests.handlers.console.conftest import add_agent, add_ticket

pytestmark = pytest.mark.browser
CORPUS = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "data" / "hostile_inputs.yaml").read_text(encoding="utf-8")
)
PAYLOADS = CORPUS["xss"] + CORPUS["injection"]
# Elements a payload could have created, and any element carrying an inline event handler.
INJECTED = """(root) => [...root.querySelectorAll('*')].filter((e) =>
  ['IFRAME', 'OBJECT', 'EMBED'].includes(e.tagName) || (e.tagName === 'IMG' && e.getAttribute('src') === 'x')
  || (e.tagName === 'SCRIPT' && !/\\/widget\\.js$/.test(e.getAttribute('src') || ''))
  || [...e.attributes].some((a) => a.name.startsWith('on') || /^\\s*javascript:/i.test(a.value))).length"""


def _guard(page: Any) -> list[str]:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    return dialogs


def test_every_payload_typed_into_the_widget_stays_text(live: Any, page: Any) -> None:
    server = live()
    dialogs = _guard(page)
    page.goto(f"{server.url}/")
    open_panel(page)
    for payload in PAYLOADS:
        ask(page, payload)
        expect(page.locator(".msg.user").last.locator("p")).to_have_text(re.sub(r"\s+", " ", payload).strip())
    assert dialogs == []
    assert page.evaluate(f"() => ({INJECTED})(document.querySelector('privacy-bot-widget').shadowRoot)") == 0
    assert page.evaluate(f"() => ({INJECTED})(document)") == 0
    assert page.evaluate("() => window.__xss") is None
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_every_payload_planted_in_a_ticket_stays_text_in_the_console(live: Any, make_services: Any, page: Any) -> None:
    services = make_services()
    add_agent(services, "agent@example.com", "agent-password-123")
    now = services.clock()
    with services.db.write() as session:
        for i, payload in enumerate(PAYLOADS):
            record_turn(
                session,
                session_id="hostile",
                role="user" if i % 2 else "bot",
                text=payload,
                payload={},
                at=now + timedelta(seconds=i),
            )
    reference = add_ticket(
        services, name=CORPUS["xss"][1], company=CORPUS["xss"][0], session_id="hostile", email="mallory@example.com"
    )
    server = live(services)
    dialogs = _guard(page)
    page.goto(f"{server.url}/console")
    page.get_by_label("E-mail").fill("agent@example.com")
    page.get_by_label("Password").fill("agent-password-123")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    page.goto(f"{server.url}/console/tickets/{reference}")
    expect(page.get_by_role("heading", name=reference)).to_be_visible()
    for payload in PAYLOADS[:5]:
        page.get_by_label("Add a note").fill(payload)
        page.get_by_role("button", name="Add note").click()
        expect(page.get_by_role("heading", name=reference)).to_be_visible()
    html = page.content()
    assert CORPUS["xss"][0] not in html and "<img src=x onerror=alert(1)>" not in html
    assert page.get_by_text(CORPUS["xss"][1], exact=True).first.is_visible()
    assert dialogs == []
    assert page.evaluate(f"() => ({INJECTED})(document)") == 0
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_the_detector_sees_injected_markup(page: Any) -> None:
    """The checks above can fail: the same detector counts markup that did get in."""
    page.set_content("<p>ok</p><img src=x onerror='1'><a href='javascript:void(0)'>x</a><script>var a=1</script>")
    assert page.evaluate(f"() => ({INJECTED})(document)") == 3
