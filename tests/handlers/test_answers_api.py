"""Answers through POST /api/chat (issue 11): their shape, "the statement does not say", follow-ups,
other languages, and questions about rights that are answered, never started unasked."""

from __future__ import annotations

from typing import Any

import pytest

from bot.answering.language_text import NOTICES
from tests.factories import ChatDriver


def _before_quote(reply: str) -> str:
    return reply.split("\n> ", 1)[0]


def test_a_direct_answer_comes_first_then_the_quotation_with_its_section(client: Any) -> None:
    body = client.post("/api/chat", json={"message": "How long do you keep my data?"}).json()
    first_line = body["reply"].splitlines()[0]
    assert not first_line.startswith(">") and "stored as long as needed" in first_line
    assert "\n> The personal data will be stored as long as needed" in body["reply"]
    assert "— Section 4 – Sources of personal data and retention" in body["reply"]
    assert len(_before_quote(body["reply"])) < 600
    assert body["citations"][0]["quote"] in body["reply"].replace("\n> ", " ").replace("> ", "")


def test_a_plain_yes_no_question_gets_yes_and_the_statement_s_words(client: Any) -> None:
    body = client.post("/api/chat", json={"message": "Is my data processed outside the EU?"}).json()
    assert body["reply"].startswith("Yes — ") and "outside the EU/EEA" in body["reply"].splitlines()[0]


def test_lists_stay_lists(client: Any) -> None:
    body = client.post("/api/chat", json={"message": "what are the purposes of processing my data?"}).json()
    direct = _before_quote(body["reply"]).splitlines()
    bullets = [line for line in direct if line.startswith("• ")]
    assert len(bullets) >= 5 and "• invoicing" in direct
    # The citation keeps the full quote, one list item per line.
    assert "\ninvoicing;" in body["citations"][0]["quote"]


@pytest.mark.parametrize(
    "message",
    ["How long do you keep my data?", "which cookies do you use?", "who is the controller?", "can I revoke consent?"],
)
def test_typical_answers_fit_a_phone_screen(client: Any, message: str) -> None:
    body = client.post("/api/chat", json={"message": message}).json()
    assert body["intent"] == "question" and body["citations"]
    assert len(_before_quote(body["reply"])) < 600


def test_what_the_statement_does_not_say_is_said_plainly(client: Any) -> None:
    body = client.post("/api/chat", json={"message": "Do you sell my personal data?"}).json()
    assert body["intent"] == "question" and body["ticket"] is None
    assert body["reply"].startswith("The privacy statement doesn't say that")
    assert "Personal Data Enquiry" in body["reply"]
    assert "1" in [c["section"] for c in body["citations"]]  # the contact channel, quoted
    assert not body["reply"].startswith(("Yes", "No"))


def test_a_follow_up_is_read_against_the_previous_question(client: Any) -> None:
    chat = ChatDriver(client)
    chat.say("How long do you keep my data?")
    body = chat.say("and for cookies?")
    assert body["intent"] == "question"
    assert any(c["section"] == "5" and "364 days" in c["quote"] for c in body["citations"]), body["reply"]
    # The same words in a fresh conversation have nothing to lean on: the cookie section in general.
    alone = client.post("/api/chat", json={"message": "and for cookies?"}).json()
    assert alone["citations"] and alone["citations"][0]["section"] == "5"


def test_a_pronoun_follow_up_takes_the_previous_topic_along(client: Any) -> None:
    chat = ChatDriver(client)
    chat.say("can I withdraw my consent?")
    body = chat.say("what happens then?")
    assert any("revoking the consent may lead" in c["quote"] for c in body["citations"]), body["reply"]


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("Kuinka kauan säilytätte henkilötietojani?", "fi"),
        ("Hur länge sparar ni mina personuppgifter?", "sv"),
        ("Wie lange speichern Sie meine Daten?", "de"),
        ("Combien de temps conservez-vous mes données ?", "fr"),
        ("¿Cuánto tiempo conservan mis datos personales?", "es"),
    ],
)
def test_another_language_is_told_in_it_and_still_answered(client: Any, message: str, code: str) -> None:
    body = client.post("/api/chat", json={"message": message}).json()
    assert body["reply"].startswith(NOTICES[code]["notice"])  # in their language: English only, what it can do
    assert NOTICES[code]["answer_follows"] in body["reply"]
    assert body["intent"] == "question" and body["citations"][0]["section"] == "4"
    assert "stored as long as needed" in body["reply"]  # the English statement's own words


