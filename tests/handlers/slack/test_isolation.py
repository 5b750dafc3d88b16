"""Issue 12 finding 1: the web API never reads or continues a Slack conversation.

The attack, as reproduced against the old code: a Slack conversation's id was a plain SHA-256 of
public ids (team and user for a DM; team, channel and ts for a mention), so any workspace member
could compute it, then — with no identity at all — read the transcript through the history
route, list the victim's tickets, withdraw one and file a new request in their name.
"""

from __future__ import annotations

import hashlib

import httpx
from sqlmodel import select

from bot.store.models import AuditEvent, Conversation, Ticket
from tests.handlers.slack.conftest import SlackApp
from tests.handlers.slack.fake_slack import TEAM
from tests.handlers.slack.test_slack_conversation import file_deletion


def _public_digest(*parts: str) -> str:
    """What an attacker computes from ids every workspace member can see (the old scheme)."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def _slack_ids(slack: SlackApp) -> list[str]:
    with slack.services.db.read() as session:
        return [c.session_id for c in session.exec(select(Conversation).where(Conversation.channel == "slack"))]


def _attack(slack: SlackApp, victim_id: str, reference: str) -> None:
    """History, status, withdrawal and a new request through the web API, as an anonymous caller."""
    web = httpx.Client(base_url=slack.server.url, timeout=60)
    history = web.get(f"/api/chat/{victim_id}/history")
    assert history.status_code == 404, history.text
    assert reference not in history.text and "u1@example.com" not in history.text

    status = web.post("/api/chat", json={"session_id": victim_id, "message": "what's the status of my request?"})
    assert status.status_code == 200
    body = status.json()
    assert body["session_id"] != victim_id  # a fresh web session, not the victim's
    assert reference not in body["reply"] and body["ticket"] is None
    assert body["expecting"]["kind"] == "email"  # an unverified stranger is asked to verify

    withdraw = web.post("/api/chat", json={"session_id": victim_id, "message": f"withdraw my request {reference}"})
    assert withdraw.json()["session_id"] != victim_id
    web.post("/api/chat", json={"session_id": victim_id, "action": "yes"})

    new = web.post("/api/chat", json={"session_id": victim_id, "message": "please delete all my personal data"})
    assert new.json()["session_id"] != victim_id and new.json()["ticket"] is None
    web.post("/api/chat", json={"session_id": victim_id, "action": "everything"})
    for step in ("Mallory", "Evil Corp", "yes"):
        answered = web.post("/api/chat", json={"session_id": victim_id, "message": step}).json()
        assert answered["ticket"] is None

    with slack.services.db.read() as session:
        tickets = list(session.exec(select(Ticket)))
        assert [(t.reference, t.status) for t in tickets] == [(reference, "open")]  # nothing withdrawn, none filed
        actions = [e.action for e in session.exec(select(AuditEvent))]
        assert "withdraw" not in actions
        victim = session.get(Conversation, victim_id)
        assert victim is None or victim.channel == "slack"  # never turned into (or replaced by) a web one
    web.close()


def test_the_web_api_cannot_read_or_take_over_a_slack_dm(slack: SlackApp) -> None:
    reference, _ = file_deletion(slack, "U1")
    real_ids = _slack_ids(slack)
    derivable = f"slack-{_public_digest(TEAM, 'U1')}"
    _attack(slack, derivable, reference)
    assert derivable not in real_ids and len(real_ids) == 1  # the id is keyed with the server's secret
    # Even with the real id (leaked, say, from a log), the web surface refuses a Slack conversation.
    _attack(slack, real_ids[0], reference)


def test_the_web_api_cannot_read_or_take_over_a_slack_mention(slack: SlackApp) -> None:
    reference, _ = file_deletion(slack, "U1")
    ts = "1800000000.000777"
    slack.platform.mention("U1", "CGENERAL", "how long do you keep my data?", ts=ts)
    slack.fake.wait_posts(1, "CGENERAL")
    mention_ids = [i for i in _slack_ids(slack) if i.startswith("slack-m-")]
    assert len(mention_ids) == 1
    with slack.services.db.read() as session:
        mention = session.get(Conversation, mention_ids[0])
        assert mention is not None and mention.requester_email == "u1@example.com"  # what the attacker wanted
    derivable = f"slack-m-{_public_digest(TEAM, 'CGENERAL', ts)}"
    _attack(slack, derivable, reference)
    assert derivable not in mention_ids
    _attack(slack, mention_ids[0], reference)


def test_a_slack_verification_never_verifies_a_web_session(slack: SlackApp) -> None:
    file_deletion(slack, "U1")
    dm_id = next(i for i in _slack_ids(slack) if not i.startswith("slack-m-"))
    web = httpx.Client(base_url=slack.server.url, timeout=60)
    body = web.post("/api/chat", json={"session_id": dm_id, "message": "what's the status of my request?"}).json()
    # A web session starts unverified whatever id it names: it must prove the address itself.
    assert body["expecting"]["field"] == "email"
    body = web.post("/api/chat", json={"session_id": body["session_id"], "message": "u1@example.com"}).json()
    assert body["expecting"]["field"] == "code"
    with slack.services.db.read() as session:
        web_conversation = session.get(Conversation, body["session_id"])
        assert web_conversation is not None and web_conversation.channel == "web"
        assert web_conversation.verified_via is None and web_conversation.slack_user_id is None
    web.close()
