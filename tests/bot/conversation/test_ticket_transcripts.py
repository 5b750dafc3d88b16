"""Issue 12 finding 3: each ticket keeps the transcript of its own flow; purging one never touches another.

A Slack user's DM is one conversation that can hold several requests and questions in between:
each ticket's case file (console page and JSON export) must show only its own flow.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from bot.cases.casework import case_record, load_case
from bot.cases.lifecycle import ActionRequest, apply_action
from bot.cases.purge import RetentionPolicy, purge
from bot.cases.tickets import get_ticket
from bot.store.models import Turn
from bot.types import Requester
from tests.bot.conversation.conftest import Talk
from tests.factories import FakeClock

SLACK_USER = Requester(email="sam@example.com", name="Sam Slack", verified_via="slack", slack_user_id="U7")
POLICY = RetentionPolicy(
    tickets_after=timedelta(days=365), transcripts_after=timedelta(days=90), codes_after=timedelta(days=1)
)


def _texts(engine: object, reference: str) -> list[str]:
    with engine.db.read() as session:  # type: ignore[attr-defined]
        return [t.text for t in load_case(session, reference).transcript]


def test_two_requests_in_one_dm_each_keep_only_their_own_transcript(engine: object, clock: FakeClock) -> None:
    dm = Talk(engine, channel="slack", requester=SLACK_USER, session_id="slack-dm-sam")  # type: ignore[arg-type]
    dm.say("How long do you keep my data?")
    dm.say("please delete all my personal data")
    dm.click("everything")
    dm.say("Deletion Company Ltd")
    first = dm.click("yes").ticket
    assert first is not None
    dm.say("what cookies do you use?")  # a question between the two requests belongs to neither
    dm.say("I want to talk to a person")
    dm.say("About the handoff topic only.")
    dm.say("Handoff Company Ltd")
    second = dm.click("yes").ticket
    assert second is not None

    one, two = _texts(engine, first.reference), _texts(engine, second.reference)
    assert one[0] == "please delete all my personal data" and "Deletion Company Ltd" in one
    assert any("I've filed" in text and first.reference in text for text in one)
    assert not any("cookies" in t or "How long" in t or "handoff topic" in t or "Handoff Company" in t for t in one)
    assert two[0] == "I want to talk to a person" and "About the handoff topic only." in two
    assert not any("cookies" in t or "Deletion Company" in t or first.reference in t for t in two)
    with engine.db.read() as session:  # type: ignore[attr-defined]
        exported = case_record(load_case(session, first.reference), today=clock().date())
    assert [t["text"] for t in exported["transcript"]] == one  # the export shows the same, and only that

    # The first is completed and, a year later, anonymised: the second (still open) keeps its transcript.
    with engine.db.write() as session:  # type: ignore[attr-defined]
        ticket = get_ticket(session, first.reference)
        assert ticket is not None
        apply_action(session, ticket, ActionRequest("start"), actor="agent:a@kone.com", now=clock())
        apply_action(session, ticket, ActionRequest("complete", note="done"), actor="agent:a@kone.com", now=clock())
    clock.advance(days=366)
    with engine.db.write() as session:  # type: ignore[attr-defined]
        report = purge(session, now=clock(), policy=POLICY)
    assert report.tickets_anonymised == 1
    assert _texts(engine, first.reference) == []
    assert _texts(engine, second.reference) == two


def test_purging_one_ticket_keeps_the_live_turns_another_ticket_holds(engine: object) -> None:
    dm = Talk(engine, channel="slack", requester=SLACK_USER, session_id="slack-dm-sam")  # type: ignore[arg-type]
    dm.say("please delete all my personal data")
    dm.click("everything")
    dm.say("First Co")
    first = dm.click("yes").ticket
    dm.say("I want to talk to a person")
    dm.say("Second topic")
    dm.say("Second Co")
    second = dm.click("yes").ticket
    assert first is not None and second is not None
    with engine.db.write() as session:  # type: ignore[attr-defined]
        ticket = get_ticket(session, first.reference)
        assert ticket is not None
        ticket.status, ticket.closed_at = "completed", dm.engine.clock() - timedelta(days=400)
        session.add(ticket)
    with engine.db.write() as session:  # type: ignore[attr-defined]
        assert purge(session, now=dm.engine.clock(), policy=POLICY).tickets_anonymised == 1
    with engine.db.read() as session:  # type: ignore[attr-defined]
        live = [t.text for t in session.exec(select(Turn).order_by(col(Turn.id)))]
    assert "First Co" not in live  # the purged ticket's turns are gone from the conversation too
    assert "Second topic" in live and "Second Co" in live  # the other request's are untouched
    assert "Second topic" in _texts(engine, second.reference)
