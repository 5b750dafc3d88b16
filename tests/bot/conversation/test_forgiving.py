"""Forgiving flows and messages that read well: options named in free text, answers the first
message already gave, skip rules, one sentence per step, several asks in one message."""

from __future__ import annotations

import re

import pytest

from bot.cases.lifecycle import ActionRequest, apply_action
from bot.cases.tickets import get_ticket
from bot.conversation.compound import split_parts
from bot.errors import InvalidInput
from bot.flows import COMPANY, FLOWS
from bot.types import Choice, Requester
from tests.bot.conversation.conftest import Talk
from tests.factories import FakeClock

SIGNED_IN = Requester(email="pat@example.com", name="Pat Example", verified_via="signed_identity")
NUMBERED = re.compile(r"(^|\s)\d\.\s")


# ---- options named in free text ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("flow", "field", "text", "expected"),
    [
        ("consent_revocation", "consent", "withdrawing consent for marketing emails", "marketing_communications"),
        ("consent_revocation", "consent", "the targeting cookies please", "targeting_cookies"),
        ("marketing_objection", "channels", "no more e-mails", "email"),
        ("marketing_objection", "channels", "the phone calls", "phone"),
        ("rectification", "item", "it's my e-mail address", "email"),
        ("objection", "processing", "the analysis of how I use the portal", "usage_analytics"),
        ("portability", "format", "json would be best", "json"),
    ],
)
def test_a_sentence_that_names_one_option_picks_it(flow: str, field: str, text: str, expected: str) -> None:
    spec = FLOWS[flow].field(field)
    assert spec is not None
    assert spec.parse(text, {}) == expected


@pytest.mark.parametrize("text", ["cookies", "something", "I don't know"])
def test_an_unclear_answer_is_asked_again_without_a_numbered_list(text: str) -> None:
    spec = FLOWS["consent_revocation"].field("consent")
    assert spec is not None
    with pytest.raises(InvalidInput) as raised:
        spec.parse(text, {})
    message = raised.value.message
    assert "pick one below" in message and not NUMBERED.search(message)


def test_free_text_answers_a_choice_in_the_conversation(talk: Talk) -> None:
    talk.say("I want to withdraw my consent")
    assert talk.asking == "consent"
    reply = talk.say("withdrawing consent for marketing emails")
    assert talk.asking == "name", reply.reply
    assert talk.state().flow.values["consent"] == "marketing_communications"  # type: ignore[union-attr]
    assert "Please pick one of" not in reply.reply


# ---- what the first message already said --------------------------------------------------------
def test_values_in_the_first_message_are_not_asked_again(talk: Talk) -> None:
    reply = talk.say("my phone number is wrong, it should be +358 40 123 4567")
    assert reply.intent == "rectification"
    values = talk.state().flow.values  # type: ignore[union-attr]
    assert values["item"] == "phone" and values["correct_value"] == "+358 40 123 4567"
    assert "Mobile phone number" in reply.reply and "+358 40 123 4567" in reply.reply  # said back
    assert talk.asking == "current_value"
    talk.say("+358 40 000 0000")
    assert talk.asking == "name"  # neither the item nor the correct value is asked again


def test_a_first_message_that_names_nothing_asks_everything(talk: Talk) -> None:
    talk.say("please delete my personal data")
    assert talk.asking == "scope"
    assert FLOWS["deletion"].given("please delete my personal data") == {}
    assert FLOWS["rectification"].given("my data is wrong") == {}


# ---- skip ---------------------------------------------------------------------------------------
def test_a_required_field_cannot_be_skipped(talk: Talk) -> None:
    talk.say("I want to talk to a person")
    assert talk.asking == "description"
    reply = talk.say("skip")
    assert talk.asking == "description" and "can't be skipped" in reply.reply
    talk.say("About my company's account admin.")
    assert talk.asking == "name"
    assert "can't be skipped" in talk.say("skip").reply and talk.asking == "name"


def test_an_optional_field_offers_a_skip_choice(talk: Talk) -> None:
    talk.say("I want to talk to a person")
    talk.say("About my company's account admin.")
    talk.say("Pat Example")
    assert talk.asking == "company"
    assert talk.last is not None and talk.last.expecting is not None
    assert Choice("skip", "Skip") in talk.last.expecting.choices
    assert "type 'skip'" not in talk.last.reply.lower()
    talk.click("skip")
    assert talk.asking == "email"
    assert COMPANY.optional


# ---- one sentence per step ----------------------------------------------------------------------
def test_the_code_step_says_it_once_and_counts_tries_in_words(talk: Talk) -> None:
    talk.say("I want to talk to a person")
    talk.say("About my company's account admin.")
    talk.say("Pat Example")
    talk.click("skip")
    sent = talk.say("pat@example.com").reply
    assert sent.count("code") == 1 and "p***@example.com" in sent, sent
    code = talk.code_sent_to("pat@example.com")
    wrong = "000000" if code != "000000" else "111111"
    assert "You have 2 more tries" in talk.say(wrong).reply
    last = talk.say(wrong).reply
    assert "You have one more try" in last and "(s)" not in last


def test_the_deletion_intro_leads_with_the_question(talk: Talk) -> None:
    reply = talk.say("please delete my personal data")
    assert reply.expecting is not None and reply.citations
    text = reply.reply
    assert text.index(reply.expecting.prompt) < text.index(reply.citations[0].quote[:40])


def test_status_reads_once_and_shows_the_outcome(engine: object, clock: FakeClock) -> None:
    talk = Talk(engine, requester=SIGNED_IN)  # type: ignore[arg-type]
    talk.say("I want to talk to a person")
    talk.say("About my company's account admin.")
    talk.click("skip")
    reference = talk.click("yes").ticket.reference  # type: ignore[union-attr]
    clock.advance(days=2)
    with talk.engine.db.write() as session:
        ticket = get_ticket(session, reference)
        assert ticket is not None
        apply_action(session, ticket, ActionRequest("start"), actor="agent", now=clock())
        apply_action(session, ticket, ActionRequest("reject", reason="excessive"), actor="agent", now=clock())
    reply = Talk(talk.engine, requester=SIGNED_IN).say("what's the status of my request?")
    assert "I'll look up your requests" not in reply.reply and "Here are your requests" not in reply.reply
    assert reply.ticket is not None and reply.ticket.status == "rejected"
    assert "excessive" in reply.ticket.outcome and "complaint" in reply.ticket.outcome
    assert reply.ticket.closed_on == clock().date().isoformat()


# ---- several asks in one message ----------------------------------------------------------------
def test_a_message_is_split_into_its_asks() -> None:
    assert split_parts("can you forget me? also who is responsible for my data?") == [
        "can you forget me?",
        "who is responsible for my data?",
    ]
    assert split_parts("delete my data, and also who is the controller?") == [
        "delete my data",
        "who is the controller?",
    ]
    assert split_parts("How long do you keep my data?") == ["How long do you keep my data?"]
    assert split_parts("Hi? ok?") == ["Hi? ok?"]


def test_a_message_with_a_request_and_a_question_handles_both(talk: Talk) -> None:
    reply = talk.say("can you forget me? also who is responsible for my data?")
    assert "who is responsible for my data?" in reply.reply
    assert "1" in {c.section for c in reply.citations}, reply.reply  # the controller, Section 1
    # The first part is handled too: answered (with its passage) or the deletion started.
    assert reply.intent == "deletion" or len({c.section for c in reply.citations}) >= 2, reply.reply
