"""The Knowledge page in Chromium, without JavaScript of its own: the groups, the chart, teaching a
group with the keyboard-reachable form, its undo — and axe-core finds nothing on it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from bot.types import Inbound
from tests.handlers.console.conftest import add_agent

pytestmark = pytest.mark.browser
ADMIN = ("maria@example.com", "maria-password-123")
DOG = ["Can I bring my dog to the KONE office?", "can i bring my dog to the kone office"]


def test_the_knowledge_page_teaches_and_undoes_and_passes_axe(
    live: Any, make_services: Any, page: Any, axe: Any, artifacts: Path
) -> None:
    services = make_services()
    add_agent(services, *ADMIN, role="admin")
    for question in [*DOG, "What's the weather in Helsinki tomorrow?"]:
        assert services.engine.handle(Inbound(channel="web", text=question)).intent == "out_of_scope"
    server = live(services)
    page.set_default_timeout(10_000)
    page.goto(f"{server.url}/console/login")
    page.get_by_label("E-mail").fill(ADMIN[0])
    page.get_by_label("Password").fill(ADMIN[1])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Knowledge").click()
    expect(page.get_by_role("heading", name="Knowledge", exact=True)).to_be_visible()
    groups = page.locator(".knowledge-group")
    expect(groups).to_have_count(2)
    expect(groups.first).to_contain_text("2 ×")
    expect(page.get_by_role("img", name="Helpful rate and decline rate per week")).to_be_visible()
    axe(page, "the Knowledge page")
    page.screenshot(path=str(artifacts / "knowledge-page.png"), full_page=True)

    groups.first.get_by_label("Passage that answers it").select_option("s1-p01")
    groups.first.get_by_role("button", name="Answer with this passage").click()
    expect(page.get_by_role("status")).to_contain_text("answered with the passage you chose")
    expect(groups).to_have_count(1)
    reply = services.engine.handle(Inbound(channel="web", text=DOG[0]))
    assert reply.intent == "question" and reply.citations[0].section == "1"
    axe(page, "the Knowledge page after teaching")

    page.get_by_role("button", name="Undo change").first.click()
    expect(page.get_by_role("status")).to_contain_text("Undone")
    expect(groups).to_have_count(2)
    assert services.engine.handle(Inbound(channel="web", text=DOG[0])).intent == "out_of_scope"
    assert not page.errors, page.errors
