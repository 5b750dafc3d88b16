"""The flow walker step by step, without a server: every flow's happy path, corrections, back,
cancel, questions in the middle, expiry, and the hand-over to a private conversation."""

from __future__ import annotations

import pytest

from bot.flows import FLOWS, REQUEST_TYPES
from bot.types import Requester
from tests.bot.conversation.conftest import Talk
from tests.factories import REQUESTS, FakeClock

SIGNED_IN = Requester(email="pat@example.com", name="Pat Example", verified_via="signed_identity")


def _file_handoff(talk: Talk) -> str:
    """A signed-in requester files a request to talk to a person; its reference."""
    talk.say("I want to talk to a person")
    talk.say("About my company's account admin.")
    talk.say("skip")
    reply = talk.say("yes")
    assert reply.ticket is not None
    return reply.ticket.reference


def test_every_request_type_is_walked_here() -> None:
    assert set(REQUESTS) == set(REQUEST_TYPES)


def _own_fields(talk: Talk, flow: str) -> None:
    opening, steps = REQUESTS[flow]
    assert talk.say(opening).intent == flow
    for how, value in steps:
        reply = talk.click(value) if how == "click" else talk.say(value)
        assert reply.intent == flow, reply.reply


@pytest.mark.parametrize("flow", list(REQUESTS))
def test_each_request_from_first_message_to_ticket(talk: Talk, flow: str) -> None:
    _own_fields(talk, flow)
    assert talk.asking == "name"
    talk.say("Pat Example")
    assert talk.asking == "company"
    talk.say("skip")
    assert talk.asking == "email"
    talk.say("pat@example.com")
    assert talk.asking == "code" and "p***@example.com" in talk.last.reply  # type: ignore[union-attr]
    talk.say(talk.code_sent_to("pat@example.com"))
    assert talk.asking == "confirm" and "Shall I file this request?" in talk.last.reply  # type: ignore[union-attr]
    assert not talk.tickets()  # nothing is filed before the explicit yes
    reply = talk.click("yes")
    [ticket] = talk.tickets()
    assert reply.intent == flow and reply.ticket is not None and reply.ticket.reference == ticket.reference
    assert reply.ticket.type_label == FLOWS[flow].label and reply.ticket.status_label == "open"
    assert (
        ticket.type == flow and ticket.requester_email == "pat@example.com" and ticket.requester_name == "Pat Example"
    )
    assert ticket.verified_via == "email_code" and ticket.details["summary"]
    assert talk.state().flow is None


def test_a_signed_in_requester_is_not_asked_who_they_are(engine: object) -> None:
    talk = Talk(engine, requester=SIGNED_IN)  # type: ignore[arg-type]
    talk.say("please delete all my personal data")
    talk.click("everything")
    assert talk.asking == "company"  # the name came with the identity; no e-mail, no code
    talk.say("Acme Oy")
    assert talk.asking == "confirm"
    talk.say("yes")
    [ticket] = talk.tickets()
    assert ticket.requester_company == "Acme Oy" and ticket.verified_via == "signed_identity"


def test_back_forgets_the_last_answer_and_what_depended_on_it(talk: Talk) -> None:
    talk.say("please delete my data")
    talk.click("specific")
    assert talk.asking == "scope_detail"
    talk.say("my phone number")
    assert talk.state().flow.values == {"scope": "specific", "scope_detail": "my phone number"}  # type: ignore[union-attr]
    reply = talk.say("back")
    assert "let's change that" in reply.reply and talk.asking == "scope_detail"
    talk.say("back")
    assert talk.asking == "scope" and talk.state().flow.values == {}  # type: ignore[union-attr]
    assert "first question" in talk.say("back").reply


def test_an_earlier_answer_can_be_corrected_in_passing(talk: Talk) -> None:
    _own_fields(talk, "handoff")
    talk.say("Pat Exampel")
    assert talk.asking == "company"
    reply = talk.say("actually my name is Pat Example")
    assert "updated your name" in reply.reply and talk.asking == "company"
    assert talk.state().flow.values["name"] == "Pat Example"  # type: ignore[union-attr]


