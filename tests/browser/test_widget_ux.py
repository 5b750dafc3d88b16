"""What a person sees in the widget: ticket cards per status, forgiving flows, citations that open
the statement, a phone with its on-screen keyboard, keyboard-only use and axe-core.

One live server for the module (tests use their own browser contexts, sessions and identities).
Screenshots for review land in test-output/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from bot.access.identity import sign_identity
from bot.cases.lifecycle import ActionRequest, apply_action
from bot.cases.tickets import get_ticket
from tests.browser.widget_page import IS_WIDGET_FOCUSED, LOW_CONTRAST, WIDGET_NAME, ask, message_box, open_panel
from tests.conftest import SCRUBBED_PREFIXES
from tests.factories import FakeClock, RecordingSender
from tests.live import LiveServer

pytestmark = pytest.mark.browser

WAIT_MS = 20_000
SECRET = "portal-signing-secret-for-tests"
LONG_DATE = re.compile(r"^\d{1,2} [A-Z][a-z]+ \d{4}$")


@pytest.fixture(autouse=True)
def _bounded_assertions() -> Iterator[None]:
    expect.set_options(timeout=WAIT_MS)
    yield
    expect.set_options(timeout=None)


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, shared_dirs: dict[str, Path], embeddings: Any, knowledge: Any
) -> Iterator[LiveServer]:
    """The app on a real port, once for this module, with a fake clock and recorded e-mail."""
    from app import build_services, create_app
    from bot.settings import Settings

    tmp = tmp_path_factory.mktemp("widget-ux")
    clock = FakeClock(datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    sender = RecordingSender()
    with pytest.MonkeyPatch.context() as env:
        for name in [n for n in os.environ if n.startswith(SCRUBBED_PREFIXES)]:
            env.delenv(name)
        settings = Settings(
            _env_file=None,
            DATABASE_URL=f"sqlite:///{tmp}/helpdesk.db",
            CHROMA_PATH=str(shared_dirs["chroma"]),
            CACHE_DIR=str(shared_dirs["cache"]),
            SECRET_KEY="test-secret-key-0123456789",
            RATE_LIMIT="1000/minute",
            OUTBOX_POLL_SECONDS=0.2,
            SCHEDULER_ENABLED=False,
            EXPORT_DIR=str(tmp / "exports"),
            WIDGET_IDENTITY_SECRET=SECRET,
        )
        services = build_services(
            settings, embeddings=embeddings, knowledge=knowledge, clock=clock, senders={"email": sender}
        )
    live = LiveServer(create_app(settings, services=services)).start()
    live.services, live.clock, live.sender = services, clock, sender  # type: ignore[attr-defined]
    yield live
    live.stop()
    services.outbox.stop()
    services.db.dispose()


def _identity(email: str) -> dict[str, str]:
    return {"email": email, "name": "Pat Example", "signature": sign_identity(email, SECRET)}


class Api:
    """POST /api/chat as a portal-signed-in person, keeping the session (to set the scene quickly)."""

    def __init__(self, server: LiveServer, email: str) -> None:
        self.url, self.identity, self.session_id = server.url, _identity(email), None

    def say(self, message: str = "", action: str | None = None) -> dict[str, Any]:
        body = {"session_id": self.session_id, "message": message, "action": action, "identity": self.identity}
        data = httpx.post(f"{self.url}/api/chat", json=body, timeout=30).json()
        self.session_id = data["session_id"]
        return data

    def file_handoff(self) -> str:
        self.say("I want to talk to a person")
        self.say("About my company's account admin.")
        self.say(action="skip")
        ticket = self.say(action="yes")["ticket"]
        assert ticket and ticket["status"] == "open"
        return str(ticket["reference"])


def _act(server: Any, reference: str, *actions: ActionRequest, actor: str = "agent") -> None:
    with server.services.db.write() as session:
        ticket = get_ticket(session, reference)
        assert ticket is not None
        for action in actions:
            apply_action(session, ticket, action, actor=actor, now=server.clock())


def _resume(page: Page, server: LiveServer, session_id: str) -> None:
    """Open the demo page in the state a reload leaves: this tab's conversation, panel open."""
    page.goto(server.url + "/")
    page.evaluate(
        "([k, o, id]) => { sessionStorage.setItem(k, id); sessionStorage.setItem(o, '1'); }",
        [f"privacybot:{server.url}:guest", f"privacybot:{server.url}:open", session_id],
    )
    page.reload()


