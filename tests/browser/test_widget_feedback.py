"""Feedback in the widget, in a real Chromium: two buttons under each answer, operable from the
keyboard, announced to screen readers; "not helpful" offers a person; a reload keeps it working."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import col, select

from bot.store.models import AnswerFeedback, AskedQuestion
from tests.browser.widget_page import _bounded_assertions, ask, open_panel  # noqa: F401  (the autouse fixture)

pytestmark = pytest.mark.browser


def _votes(services: Any) -> list[tuple[str, bool]]:
    with services.db.read() as session:
        rows = session.exec(
            select(AskedQuestion, AnswerFeedback).join(AnswerFeedback).order_by(col(AskedQuestion.id))
        ).all()
    return [(q.question, v.helpful) for q, v in rows]


def _wait_votes(page: Page, services: Any, expected: list[tuple[str, bool]]) -> None:
    for _ in range(100):
        if _votes(services) == expected:
            return
        page.wait_for_timeout(100)
    assert _votes(services) == expected


def test_rating_an_answer_from_the_keyboard_offers_a_person(live: Callable[..., Any], page: Page) -> None:
    server = live()
    services = server.services  # type: ignore[attr-defined]
    page.goto(server.url + "/")
    open_panel(page)
    answer = ask(page, "How long do you keep my data?")
    bar = answer.get_by_role("group", name="Was this answer helpful?")
    expect(bar).to_be_visible()
    not_helpful = bar.get_by_role("button", name="Not helpful", exact=True)
    helpful = bar.get_by_role("button", name="Helpful", exact=True)
    expect(not_helpful).to_have_attribute("aria-pressed", "false")

    not_helpful.focus()
    page.keyboard.press("Enter")
    status = bar.get_by_role("status")
    expect(status).to_have_text(re.compile("Thanks for telling us"))
    expect(not_helpful).to_have_attribute("aria-pressed", "true")
    expect(helpful).to_have_attribute("aria-pressed", "false")
    _wait_votes(page, services, [("How long do you keep my data?", False)])

    person = bar.get_by_role("button", name="Talk to a person")
    expect(person).to_be_visible()
    helpful.focus()
    page.keyboard.press("Space")  # a second click changes the vote
    expect(status).to_have_text("Thanks for your feedback.")
    expect(person).to_be_hidden()
    _wait_votes(page, services, [("How long do you keep my data?", True)])

    not_helpful.click()
    person.click()
    expect(page.locator(".msg.user").last).to_have_text(re.compile("Talk to a person"))
    expect(page.locator(".msg.bot")).to_have_count(3)  # welcome, answer, the handoff's first step
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_after_a_reload_an_earlier_answer_is_rated_by_its_turn(live: Callable[..., Any], page: Page) -> None:
    server = live()
    services = server.services  # type: ignore[attr-defined]
    page.goto(server.url + "/")
    open_panel(page)
    ask(page, "How long do you keep my data?")
    ask(page, "What cookies does the portal use?")
    greeting = ask(page, "hello")
    expect(greeting.get_by_role("group", name="Was this answer helpful?")).to_have_count(0)  # not an answer

    page.reload()  # the panel was open in this tab, so it opens again and restores the history
    answers = page.locator(".msg.bot").filter(has=page.get_by_role("group", name="Was this answer helpful?"))
    expect(answers).to_have_count(2)
    answers.first.get_by_role("button", name="Not helpful", exact=True).click()
    expect(answers.first.get_by_role("status")).to_have_text(re.compile("Thanks for telling us"))
    answers.last.get_by_role("button", name="Helpful", exact=True).click()
    expect(answers.last.get_by_role("status")).to_have_text("Thanks for your feedback.")
    _wait_votes(page, services, [("How long do you keep my data?", False), ("What cookies does the portal use?", True)])
    assert not page.errors, page.errors  # type: ignore[attr-defined]