def test_cancel_at_any_step_files_nothing(talk: Talk) -> None:
    _own_fields(talk, "objection")
    talk.say("Pat Example")
    reply = talk.say("cancel")
    assert reply.intent == "cancel" and "Nothing was filed" in reply.reply
    assert talk.state().flow is None and not talk.tickets()


def test_a_question_in_the_middle_is_answered_then_the_step_asked_again(talk: Talk) -> None:
    talk.say("please delete all my personal data")
    talk.click("everything")
    assert talk.asking == "name"
    reply = talk.say("how long do you keep my data?")
    assert reply.intent == "question" and reply.citations and "back to your request" in reply.reply
    assert talk.asking == "name" and talk.state().flow.type == "deletion"  # type: ignore[union-attr]


def test_a_wrong_answer_gets_a_hint_and_the_same_question(talk: Talk) -> None:
    talk.say("please delete all my personal data")
    talk.click("everything")
    talk.say("Pat Example")
    talk.say("skip")
    reply = talk.say("not an address")
    assert "doesn't look like an e-mail address" in reply.reply and talk.asking == "email"


def test_an_idle_conversation_expires_and_starts_afresh(talk: Talk, clock: FakeClock) -> None:
    talk.say("please delete all my personal data")
    old = talk.session_id
    clock.advance(minutes=31)
    reply = talk.say("hello")
    assert "timed out" in reply.reply and "Nothing was filed" in reply.reply
    assert reply.session_id != old  # a web conversation gets a fresh id
    assert talk.state().flow is None


def test_an_expired_trusted_channel_keeps_its_id_but_not_its_flow(engine: object, clock: FakeClock) -> None:
    talk = Talk(engine, channel="cli", session_id="cli-test-session")  # type: ignore[arg-type]
    talk.say("please delete all my personal data")
    clock.advance(minutes=31)
    reply = talk.say("hello")
    assert reply.session_id == "cli-test-session" and "timed out" in reply.reply
    assert talk.state().flow is None


def test_status_and_withdrawal_are_flows_like_the_others(engine: object) -> None:
    talk = Talk(engine, requester=SIGNED_IN)  # type: ignore[arg-type]
    reference = _file_handoff(talk)

    status = talk.say("what's the status of my request?")
    assert status.intent == "ticket_status" and reference in status.reply and talk.state().flow is None

    asked = talk.say(f"withdraw my request {reference}")
    assert asked.intent == "cancel" and talk.asking == "confirm" and reference in asked.reply
    done = talk.click("yes")
    assert done.ticket is not None and done.ticket.status == "withdrawn" and done.ticket.status_label == "withdrawn"
    again = talk.say(f"withdraw my request {reference}")
    assert "already withdrawn" in again.reply and talk.state().flow is None


def test_nobody_withdraws_a_ticket_that_is_not_theirs(engine: object) -> None:
    owner = Talk(engine, requester=SIGNED_IN)  # type: ignore[arg-type]
    reference = _file_handoff(owner)
    other = Talk(engine, requester=Requester(email="eve@example.com", name="Eve", verified_via="signed_identity"))  # type: ignore[arg-type]
    reply = other.say(f"withdraw my request {reference}")
    assert "couldn't find a request" in reply.reply
    assert [t.status for t in owner.tickets()] == ["open"]


def test_in_public_a_request_is_handed_to_a_private_conversation(engine: object) -> None:
    talk = Talk(engine, channel="slack", session_id="slack-m-test")  # type: ignore[arg-type]
    reply = talk.say("please delete all my personal data", public=True)
    assert reply.continue_in_dm == "start:deletion" and reply.expecting is None
    assert talk.state().flow is None  # nothing is collected where others can read
    assert talk.say("withdraw my request PRV-AB12-CD34", public=True).continue_in_dm == "withdraw:PRV-AB12-CD34"
    assert talk.say("how long do you keep my data?", public=True).continue_in_dm is None