# ---- 1. ticket cards -----------------------------------------------------------------------------
def test_ticket_cards_show_the_current_status_and_outcome_when_reopened(
    server: Any, page: Page, axe: Any, artifacts: Path
) -> None:
    api = Api(server, "cards@example.com")
    refs = []
    for _ in range(5):
        refs.append(api.file_handoff())
        server.clock.advance(minutes=1)  # received one after another: the newest is listed first
    _act(server, refs[1], ActionRequest("start"))
    _act(server, refs[2], ActionRequest("start"), ActionRequest("complete", note="We called you and fixed it."))
    _act(server, refs[3], ActionRequest("reject", reason="excessive"))
    _act(server, refs[4], ActionRequest("withdraw"), actor="requester")
    _resume(page, server, str(api.session_id))

    cards = page.locator(".ticket")
    expect(cards).to_have_count(5)  # the cards of earlier turns, as the tickets are now
    expect(cards.locator(".status")).to_have_text(["Open", "In progress", "Completed", "Rejected", "Withdrawn"])
    for status, card in zip(("open", "in_progress", "completed", "rejected", "withdrawn"), cards.all(), strict=True):
        expect(card).to_have_class(re.compile(f"st-{status}"))
    looks = cards.evaluate_all(
        """(cards) => cards.map((c) => {
             const pill = c.querySelector('.status'), head = c.querySelector('.ticket-head');
             const lines = pill.getBoundingClientRect().height / parseFloat(getComputedStyle(pill).lineHeight);
             return {head: getComputedStyle(head).backgroundColor, icon: head.querySelector('svg').innerHTML,
                     pillLines: Math.round(lines), pillWraps: getComputedStyle(pill).whiteSpace !== 'nowrap'};
           })"""
    )
    assert len({look["head"] for look in looks}) == 5, looks  # a colour per status: no green "rejected"
    assert len({look["icon"] for look in looks}) == 5  # an icon per status
    # "In progress" never breaks, nor "Complete/d" beside a long type on a narrow card.
    assert all(look["pillLines"] == 1 and not look["pillWraps"] for look in looks), looks
    expect(cards.nth(2).locator(".outcome")).to_contain_text("We called you and fixed it.")
    expect(cards.nth(3).locator(".outcome")).to_contain_text("excessive")
    expect(cards.nth(3).locator(".outcome")).to_contain_text("complaint")
    expect(cards.nth(0).locator(".outcome")).to_have_count(0)
    expect(cards.nth(0).locator(".row")).to_have_text([re.compile(f"Reference\\s*{refs[0]}"), "Due by10 April 2026"])
    expect(cards.nth(2).locator(".row").nth(1)).to_have_text("Closed10 March 2026")
    for text in page.locator(".ticket time").all_inner_texts():
        assert LONG_DATE.match(text), text  # one date format, the messages' own
    filed = page.locator(".msg.bot").filter(has=page.locator(".ticket")).first
    expect(filed).to_contain_text("10 April 2026")
    expect(filed.locator("p").first).not_to_contain_text("Status:")  # the card is not repeated above it
    expect(page.locator(".log")).not_to_contain_text("2026-04-10")
    expect(page.locator(".log")).not_to_contain_text("Request filed")
    assert page.evaluate(LOW_CONTRAST) == []
    axe(page, "the widget with a card per status")
    page.screenshot(path=str(artifacts / "widget-ux-ticket-cards.png"), full_page=False, animations="disabled")
    for status, card in zip(("open", "in_progress", "completed", "rejected", "withdrawn"), cards.all(), strict=True):
        card.screenshot(path=str(artifacts / f"widget-ux-card-{status}.png"), animations="disabled")

    # Asking for the status titles the card by what it is now, with the outcome.
    status = ask(page, "what's the status of my request?")
    expect(status.locator(".ticket .status")).to_have_text("Withdrawn")
    expect(status.locator(".ticket .outcome")).to_contain_text("You withdrew this request")
    expect(status).not_to_contain_text("I'll look up your requests")
    # A change made in this conversation updates the earlier card of the same request at once.
    ask(page, f"withdraw my request {refs[0]}")
    page.locator(".choices").get_by_role("button", name="Yes, withdraw it").click()
    expect(cards.first.locator(".status")).to_have_text("Withdrawn")
    expect(cards.first.locator(".outcome")).to_contain_text("You withdrew this request")
    assert not page.errors, page.errors  # type: ignore[attr-defined]


