"""The conversation in Slack over real HTTP: DMs, mentions, buttons, a full request, agents, App Home."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import select

from bot.access.agents import create_agent
from bot.cases.lifecycle import ActionRequest, apply_action
from bot.cases.tickets import get_ticket
from bot.store.models import AuditEvent, OutboxMessage, Ticket
from bot.validation import find_reference
from tests.handlers.slack.conftest import AGENT_CHANNEL, PUBLIC_URL, SlackApp
from tests.handlers.slack.fake_slack import BOT_USER, Call, wait_until


def _blocks_text(call: Call) -> str:
    """Everything a user would read in a posted message (text and blocks)."""
    return json.dumps({"text": call.body.get("text"), "blocks": call.body.get("blocks")}, ensure_ascii=False)


def _buttons(call: Call) -> dict[str, str]:
    blocks = call.body.get("blocks") or []
    return {e["value"]: e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]}


def _dm_step(slack: SlackApp, user: str, *, say: str | None = None, click: tuple[Call, str] | None = None) -> Call:
    """One DM turn (typed or clicked); returns the bot's reply."""
    before = len(slack.fake.posts(f"D{user}"))
    response = slack.platform.dm(user, say) if say is not None else slack.platform.click(user, *click)  # type: ignore[misc]
    assert response.status_code == 200, response.text
    return slack.fake.wait_posts(before + 1, f"D{user}")[before]


def file_deletion(
    slack: SlackApp, user: str, company: str = "Acme &amp; &lt;Towers&gt;", wait_agents: bool = True
) -> tuple[str, Call | None]:
    """A whole deletion request in a DM, by clicks and typing; returns (reference, the agents' post)."""
    asked = _dm_step(slack, user, say="please delete all my personal data")
    assert "everything" in _buttons(asked) and "Section 3" in asked.body["text"]
    asked = _dm_step(slack, user, click=(asked, "everything"))
    assert "company" in asked.body["text"].lower()  # the name came from the Slack profile
    summary = _dm_step(slack, user, say=company)
    assert set(_buttons(summary)) == {"yes", "no"} and "User " + user in summary.body["text"]
    done = _dm_step(slack, user, click=(summary, "yes"))
    reference = find_reference(done.body["text"])  # the reply or the receipt, whichever came first
    assert reference is not None
    return reference, slack.fake.wait_posts(1, AGENT_CHANNEL)[0] if wait_agents else None


def test_dm_question_is_answered_with_the_quoted_passage(slack: SlackApp) -> None:
    response = slack.platform.dm("U1", "How long do you keep my data?")
    assert response.status_code == 200
    post = slack.fake.wait_posts(1, "DU1")[0]
    text = post.body["text"]
    assert "\n> The personal data will be stored as long as needed" in text
    assert "_— Section 4 – Sources of personal data and retention_" in text
    assert post.body.get("thread_ts") is None
    assert slack.fake.calls_to("users.info")[0].body["user"] == "U1"


def test_mention_is_answered_in_its_thread(slack: SlackApp) -> None:
    slack.platform.mention("U1", "CGENERAL", "what cookies do you use?", ts="1800000000.000900")
    post = slack.fake.wait_posts(1, "CGENERAL")[0]
    assert post.body["thread_ts"] == "1800000000.000900"
    assert "Section 5" in post.body["text"] and f"<@{BOT_USER}>" not in post.body["text"]


def test_a_request_in_a_channel_moves_to_a_dm(slack: SlackApp) -> None:
    slack.platform.mention("U1", "CGENERAL", "please delete all my personal data", ts="1800000000.000901")
    dm = slack.fake.wait_posts(1, "DU1")[0]
    assert "everything" in _buttons(dm)
    thread = slack.fake.wait_posts(1, "CGENERAL")[0]
    assert thread.body["thread_ts"] == "1800000000.000901"
    assert "direct message" in thread.body["text"] and "<@U1>" in thread.body["text"]
    assert slack.fake.calls_to("conversations.open")[0].body["users"] == "U1"


