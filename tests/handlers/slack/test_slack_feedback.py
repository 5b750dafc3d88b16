"""Feedback in Slack: buttons on every answer, a click records the vote and becomes a thank-you
("not helpful" also offers a person); a click on someone else's DM answer does nothing."""

from __future__ import annotations

import json
import threading

from sqlmodel import select

from bot.store.models import AnswerFeedback, AskedQuestion
from tests.handlers.slack.conftest import SlackApp
from tests.handlers.slack.fake_slack import Call, _blocks, wait_until


def _feedback_values(post: Call) -> list[str]:
    return [e["value"] for b in _blocks(post) if b.get("block_id") == "feedback" for e in b["elements"]]


def _votes(slack: SlackApp) -> list[tuple[str, bool, str]]:
    with slack.services.db.read() as session:
        rows = session.exec(select(AnswerFeedback, AskedQuestion).join(AskedQuestion)).all()
    return [(q.question, v.helpful, v.channel) for v, q in rows]


def _updates(slack: SlackApp, channel: str) -> list[Call]:
    return [c for c in slack.fake.calls_to("chat.update") if c.body.get("channel") == channel]


def test_a_not_helpful_click_records_the_vote_and_offers_a_person(slack: SlackApp) -> None:
    assert slack.platform.dm("U1", "How long do you keep my data?").status_code == 200
    answer = slack.fake.wait_posts(1, "DU1")[0]
    up, down = _feedback_values(answer)
    assert up.startswith("up:") and down.startswith("down:")

    assert slack.platform.click("U1", answer, down).status_code == 200
    update = wait_until(lambda: _updates(slack, "DU1"), what="the rated message updated")[0]
    assert update.body["ts"] == answer.ts
    blocks = _blocks(update)
    text = json.dumps(blocks)
    assert "feedback" not in [b.get("block_id") for b in blocks]  # the buttons are gone
    assert "Thanks for telling us" in text and "The personal data will be stored" in text  # the answer stays
    person = [e for b in blocks if b.get("type") == "actions" for e in b["elements"] if e["value"] == "start:handoff"]
    assert person and person[0]["text"]["text"] == "Talk to a person"
    assert _votes(slack) == [("How long do you keep my data?", False, "slack")]

    # Talk to a person: the handoff request starts in the DM.
    slack.platform.click("U1", update_as_post(update, answer), "start:handoff")
    reply = slack.fake.wait_posts(2, "DU1")[1]
    assert "person" in reply.body["text"].lower() or "privacy team" in reply.body["text"].lower()


def update_as_post(update: Call, original: Call) -> Call:
    """The message as it reads after chat.update (the fake's click looks the button up there)."""
    return Call(
        original.http_method,
        original.path,
        original.api,
        {**original.body, "blocks": _blocks(update)},
        original.status,
        original.ok,
        original.answer,
    )


def test_a_second_click_changes_the_vote_and_a_mention_answer_can_be_rated(slack: SlackApp) -> None:
    slack.platform.mention("U1", "CGENERAL", "what cookies do you use?", ts="1800000000.000900")
    answer = slack.fake.wait_posts(1, "CGENERAL")[0]
    up, down = _feedback_values(answer)
    slack.platform.click("U2", answer, up, channel="CGENERAL")
    wait_until(lambda: _votes(slack), what="the vote")
    slack.platform.click("U2", answer, down, channel="CGENERAL")
    wait_until(lambda: _votes(slack) and not _votes(slack)[0][1], what="the vote changed")
    assert len(_votes(slack)) == 1


def test_a_click_on_another_users_dm_answer_is_ignored(slack: SlackApp) -> None:
    slack.platform.dm("U1", "How long do you keep my data?")
    answer = slack.fake.wait_posts(1, "DU1")[0]
    _, down = _feedback_values(answer)
    # U2 replays U1's button in their own DM: the answer is not theirs.
    assert slack.platform.click("U2", answer, down, channel="DU2").status_code == 200
    threading.Event().wait(1.5)  # the click's lazy listener has long run by then
    assert _votes(slack) == [] and slack.fake.calls_to("chat.update") == []


def test_answers_in_slack_carry_feedback_buttons_and_greetings_do_not(slack: SlackApp) -> None:
    slack.platform.dm("U3", "hi")
    greeting = slack.fake.wait_posts(1, "DU3")[0]
    assert _feedback_values(greeting) == []
    slack.platform.dm("U3", "what's the best pizza in Helsinki?")
    declined = slack.fake.wait_posts(2, "DU3")[1]
    assert len(_feedback_values(declined)) == 2
