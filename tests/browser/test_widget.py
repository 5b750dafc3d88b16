"""The embeddable widget in a real Chromium, against the live app on loopback.

Every wait is bounded by Playwright's timeouts (set below); nothing asserts how long anything took.
Screenshots for review land in test-output/.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from bot.access.identity import sign_identity
from tests.browser.widget_page import (  # noqa: F401  (_bounded_assertions: the autouse fixture)
    IS_WIDGET_FOCUSED,
    LOW_CONTRAST,
    WIDGET_NAME,
    _bounded_assertions,
    ask,
    click_choice,
    message_box,
    open_panel,
    shadow_count,
    watch_console,
)
from tests.smtp import free_port

pytestmark = pytest.mark.browser

PAYLOAD = (
    "The cookie preference centre shows the badge <img src=x onerror=\"window.__xss='passage';alert('passage')\"> "
    "and the caption <script>window.__xss='passage-script';alert('script')</script> to every visitor."
)
USER_PAYLOAD = "<img src=x onerror=\"window.__xss='user';alert('user')\"><script>window.__xss='user-script'</script> hi"
# Every visible piece of text in the widget against its effective background (WCAG 1.4.3: 4.5:1).


class HostSite:
    """Another site on loopback (so another origin) whose pages embed the widget from the app."""

    def __init__(self) -> None:
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.files: dict[str, tuple[str, bytes]] = {}
        files = self.files

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                found = files.get(self.path.split("?")[0])
                if found is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", found[0])
                self.send_header("Content-Length", str(len(found[1])))
                self.end_headers()
                self.wfile.write(found[1])

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, name="host-site", daemon=True)

    def add(self, path: str, body: str, content_type: str = "text/html; charset=utf-8") -> str:
        self.files[path] = (content_type, body.encode())
        return self.origin + path

    def portal(self, widget_src: str, *, attributes: str = "", extra: str = "") -> str:
        """A plain host page without any CSP: if the widget ever parsed text as HTML, it would run here."""
        return self.add(
            "/portal.html",
            (
                "<!doctype html><html lang=en><head><meta charset=utf-8><title>Another portal</title></head>"
                f"<body><h1>Another portal</h1><p>Content of the host page.</p>{extra}"
                f'<script src="{widget_src}" {attributes} async></script></body></html>'
            ),
        )

    def start(self) -> HostSite:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def host_site() -> Iterator[HostSite]:
    site = HostSite().start()
    yield site
    site.stop()


# ---- the conversation ------------------------------------------------------------------------
def test_demo_page_question_shows_the_passage_and_its_section(
    live: Callable[..., Any], page: Page, artifacts: Path
) -> None:
    server = live()
    console = watch_console(page)
    page.goto(server.url + "/")
    expect(page.get_by_role("heading", name="Good morning, Erin")).to_be_visible()
    open_panel(page)
    expect(message_box(page)).to_be_focused()
    expect(page.locator(".msg.bot").first).to_contain_text("myKONE privacy assistant")

    answer = ask(page, "How long do you keep my data?")
    card = answer.locator(".cite").first
    expect(card.locator("figcaption")).to_have_text(re.compile(r"Section 4 – Sources of personal data and retention"))
    expect(card.locator("blockquote")).to_contain_text("stored as long as needed for the purposes")
    expect(answer).not_to_contain_text("— Section 4")  # the attribution line became the card's caption
    expect(page.locator(".msg.user").last).to_have_text(re.compile("How long do you keep my data\\?"))
    expect(page.locator(".typing")).to_be_hidden()
    assert page.evaluate(LOW_CONTRAST) == []
    page.screenshot(path=str(artifacts / "widget-desktop-answer.png"), animations="disabled")

    # A long passage starts folded and unfolds on request.
    long_answer = ask(page, "What personal data is collected about me?")
    toggle = long_answer.get_by_role("button", name="Show full passage").first
    quote = long_answer.locator(".cite blockquote").first
    expect(quote).to_have_class(re.compile("clamp"))
    toggle.click()
    expect(long_answer.get_by_role("button", name="Show less").first).to_have_attribute("aria-expanded", "true")
    expect(quote).not_to_have_class(re.compile("clamp"))

    # Links in the statement are real links, opened safely.
    contact = ask(page, "How can I contact KONE about my personal data?")
    # (The direct answer and the quotation both carry it: every copy is a safe link.)
    link = contact.locator(".cite").get_by_role("link", name="https://www.kone.com/en/contact.aspx")
    expect(contact.get_by_role("link", name="https://www.kone.com/en/contact.aspx").first).to_be_visible()
    expect(link).to_have_attribute("href", "https://www.kone.com/en/contact.aspx")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(link).to_have_attribute("target", "_blank")
    assert not page.errors, page.errors  # type: ignore[attr-defined]
    assert not [e for e in console if "Content Security Policy" in e], console


def test_deletion_request_with_an_emailed_code_then_reload_restores_it(
    live: Callable[..., Any], page: Page, smtp_server: Any, make_services: Any, make_settings: Any, artifacts: Path
) -> None:
    server = live(make_services(make_settings(**smtp_server.settings), senders=None))  # real SMTP to loopback
    email = "erin.example@example.com"
    page.goto(server.url + "/")
    open_panel(page)

    start = ask(page, "Please delete my personal data")
    expect(start.locator(".cite figcaption")).to_contain_text("Section 3")
    expect(page.locator(".choices").get_by_role("button", name="Cancel")).to_be_visible()
    expect(click_choice(page, "My account and all my personal data")).to_contain_text("full name")
    expect(page.locator(".msg.user").last).to_have_text(re.compile("My account and all my personal data"))
    expect(ask(page, "Erin Example")).to_contain_text("company")
    expect(ask(page, "Acme Towers Ltd")).to_contain_text("e-mail address")

    field = page.get_by_role("textbox", name="Your e-mail address")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("type", "email")
    users = page.locator(".msg.user").count()
    field.fill("erin@")
    field.press("Enter")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#pb-hint")).to_contain_text("doesn't look like an e-mail address")
    assert page.evaluate(LOW_CONTRAST) == []
    assert page.locator(".msg.user").count() == users  # nothing was sent

    expect(ask(page, email)).to_contain_text("6-digit code")
    code_field = page.get_by_role("textbox", name="6-digit code from the e-mail")
    expect(code_field).to_be_focused()
    expect(code_field).to_have_attribute("inputmode", "numeric")
    code = smtp_server.inbox.code_for(email)
    confirm = ask(page, code)
    expect(page.locator(".msg.user").last).to_have_text(re.compile("••••••"))  # the code is never displayed
    expect(confirm.locator("li")).to_contain_text(["Erin Example", "Acme Towers Ltd", email], use_inner_text=True)
    expect(page.locator(".chip.primary")).to_have_text("Yes, file it")
    assert page.evaluate(LOW_CONTRAST) == []

    filed = click_choice(page, "Yes, file it")
    card = filed.locator(".ticket")
    expect(card.locator(".ticket-head")).to_contain_text("Deletion (erasure)")
    reference = card.locator(".mono").inner_text()
    assert re.fullmatch(r"PRV-[A-Z0-9]{4}-[A-Z0-9]{4}", reference), reference
    expect(card.locator(".row")).to_have_text(
        [re.compile(f"Reference\\s*{reference}"), re.compile("Due by\\s*10 April 2026")]
    )
    expect(filed).to_contain_text("10 April 2026")  # the message and the card read dates alike
    expect(card.locator(".status")).to_have_text("Open")
    expect(card.locator("time")).to_have_attribute("datetime", "2026-04-10")
    assert smtp_server.inbox.wait_for(email, subject_contains=reference)
    assert page.evaluate(LOW_CONTRAST) == []
    page.screenshot(path=str(artifacts / "widget-desktop-ticket.png"), animations="disabled")

    page.reload()
    restored = page.locator(".ticket")
    expect(restored).to_contain_text(reference)  # the panel reopened and the history came back
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.locator(".msg.user")).to_contain_text(
        ["Please delete my personal data", "My account and all my personal data", "Erin Example", "••••••"]
    )
    assert code not in page.locator(".log").inner_text()
    expect(page.locator(".choices")).to_be_hidden()  # the filed request expects nothing more
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_keyboard_only(live: Callable[..., Any], page: Page, artifacts: Path) -> None:
    server = live()
    page.goto(server.url + "/")
    for _ in range(60):  # Tab through the host page's links to the launcher
        page.keyboard.press("Tab")
        if page.evaluate(IS_WIDGET_FOCUSED, ".launcher"):
            break
    else:
        pytest.fail("the launcher is not reachable with Tab")
    launcher = page.get_by_role("button", name=WIDGET_NAME)
    assert launcher.evaluate("(el) => getComputedStyle(el).outlineStyle") == "solid"  # visible focus
    expect(launcher).to_have_attribute("aria-expanded", "false")

    page.keyboard.press("Enter")
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(message_box(page)).to_be_focused()
    page.keyboard.type("please delete my data")
    page.keyboard.press("Enter")
    expect(page.locator(".choices .chip")).to_have_count(3)

    page.keyboard.press("Shift+Tab")
    assert page.evaluate(IS_WIDGET_FOCUSED, ".chip.ghost")  # "Cancel", right above the input
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("button", name="Only specific data")).to_be_focused()
    page.screenshot(path=str(artifacts / "widget-desktop-keyboard.png"), animations="disabled")
    page.keyboard.press("Enter")
    expect(page.locator(".msg.bot").last).to_contain_text("Which data should be deleted?")
    expect(message_box(page)).to_be_focused()  # focus goes back to where typing continues
    page.keyboard.type("The phone number in my service history")
    page.keyboard.press("Enter")
    expect(page.locator(".msg.bot").last).to_contain_text("full name")

    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    assert page.evaluate(IS_WIDGET_FOCUSED, ".launcher")  # focus returns to the launcher
    page.keyboard.press("Enter")
    expect(message_box(page)).to_be_focused()
    expect(page.locator(".msg.user")).to_have_count(3)  # the conversation is still there
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_mobile_viewport_uses_a_full_screen_panel(live: Callable[..., Any], browser: Any, artifacts: Path) -> None:
    server = live()
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    try:
        page = context.new_page()
        page.goto(server.url + "/")
        launcher = page.get_by_role("button", name=WIDGET_NAME)
        expect(launcher).to_be_visible()
        page.screenshot(path=str(artifacts / "widget-mobile-closed.png"), animations="disabled")
        launcher.tap()
        panel = page.get_by_role("dialog")
        expect(panel).to_be_visible()
        assert panel.bounding_box() == {"x": 0, "y": 0, "width": 390, "height": 844}
        expect(launcher).to_be_hidden()  # under the panel, out of the way
        answer = ask(page, "What cookies does the portal use?")
        expect(answer.locator(".cite").first).to_contain_text("Section 5")
        page.screenshot(path=str(artifacts / "widget-mobile-answer.png"), animations="disabled")
        page.get_by_role("button", name="Close chat").tap()
        expect(panel).to_be_hidden()
        expect(launcher).to_be_visible()
    finally:
        context.close()


# ---- safety ----------------------------------------------------------------------------------
@pytest.fixture
def planted_knowledge(embeddings: Any, tmp_path: Path) -> Any:
    """The statement with a passage that carries markup, ingested into its own Chroma store."""
    from knowledge.service import KnowledgeBase
    from knowledge.statement import STATEMENT_PATH

    anchor = "KONE uses cookies that are stored for certain limited time period"
    text = STATEMENT_PATH.read_text(encoding="utf-8")
    assert anchor in text
    statement = tmp_path / "statement.md"
    statement.write_text(text.replace(anchor, f"{PAYLOAD}\n\n{anchor}"), encoding="utf-8")
    knowledge = KnowledgeBase(
        embeddings=embeddings,
        chroma_path=str(tmp_path / "chroma"),
        statement_path=statement,
        hints_path=None,
        rerank=False,  # a planted passage, not the ranking, is under test
    )
    knowledge.prepare()
    return knowledge


def test_markup_in_messages_and_passages_is_shown_as_text(
    live: Callable[..., Any],
    page: Page,
    host_site: HostSite,
    make_services: Any,
    make_settings: Any,
    planted_knowledge: Any,
) -> None:
    settings = make_settings(WIDGET_ALLOWED_ORIGINS=host_site.origin)
    server = live(make_services(settings, knowledge=planted_knowledge))
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    # A host page on another origin, with no CSP to fall back on: only the widget's care protects it.
    page.goto(host_site.portal(f"{server.url}/widget.js"))
    open_panel(page)

    ask(page, USER_PAYLOAD)
    expect(page.locator(".msg.user").last.locator("p")).to_have_text(USER_PAYLOAD)
    answer = ask(page, "What does the cookie preference centre show to every visitor?")
    quote = answer.locator(".cite blockquote").first
    expect(quote).to_contain_text("<img src=x onerror=")
    expect(quote).to_contain_text("<script>window.__xss='passage-script';alert('script')</script>")

    assert dialogs == []
    assert page.evaluate("() => window.__xss") is None
    assert shadow_count(page, "img, script, iframe, object, embed") == 0
    assert page.evaluate("() => document.querySelectorAll('img').length") == 0
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_a_page_on_an_origin_that_is_not_allowed_cannot_talk_to_the_api(
    live: Callable[..., Any], page: Page, host_site: HostSite, make_settings: Any
) -> None:
    server = live(settings=make_settings(WIDGET_ALLOWED_ORIGINS="https://portal.example.com"))
    page.goto(host_site.portal(f"{server.url}/widget.js"))
    open_panel(page)  # the script itself may be embedded anywhere...
    message_box(page).fill("How long do you keep my data?")
    message_box(page).press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("couldn't reach the privacy assistant")  # ...but the browser withholds the answers
    expect(alert.get_by_role("button", name="Retry")).to_be_enabled()
    expect(page.locator(".cite")).to_have_count(0)


def test_configuration_from_data_attributes_and_init_with_a_signed_identity(
    live: Callable[..., Any], page: Page, host_site: HostSite, make_settings: Any
) -> None:
    secret = "portal-signing-secret"
    settings = make_settings(WIDGET_ALLOWED_ORIGINS=host_site.origin, WIDGET_IDENTITY_SECRET=secret)
    server = live(settings=settings)
    email = "dana.signed@example.com"
    identity = {"email": email, "name": "Dana Signed", "signature": sign_identity(email, secret)}
    # The host's own script: init now if the widget is already there, else when it says it's ready.
    init = (
        f"var o = {{identity: {json.dumps(identity)}}};\n"
        "if (window.PrivacyBot) PrivacyBot.init(o);\n"
        "else document.addEventListener('privacybot:ready', function () { PrivacyBot.init(o); });\n"
    )
    host_site.add("/init.js", init, "text/javascript")
    attributes = 'data-title="KONE privacy desk" data-color="#00856f" data-position="left"'
    # Hostile host styles must not reach inside the widget.
    hostile = "<style>*{color:red!important;font-family:serif!important}button{background:hotpink!important}</style>"
    extra = hostile + '<script src="/init.js" defer></script>'
    page.goto(host_site.portal(f"{server.url}/widget.js", attributes=attributes, extra=extra))
    launcher = page.get_by_role("button", name=WIDGET_NAME)
    expect(launcher).to_be_visible()
    assert launcher.bounding_box()["x"] < 100  # type: ignore[index]
    assert page.evaluate("() => typeof PrivacyBot.version") == "string"
    panel = open_panel(page)
    expect(panel.get_by_role("heading")).to_have_text("KONE privacy desk")
    with page.expect_request(lambda r: r.url.endswith("/api/chat") and r.method == "POST") as sent:
        reply = ask(page, "What's the status of my request?")
    assert (sent.value.post_data_json or {})["identity"] == identity
    expect(reply).to_contain_text("couldn't find any requests")  # verified by the signature: no code asked
    assert page.evaluate(LOW_CONTRAST) == []  # the host's colour too
    bubble = page.locator(".msg.user").last
    assert bubble.evaluate("(el) => getComputedStyle(el).backgroundColor") == "rgb(0, 133, 111)"
    assert bubble.evaluate("(el) => getComputedStyle(el).color") == "rgb(255, 255, 255)"
    assert launcher.evaluate("(el) => getComputedStyle(el).backgroundColor") == "rgb(0, 133, 111)"
    assert "serif" not in reply.evaluate("(el) => getComputedStyle(el).fontFamily").replace("sans-serif", "")