def test_a_full_deletion_request_in_a_dm(slack_db: SlackApp) -> None:
    slack = slack_db
    reference, agent_post = file_deletion(slack, "U1")
    assert agent_post is not None
    with slack.services.db.read() as session:
        ticket = get_ticket(session, reference)
        assert ticket is not None and ticket.type == "deletion" and ticket.channel == "slack"
        assert (ticket.slack_user_id, ticket.verified_via, ticket.requester_email) == ("U1", "slack", "u1@example.com")
        assert ticket.requester_company == "Acme & <Towers>" and ticket.requester_name == "User U1"
    # The user's typed text is escaped when the bot repeats it back.
    summary = next(p for p in slack.fake.posts("DU1") if "Shall I file" in p.body["text"])
    assert "Acme &amp; &lt;Towers&gt;" in summary.body["text"] and "<Towers>" not in _blocks_text(summary)
    # Clicked buttons are taken off their messages.
    updates = [c for c in slack.fake.calls_to("chat.update") if c.body["channel"] == "DU1"]
    assert len(updates) == 2 and all('"actions"' not in json.dumps(c.body["blocks"]) for c in updates)
    # The agents' channel: what, when and buttons; no name or e-mail.
    posted = _blocks_text(agent_post)
    assert reference in posted and "Deletion (erasure)" in posted and "2026-04-10" in posted
    assert "u1@example.com" not in posted and "User U1" not in posted and "Acme" not in posted
    buttons = [e for b in agent_post.body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(e["action_id"], e["text"]["text"]) for e in buttons] == [
        ("ticket:assign", "Assign to me"),
        ("ticket:open", "Open in console"),
    ]
    assert buttons[0]["value"] == reference and buttons[1]["url"] == f"{PUBLIC_URL}/console/tickets/{reference}"
    # The receipt arrives as a DM, through the outbox.
    receipt = slack.fake.wait_for(lambda: [p for p in slack.fake.posts("DU1") if "We have received" in p.body["text"]])
    assert (
        len(receipt) == 1 and reference in receipt[0].body["text"] and "Due date: 2026-04-10" in receipt[0].body["text"]
    )


def test_agents_assign_from_slack_and_others_are_refused(slack: SlackApp) -> None:
    reference, agent_post = file_deletion(slack, "U1")
    assert agent_post is not None
    with slack.services.db.write() as session:
        agent = create_agent(
            session, email="uagent@example.com", password="a-long-password-1", role="agent", now=slack.services.clock()
        )
        agent_id = agent.id
    slack.platform.click("UOTHER", agent_post, reference)
    refusal = slack.fake.wait_for(lambda: slack.fake.calls_to("chat.postEphemeral"))[0]
    assert refusal.body["user"] == "UOTHER" and "agent console account" in refusal.body["text"]

    slack.platform.click("UAGENT", agent_post, reference)
    update = slack.fake.wait_for(
        lambda: [c for c in slack.fake.calls_to("chat.update") if c.body["channel"] == AGENT_CHANNEL]
    )[0]
    assert update.body["ts"] == agent_post.ts and "<@UAGENT>" in json.dumps(update.body["blocks"])
    with slack.services.db.read() as session:
        ticket = get_ticket(session, reference)
        assert ticket is not None and ticket.assignee_id == agent_id
        events = session.exec(
            select(AuditEvent).where(AuditEvent.ticket_id == ticket.id, AuditEvent.action == "assign")
        ).all()
        assert [e.actor for e in events] == ["agent:uagent@example.com"]


def test_status_changes_reach_the_requester_as_a_dm(slack: SlackApp) -> None:
    reference, _ = file_deletion(slack, "U1")
    with slack.services.db.write() as session:
        ticket = get_ticket(session, reference)
        apply_action(
            session,
            ticket,
            ActionRequest("reject", reason="excessive"),
            actor="agent:a@example.com",  # type: ignore[arg-type]
            now=slack.services.clock(),
        )
    slack.services.outbox.kick()
    notice = slack.fake.wait_for(lambda: [p for p in slack.fake.posts("DU1") if "was declined" in p.body["text"]])
    assert "data protection authority" in notice[0].body["text"]


def test_without_a_profile_email_the_user_verifies_by_code(slack: SlackApp, outbox: Any) -> None:
    slack.fake.user("U2", email=None, name="Erin Example")
    asked = _dm_step(slack, "U2", say="I want to withdraw my consent")
    asked = _dm_step(slack, "U2", click=(asked, "targeting_cookies"))
    asked = _dm_step(slack, "U2", say="skip")
    assert "e-mail" in asked.body["text"].lower()
    # Slack turns a typed address into a mailto link; the bot reads the address.
    asked = _dm_step(slack, "U2", say="<mailto:erin@example.com|erin@example.com>")
    assert "e***@example.com" in asked.body["text"]
    code = slack.fake.wait_for(lambda: outbox.to("erin@example.com")) and outbox.last_code("erin@example.com")
    summary = _dm_step(slack, "U2", say=code)
    done = _dm_step(slack, "U2", click=(summary, "yes"))
    reference = find_reference(done.body["text"])  # the reply or the receipt, whichever came first
    assert reference is not None
    with slack.services.db.read() as session:
        ticket = get_ticket(session, reference)
        assert ticket is not None and ticket.verified_via == "email_code" and ticket.slack_user_id == "U2"