# ---- 2. forgiving flows --------------------------------------------------------------------------
def test_forgiving_flow_skip_chip_restart_and_hint(server: Any, page: Page, artifacts: Path) -> None:
    page.goto(server.url + "/")
    open_panel(page)
    start = ask(page, "I want to withdraw my consent")
    expect(start.locator(".cite blockquote")).to_have_class(re.compile("clamp"))  # the quote folds in a request
    name = ask(page, "withdrawing consent for marketing emails")
    expect(name).to_contain_text("full name")  # the option was understood from the sentence
    expect(page.locator(".log")).not_to_contain_text("Please pick one")
    company = ask(page, "Pat Example")
    expect(company).to_contain_text("Which company")
    expect(company).not_to_contain_text("'skip'")
    skip = page.locator(".choices").get_by_role("button", name="Skip", exact=True)
    expect(skip).to_be_visible()
    replies = page.locator(".msg.bot")
    before = replies.count()
    skip.click()
    expect(replies).to_have_count(before + 1)
    expect(page.locator(".msg.user").last).to_have_text(re.compile("Skip"))
    field = page.get_by_role("textbox", name="Your e-mail address")
    expect(field).to_be_visible()

    # A hint under the input takes room; the question it is about stays in view.
    field.fill("pat@")
    field.press("Enter")
    expect(page.locator("#pb-hint")).to_contain_text("doesn't look like an e-mail address")
    page.wait_for_timeout(100)  # one frame for the resize to settle
    in_view = replies.last.evaluate(
        """(m) => { const s = m.closest('.scroller').getBoundingClientRect(), r = m.getBoundingClientRect();
                    return r.bottom <= s.bottom + 1 && r.bottom > s.top; }"""
    )
    assert in_view, "the e-mail question scrolled out of view after the hint"

    # Restart sits apart from close and asks before discarding the half-filled request.
    restart = page.get_by_role("button", name="Start a new conversation")
    close = page.get_by_role("button", name="Close chat")
    gap = close.bounding_box()["x"] - (restart.bounding_box()["x"] + restart.bounding_box()["width"])  # type: ignore[index]
    assert gap >= 12, gap
    users = page.locator(".msg.user").count()
    restart.click()
    keep = page.get_by_role("button", name="Keep going")
    expect(keep).to_be_focused()
    expect(page.get_by_role("group", name=re.compile("Start a new conversation"))).to_be_visible()
    page.screenshot(path=str(artifacts / "widget-ux-restart-confirm.png"), animations="disabled")
    keep.click()
    expect(keep).to_be_hidden()
    expect(page.locator(".msg.user")).to_have_count(users)  # nothing was thrown away
    restart.click()
    page.get_by_role("button", name="Start over").click()
    expect(page.locator(".msg.user")).to_have_count(0)
    expect(page.get_by_role("button", name="How long do you keep my data?")).to_be_visible()
    # Outside a request there is nothing to lose: restart does not ask.
    ask(page, "hello")
    restart.click()
    expect(page.locator(".msg.user")).to_have_count(0)
    expect(page.get_by_role("button", name="Keep going")).to_be_hidden()
    # What the first message already says is noted, not asked again.
    fix = ask(page, "my phone number is wrong, it should be +358 40 123 4567")
    expect(fix).to_contain_text("Mobile phone number")
    expect(fix).to_contain_text("+358 40 123 4567")
    expect(fix).to_contain_text("What is wrong at the moment?")
    expect(fix).not_to_contain_text("What needs correcting?")
    assert not page.errors, page.errors  # type: ignore[attr-defined]


# ---- 3. answers people can follow ----------------------------------------------------------------
def test_citations_open_their_section_of_the_statement_and_lists_stay_lists(
    server: Any, page: Page, axe: Any, artifacts: Path
) -> None:
    page.goto(server.url + "/")
    expect(page.get_by_role("link", name="Privacy statement")).to_have_attribute("href", "/statement")
    open_panel(page)
    answer = ask(page, "Which rights do I have?")
    card = answer.locator(".cite").first
    expect(card.locator("blockquote li").first).to_be_visible()  # the statement's list, as a list
    assert card.locator("blockquote li").count() >= 2
    link = card.get_by_role("link", name=re.compile(r"Read section \d in the privacy statement"))
    href = link.get_attribute("href") or ""
    assert re.fullmatch(re.escape(server.url) + r"/statement#section-\d", href), href
    section = href.rsplit("-", 1)[1]
    first_item = card.locator("blockquote li").first.inner_text()
    with page.context.expect_page() as opened:
        link.click()
    statement = opened.value
    statement.wait_for_load_state()
    target = statement.locator(f"#section-{section}")
    expect(target).to_be_in_viewport()
    expect(target).to_contain_text(first_item)  # the text the bot quotes
    expect(statement.locator("body")).to_contain_text(re.compile(r"Version \d"))
    axe(statement, "the statement page")
    statement.screenshot(path=str(artifacts / "statement-page.png"), animations="disabled")
    statement.close()
    assert not page.errors, page.errors  # type: ignore[attr-defined]


