"""Casework in Slack over real HTTP: the team's question as a DM, the answer typed in the DM, and the
agents' channel told of answers and deadlines (no personal data there)."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import select

from bot.access.agents import create_agent
from bot.cases.messages import write_to_requester
from bot.store.models import TicketMessage
from tests.factories import FakeClock
from tests.handlers.slack.conftest import AGENT_CHANNEL, PUBLIC_URL, SlackApp
from tests.handlers.slack.fake_slack import Call
from tests.handlers.slack.test_slack_conversation import _dm_step, file_deletion

QUESTION = "Which of your Slack workspaces should we delete the data of?"


def _text(call: Call) -> str:
    return json.dumps({"text": call.body.get("text"), "blocks": call.body.get("blocks")}, ensure_ascii=False)


def _ask(slack: SlackApp, reference: str) -> None:
    services = slack.services
    with services.db.write() as session:
        agent = create_agent(
            session, email="uagent@example.com", password="a-long-password-1", role="agent", now=services.clock()
        )
        write_to_requester(session, reference=reference, author=agent, text=QUESTION, now=services.clock())
    services.outbox.kick()


def test_the_question_arrives_as_a_dm_and_the_typed_answer_lands_on_the_ticket(slack_db: SlackApp) -> None:
    slack = slack_db
    reference, _ = file_deletion(slack, "U1")
    _ask(slack, reference)
    dm = slack.fake.wait_for(lambda: [p for p in slack.fake.posts("DU1") if QUESTION in p.body["text"]])[0]
    assert reference in dm.body["text"] and "reply here" in dm.body["text"].lower()

    confirm = _dm_step(slack, "U1", say="Only the Acme workspace, please.")
    assert (
        "Send this to the privacy team?" in confirm.body["text"] and "Only the Acme workspace" in confirm.body["text"]
    )
    done = _dm_step(slack, "U1", click=(confirm, "yes"))
    assert "added your answer" in done.body["text"] and reference in done.body["text"]
    with slack.services.db.read() as session:
        answer = session.exec(select(TicketMessage).where(TicketMessage.direction == "from_requester")).one()
    assert (answer.text, answer.channel) == ("Only the Acme workspace, please.", "slack")

    # Unassigned: the agents' channel hears of the answer — the ticket and a console link, not the words.
    told = slack.fake.wait_for(
        lambda: [p for p in slack.fake.posts(AGENT_CHANNEL) if "answered" in p.body.get("text", "")]
    )[0]
    posted = _text(told)
    assert reference in posted and f"{PUBLIC_URL}/console/tickets/{reference}" in posted
    assert "Acme workspace" not in posted and "u1@example.com" not in posted


def test_a_hello_is_not_taken_for_an_answer(slack: SlackApp) -> None:
    reference, _ = file_deletion(slack, "U2")
    _ask(slack, reference)
    slack.fake.wait_for(lambda: [p for p in slack.fake.posts("DU2") if QUESTION in p.body["text"]])
    greeted = _dm_step(slack, "U2", say="hello")
    assert "Send this to the privacy team?" not in greeted.body["text"]
    asked = _dm_step(slack, "U2", say="The one called Acme.")
    assert "Send this to the privacy team?" in asked.body["text"]


def test_a_deadline_reminder_for_an_unassigned_ticket_goes_to_the_agents_channel(
    slack: SlackApp, clock: FakeClock
) -> None:
    reference, _ = file_deletion(slack, "U3")  # due 2026-04-10
    clock.advance(days=24)  # 2026-04-03 09:00: due in 7 days
    report = slack.services.scheduler.run_once()
    assert report is not None and report.reminders == 1
    slack.services.outbox.kick()
    post = slack.fake.wait_for(
        lambda: [p for p in slack.fake.posts(AGENT_CHANNEL) if "due in 7 days" in p.body.get("text", "")]
    )[0]
    posted: Any = _text(post)
    assert reference in posted and "not assigned" in posted and "Open in console" in posted
    assert "u3@example.com" not in posted and "User U3" not in posted
    assert slack.services.scheduler.run_once().reminders == 0  # once
