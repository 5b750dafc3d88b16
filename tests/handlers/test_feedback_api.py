"""POST /api/chat/{session_id}/feedback (DESIGN §10): a vote per answer, under the history's rules."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from bot.store.models import AnswerFeedback, AskedQuestion, Conversation
from tests.factories import ChatDriver


def _votes(client: Any) -> list[tuple[str, bool, str]]:
    with client.services.db.read() as session:
        rows = session.exec(select(AnswerFeedback, AskedQuestion).join(AskedQuestion)).all()
    return sorted((q.question, v.helpful, v.channel) for v, q in rows)


def _history(client: Any, session_id: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/chat/{session_id}/history")
    assert response.status_code == 200
    turns: list[dict[str, Any]] = response.json()["turns"]
    return turns


def test_a_vote_on_the_latest_answer_and_on_an_earlier_turn(client: Any) -> None:
    chat = ChatDriver(client)
    chat.say("How long do you keep my data?")
    chat.say("What cookies does the portal use?")
    url = f"/api/chat/{chat.session_id}/feedback"

    response = client.post(url, json={"turn": None, "helpful": False})
    assert response.status_code == 204 and response.content == b""
    assert _votes(client) == [("What cookies does the portal use?", False, "web")]

    turns = _history(client, chat.session_id or "")
    first_answer = next(i for i, t in enumerate(turns) if t["role"] == "bot")
    assert client.post(url, json={"turn": first_answer, "helpful": True}).status_code == 204
    assert client.post(url, json={"helpful": True}).status_code == 204  # turn omitted: the latest; the vote changes
    assert _votes(client) == [
        ("How long do you keep my data?", True, "web"),
        ("What cookies does the portal use?", True, "web"),
    ]
    with client.services.db.read() as session:
        asked = session.exec(select(AskedQuestion).order_by(AskedQuestion.id)).all()  # type: ignore[arg-type]
    assert asked[0].citations and asked[0].citations[0]["section"] == "4"
    assert {a.outcome for a in asked} == {"answered"} and {a.channel for a in asked} == {"web"}


def test_a_declined_question_is_kept_masked_and_can_be_rated(client: Any) -> None:
    chat = ChatDriver(client)
    reply = chat.say("my address is carol@example.com, what's the best pizza in Helsinki?")
    assert reply["intent"] == "out_of_scope"
    assert (
        client.post(f"/api/chat/{chat.session_id}/feedback", json={"turn": None, "helpful": False}).status_code == 204
    )
    assert _votes(client) == [("my address is [email], what's the best pizza in Helsinki?", False, "web")]


def test_only_answers_can_be_rated(client: Any) -> None:
    chat = ChatDriver(client)
    chat.say("hello")
    url = f"/api/chat/{chat.session_id}/feedback"
    assert client.post(url, json={"turn": None, "helpful": True}).status_code == 404  # a greeting is no answer
    chat.say("How long do you keep my data?")
    turns = _history(client, chat.session_id or "")
    user_turn = next(i for i, t in enumerate(turns) if t["role"] == "user")
    greeting = next(i for i, t in enumerate(turns) if t["role"] == "bot")
    for turn in (user_turn, greeting, len(turns), 10_000):
        response = client.post(url, json={"turn": turn, "helpful": True})
        assert response.status_code == 404, turn
        assert response.json()["error"]["code"] == "not_found"
    assert _votes(client) == []


def test_wrong_types_are_422(client: Any) -> None:
    chat = ChatDriver(client)
    chat.say("How long do you keep my data?")
    url = f"/api/chat/{chat.session_id}/feedback"
    for body in ({"turn": None}, {"helpful": "yes"}, {"turn": "1", "helpful": True}, {"turn": -1, "helpful": True}):
        response = client.post(url, json=body)
        assert response.status_code == 422, body
        assert response.json()["error"]["code"]
    assert client.post(url, content=b"{not json", headers={"content-type": "application/json"}).status_code == 422
    assert _votes(client) == []


def test_feedback_follows_the_history_rules(client: Any) -> None:
    services = client.services
    # Unknown and over-long ids.
    assert client.post("/api/chat/nope/feedback", json={"turn": None, "helpful": True}).status_code == 404
    assert client.post(f"/api/chat/{'x' * 200}/feedback", json={"turn": None, "helpful": True}).status_code == 404
    # Another channel's conversation, with an answer in it: not the web's to rate.
    from bot.types import Inbound

    services.engine.handle(Inbound(channel="slack", text="How long do you keep my data?", session_id="slack-abc"))
    with services.db.read() as session:
        assert session.get(Conversation, "slack-abc") is not None
    assert client.post("/api/chat/slack-abc/feedback", json={"turn": None, "helpful": False}).status_code == 404
    # An expired web conversation.
    chat = ChatDriver(client)
    chat.say("How long do you keep my data?")
    services.clock.advance(minutes=services.settings.SESSION_IDLE_MINUTES + 1)
    assert client.post(f"/api/chat/{chat.session_id}/feedback", json={"turn": None, "helpful": True}).status_code == 404
    assert _votes(client) == []
