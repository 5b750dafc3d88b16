"""The widget's conversation over time in a real Chromium: unknown and expired sessions, per-tab
guests, and a server that is offline, failing or rate-limiting (each explained, with a retry)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.widget_page import LOW_CONTRAST, _bounded_assertions, ask, message_box, open_panel  # noqa: F401  (_bounded_assertions: the autouse fixture)

pytestmark = pytest.mark.browser


def test_unknown_session_starts_afresh(live: Callable[..., Any], page: Page) -> None:
    server = live()
    page.goto(server.url + "/")
    key = f"privacybot:{server.url}:guest"
    page.evaluate("([k]) => sessionStorage.setItem(k, 'no-such-session')", [key])
    page.reload()
    open_panel(page)
    expect(page.get_by_role("button", name="How long do you keep my data?")).to_be_visible()  # the welcome
    expect(page.get_by_role("alert")).to_have_count(0)
    assert page.evaluate("([k]) => sessionStorage.getItem(k)", [key]) is None
    ask(page, "hello")
    assert page.evaluate("([k]) => sessionStorage.getItem(k)", [key]) not in (None, "no-such-session")
    assert page.evaluate("([k]) => localStorage.getItem(k)", [key]) is None  # a guest's id stays in its tab


def test_a_guest_conversation_stays_in_its_tab_and_is_gone_after_the_idle_expiry(
    live: Callable[..., Any], page: Page, clock: Any
) -> None:
    server = live()
    page.goto(server.url + "/")
    open_panel(page)
    ask(page, "How long do you keep my data?")
    key = f"privacybot:{server.url}:guest"
    session_id = page.evaluate("([k]) => sessionStorage.getItem(k)", [key])
    assert session_id
    # Another tab of the same browser (the next person at a shared computer) starts afresh.
    other = page.context.new_page()
    other.goto(server.url + "/")
    open_panel(other)
    expect(other.get_by_role("button", name="How long do you keep my data?")).to_be_visible()
    expect(other.locator(".msg.user")).to_have_count(0)
    other.close()
    # The same tab restores it while it is live...
    page.reload()
    expect(page.locator(".msg.user")).to_contain_text(["How long do you keep my data?"])
    # ...and not once it has expired on the server: the widget forgets the id and starts afresh.
    clock.advance(minutes=31)
    page.reload()
    expect(page.get_by_role("dialog")).to_be_visible()  # the panel reopens itself in this tab
    expect(page.get_by_role("button", name="How long do you keep my data?")).to_be_visible()
    expect(page.locator(".msg.user")).to_have_count(0)
    expect(page.get_by_role("alert")).to_have_count(0)
    assert page.evaluate("([k]) => sessionStorage.getItem(k)", [key]) is None


# ---- when things go wrong --------------------------------------------------------------------
def test_offline_server_errors_and_rate_limits_are_explained_with_a_retry(
    live: Callable[..., Any], page: Page, make_settings: Any, artifacts: Path
) -> None:
    server = live(settings=make_settings(RATE_LIMIT="3/minute"))
    page.goto(server.url + "/")
    open_panel(page)
    alert = page.get_by_role("alert")

    # Offline: said plainly, then a retry once the connection is back.
    page.context.set_offline(True)
    expect(page.get_by_role("status").filter(has_text="You're offline")).to_be_visible()
    message_box(page).fill("How long do you keep my data?")
    message_box(page).press("Enter")
    expect(alert).to_contain_text("You're offline")
    page.context.set_offline(False)
    expect(page.get_by_role("status").filter(has_text="You're offline")).to_be_hidden()
    alert.get_by_role("button", name="Retry").click()
    expect(page.locator(".msg.bot").last.locator(".cite")).not_to_have_count(0)  # chat turn 1
    expect(alert).to_have_count(0)

    # The server is unavailable (held first, so the typing indicator can be seen), then recovers.
    held: list[Route] = []
    page.route("**/api/chat", lambda route: held.append(route))
    message_box(page).fill("What cookies does the portal use?")
    message_box(page).press("Enter")
    expect(page.locator(".typing")).to_be_visible()
    expect(page.get_by_role("button", name="Send")).to_be_disabled()
    _release(page, held, status=503, message="The privacy statement index is unavailable right now.")
    expect(alert).to_contain_text("The privacy statement index is unavailable right now.")
    expect(page.locator(".typing")).to_be_hidden()
    page.unroute("**/api/chat")
    alert.get_by_role("button", name="Retry").click()
    expect(page.locator(".msg.bot").last).to_contain_text("Section 5")  # chat turn 2

    # Rate limited: the server's words, and when to try again.
    ask(page, "Who is the controller?")  # chat turn 3
    message_box(page).fill("And who can see my data?")
    message_box(page).press("Enter")
    expect(alert).to_contain_text("You're sending messages very quickly")
    expect(alert).to_contain_text(re.compile(r"try again in \d+ s"))
    expect(alert.get_by_role("button", name="Retry")).to_be_disabled()
    assert page.evaluate(LOW_CONTRAST) == []
    page.screenshot(path=str(artifacts / "widget-desktop-rate-limited.png"), animations="disabled")
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def _release(page: Page, held: list[Route], *, status: int, message: str) -> None:
    """Answer the one held /api/chat request with an error of the API's shape."""
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)  # bounded: at most 5 s for the request to arrive
    assert held, "the chat request never reached the route"
    held.pop().fulfill(status=status, json={"error": {"code": "unavailable", "message": message}})