def test_privacy_command_shows_help_and_a_menu_only_to_the_user(slack: SlackApp) -> None:
    response = slack.platform.command("U1", "CGENERAL")
    assert response.status_code == 200
    body = response.json()
    assert body["response_type"] == "ephemeral" and "Privacy helpdesk" in json.dumps(body["blocks"])
    values = [e["value"] for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert "start:deletion" in values and "status" in values
    assert slack.fake.posts() == []


def test_privacy_command_answers_a_question_ephemerally(slack: SlackApp) -> None:
    slack.platform.command("U1", "CGENERAL", "how long do you keep my data?")
    answer = slack.fake.wait_for(lambda: slack.fake.calls_to("response_url"))[0]
    assert answer.body["response_type"] == "ephemeral" and "Section 4" in answer.body["text"]
    assert slack.fake.posts() == []


def test_menu_button_in_a_channel_starts_the_request_in_a_dm(slack: SlackApp) -> None:
    slack.platform.click(
        "U1", None, "start:deletion", channel="CGENERAL", ephemeral=True, action_id="choice:start:deletion"
    )
    dm = slack.fake.wait_posts(1, "DU1")[0]
    assert "everything" in _buttons(dm)
    replaced = slack.fake.wait_for(lambda: slack.fake.calls_to("response_url"))[0]
    assert replaced.body["replace_original"] in (True, "true") and "direct message" in replaced.body["text"]
    assert slack.fake.posts("CGENERAL") == []


def test_app_home_lists_the_users_requests(slack: SlackApp) -> None:
    reference, _ = file_deletion(slack, "U1")
    slack.platform.event({"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home"})
    view = slack.fake.wait_for(lambda: slack.fake.calls_to("views.publish"))[0].body
    assert view["user_id"] == "U1"
    shown = json.dumps(view["view"])
    assert reference in shown and "Deletion (erasure)" in shown and "open" in shown and "2026-04-10" in shown
    assert "start:objection" in shown
    # Someone else's Home shows none of it.
    slack.platform.event({"type": "app_home_opened", "user": "U9", "channel": "DU9", "tab": "home"})
    other = slack.fake.wait_for(lambda: [c for c in slack.fake.calls_to("views.publish") if c.body["user_id"] == "U9"])[
        0
    ]
    assert reference not in json.dumps(other.body["view"])
    # A Home button starts the request in the DM.
    before = len(slack.fake.posts("DU9"))
    slack.platform.click("U9", None, "start:handoff", view=True, action_id="choice:start:handoff")
    dm = slack.fake.wait_posts(before + 1, "DU9")[before]
    assert "discuss" in dm.body["text"]


def test_no_ticket_is_lost_when_the_agents_channel_fails(slack: SlackApp) -> None:
    slack.fake.fail("chat.postMessage", "internal_error", channel=AGENT_CHANNEL)
    reference, _ = file_deletion(slack, "U1", wait_agents=False)

    def failed_once() -> bool:
        with slack.services.db.read() as session:
            message = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "agent_new_ticket")).first()
            return bool(message and message.status == "pending" and message.last_error)

    wait_until(failed_once, what="the failed agents' post to be rescheduled")
    assert slack.count(Ticket) == 1 and slack.fake.posts(AGENT_CHANNEL) == []
    slack.services.clock.advance(minutes=5)  # past the outbox's backoff
    slack.services.outbox.kick()
    agent_post = slack.fake.wait_posts(1, AGENT_CHANNEL)[0]
    assert reference in _blocks_text(agent_post)
    assert len(slack.fake.posts(AGENT_CHANNEL)) == 1
    assert (
        len([c for c in slack.fake.calls_to("chat.postMessage", ok_only=False) if c.body["channel"] == AGENT_CHANNEL])
        == 2
    )
    assert slack.count(Ticket) == 1