# ---- 4. phone ------------------------------------------------------------------------------------
def test_phone_locks_the_page_and_stays_on_the_latest_message(server: Any, browser: Any, artifacts: Path) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    try:
        page = context.new_page()
        page.goto(server.url + "/")
        page.get_by_role("button", name=WIDGET_NAME).tap()
        expect(page.get_by_role("dialog")).to_be_visible()
        overflow = page.evaluate(
            "() => [document.documentElement, document.body].map((el) => getComputedStyle(el).overflow)"
        )
        assert overflow == ["hidden", "hidden"]  # nothing scrolls behind the open panel
        page.mouse.wheel(0, 800)
        page.wait_for_timeout(200)
        assert page.evaluate("() => window.scrollY") == 0
        for question in ("How long do you keep my data?", "What cookies does the portal use?", "hello"):
            ask(page, question)
        last = page.locator(".msg.bot").last  # a short greeting, at the very end of a long log
        # The on-screen keyboard takes the lower part of the screen: the panel fits what is left and
        # the latest message stays in view.
        message_box(page).focus()
        page.set_viewport_size({"width": 390, "height": 480})
        page.wait_for_timeout(300)
        panel_box = page.get_by_role("dialog").bounding_box()
        assert panel_box and panel_box["height"] <= 481, panel_box
        at_end = page.evaluate(
            """() => { const s = document.querySelector('privacy-bot-widget').shadowRoot.querySelector('.scroller');
                       return s.scrollHeight - s.scrollTop - s.clientHeight; }"""
        )
        assert at_end < 4, at_end
        expect(last).to_be_in_viewport()
        expect(message_box(page)).to_be_in_viewport()
        page.screenshot(path=str(artifacts / "widget-ux-phone-keyboard.png"), animations="disabled")
        css = page.evaluate(
            "() => [...document.querySelector('privacy-bot-widget').shadowRoot.adoptedStyleSheets]"
            ".map((s) => [...s.cssRules].map((r) => r.cssText).join(' ')).join(' ')"
        )
        assert "safe-area-inset-bottom" in css and "safe-area-inset-top" in css  # notches and home bars
        page.set_viewport_size({"width": 390, "height": 844})
        page.get_by_role("button", name="Close chat").tap()
        assert page.evaluate("() => getComputedStyle(document.documentElement).overflow") != "hidden"
    finally:
        context.close()


# ---- 5. keyboard and screen readers --------------------------------------------------------------
def test_keyboard_loop_one_name_and_no_axe_violations(server: Any, page: Page, axe: Any) -> None:
    page.goto(server.url + "/")
    launcher = page.get_by_role("button", name=WIDGET_NAME)
    launcher.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name=WIDGET_NAME)
    expect(dialog).to_be_visible()
    assert launcher.inner_text().strip() == dialog.get_by_role("heading").inner_text().strip()  # one name
    page.keyboard.type("please delete my data")
    page.keyboard.press("Enter")
    expect(page.locator(".choices .chip")).to_have_count(3)
    expect(message_box(page)).to_be_focused()
    focused = "() => { const el = document.activeElement.shadowRoot.activeElement; return el.id || el.className; }"
    seen: list[str] = []
    for _ in range(40):  # forward only: from the input round the panel and back to it
        page.keyboard.press("Tab")
        assert page.evaluate(IS_WIDGET_FOCUSED, "*"), f"focus left the open panel after {seen}"
        seen.append(page.evaluate(focused))
        if seen[-1] == "pb-text":
            break
    joined = " | ".join(seen)
    assert seen[-1] == "pb-text", joined  # a loop while open
    assert "close" in joined and "restart" in joined and "chip" in joined, joined
    headers = "() => document.querySelector('privacy-bot-widget').shadowRoot.querySelectorAll('header').length"
    assert page.evaluate(headers) == 0  # no second banner landmark
    axe(page, "the open widget in a request")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