@pytest.mark.parametrize(("message", "code"), [("Hei!", "fi"), ("Hej!", "sv"), ("Hallo", "de"), ("Bonjour", "fr")])
def test_a_greeting_in_another_language_gets_the_notice_and_the_menu(client: Any, message: str, code: str) -> None:
    body = client.post("/api/chat", json={"message": message}).json()
    assert body["reply"].startswith(NOTICES[code]["notice"]) and body["intent"] == "greeting"
    assert body["expecting"]["field"] == "menu"


def test_a_request_in_another_language_is_offered_not_started(client: Any) -> None:
    body = client.post("/api/chat", json={"message": "Bitte löschen Sie meine personenbezogenen Daten"}).json()
    assert body["reply"].startswith(NOTICES["de"]["notice"]) and body["ticket"] is None
    assert body["expecting"]["field"] == "offer"
    assert "start:deletion" in [c["id"] for c in body["expecting"]["choices"]]


@pytest.mark.parametrize(
    "message",
    [
        "Hi, I'm Jukka Virtanen from Espoo, how long is my data kept?",
        "José García from Sevilla here. Can I object to direct marketing?",
        "cookies",
    ],
)
def test_english_with_foreign_names_is_english(client: Any, message: str) -> None:
    body = client.post("/api/chat", json={"message": message}).json()
    assert not any(n["notice"] in body["reply"] for n in NOTICES.values())


@pytest.mark.parametrize(
    ("message", "offered"),
    [
        ("who can see my data", None),
        ("can I object to profiling?", "start:objection"),
        ("what happens if I ask you to delete my data?", "start:deletion"),
        ("can I get a copy of my data?", "start:access"),
        ("could I get my data as a CSV file?", "start:portability"),
    ],
)
def test_questions_about_rights_are_answered_and_the_request_offered(client: Any, message: str, offered: str) -> None:
    body = client.post("/api/chat", json={"message": message}).json()
    assert body["intent"] == "question" and body["ticket"] is None, body["reply"]
    assert body["citations"]
    if offered:
        assert body["expecting"]["field"] == "offer"
        assert offered in [c["id"] for c in body["expecting"]["choices"]]


def test_only_a_message_that_asks_for_it_starts_an_access_request(client: Any) -> None:
    chat = ChatDriver(client)
    body = chat.say("Please send me a copy of all my personal data")
    assert body["intent"] == "access"
    assert "does not list this right by name" in body["reply"]
    assert body["expecting"]["field"] == "scope"


def test_a_portability_request_asks_for_the_format(client: Any) -> None:
    chat = ChatDriver(client)
    assert chat.say("please export my data in a machine-readable format")["intent"] == "portability"
    body = chat.click("everything")
    assert body["expecting"]["field"] == "format"
    assert {c["id"] for c in body["expecting"]["choices"]} == {"csv", "json"}


def test_the_offer_of_a_copy_starts_the_access_flow_when_accepted(client: Any) -> None:
    chat = ChatDriver(client)
    body = chat.say("can I get a copy of my data?")
    assert body["ticket"] is None and "start:access" in [c["id"] for c in body["expecting"]["choices"]]
    assert chat.click("start:access")["intent"] == "access"


def test_a_short_follow_up_that_adds_to_the_last_question_leans_on_it(client: Any) -> None:
    chat = ChatDriver(client)
    chat.say("How long do you keep my data?")
    body = chat.say("cookies too?")
    assert any(c["section"] == "5" and "364 days" in c["quote"] for c in body["citations"]), body["reply"]
    chat.say("can I disable cookies?")
    body = chat.say("any downside?")
    assert any("disabling cookies may impact" in c["quote"] for c in body["citations"]), body["reply"]
