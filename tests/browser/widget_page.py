"""What the widget's browser tests share: finding the widget, talking to it, bounded waits."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Locator, Page, expect

WAIT_MS = 20_000  # upper bound for any one step (the first answer warms the model)

LOW_CONTRAST = """() => {
  const root = document.querySelector('privacy-bot-widget').shadowRoot;
  const rgb = (c) => { const p = (c.match(/rgba?\\(([^)]+)\\)/) || [])[1]; if (!p) return null;
    const v = p.split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return { c: v.slice(0, 3), a: v.length > 3 ? v[3] : 1 }; };
  const lum = (c) => c.map((x) => x / 255).map((x) => (x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4))
    .reduce((sum, x, i) => sum + x * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (el) => {
    for (let e = el; e; e = e.parentElement || (e.getRootNode().host || null)) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0.5) return c.c;
    }
    return [255, 255, 255];
  };
  const low = [];
  for (const el of root.querySelectorAll('*')) {
    if (el.closest('.sr, [hidden]') || el.disabled || !el.getClientRects().length) continue;
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const a = lum(rgb(getComputedStyle(el).color).c), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) low.push(`${el.tagName.toLowerCase()}.${el.className}: ${ratio.toFixed(2)}`);
  }
  return low;
}"""
# One accessible name for the launcher and the panel it opens: the widget's title.
WIDGET_NAME = re.compile("^(Privacy assistant|KONE privacy desk)$")
IS_WIDGET_FOCUSED = """(selector) => {
  const host = document.activeElement;
  const inner = host && host.shadowRoot ? host.shadowRoot.activeElement : null;
  return host && host.tagName === 'PRIVACY-BOT-WIDGET' && !!inner && inner.matches(selector);
}"""


@pytest.fixture(autouse=True)
def _bounded_assertions() -> Iterator[None]:
    expect.set_options(timeout=WAIT_MS)
    yield
    expect.set_options(timeout=None)


# ---- helpers ---------------------------------------------------------------------------------
def watch_console(page: Page) -> list[str]:
    """Console errors (CSP violations, failed loads) seen by the page."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


def open_panel(page: Page) -> Locator:
    page.get_by_role("button", name=WIDGET_NAME).click()
    panel = page.get_by_role("dialog", name=WIDGET_NAME)
    expect(panel).to_be_visible()
    return panel


def message_box(page: Page) -> Locator:
    return page.get_by_role("textbox", name="Message")


def ask(page: Page, text: str) -> Locator:
    """Type into whichever input the bot expects, send, and return the bot's reply to it."""
    replies = page.locator(".msg.bot")
    before = replies.count()
    box = page.locator("#pb-text:visible, #pb-field:visible")
    box.fill(text)
    box.press("Enter")
    expect(replies).to_have_count(before + 1)
    return replies.last


def click_choice(page: Page, label: str) -> Locator:
    replies = page.locator(".msg.bot")
    before = replies.count()
    page.locator(".choices").get_by_role("button", name=label, exact=True).click()
    expect(replies).to_have_count(before + 1)
    return replies.last


def shadow_count(page: Page, selector: str) -> int:
    return page.evaluate(
        "(s) => document.querySelector('privacy-bot-widget').shadowRoot.querySelectorAll(s).length", selector
    )
