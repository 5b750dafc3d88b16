"""Feedback buttons under answers: a click records the vote and replaces the buttons with a thank-you
(after "not helpful", with a button to reach a person)."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.store.models import AskedQuestion
from bot.teaching.feedback import HANDOFF_ACTION, TALK_TO_A_PERSON, thanks, vote
from bot.types import Choice
from handlers.slack import render
from handlers.slack.actions import action_key
from handlers.slack.talk import SlackTalk

log = logging.getLogger("handlers.slack")
_VALUE = re.compile(r"^(up|down):(\d{1,18})$")


def register(app: App, talk: SlackTalk) -> None:
    """feedback:up / feedback:down on any answer the bot posted."""

    def acknowledge(ack: Ack) -> None:
        ack()

    def handle(body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond) -> None:
        if talk.claim(action_key(body, action)):
            try:
                on_feedback(talk, body, action, client, respond)
            except Exception:
                log.exception("slack feedback click failed")

    app.action(re.compile(f"^{re.escape(render.FEEDBACK_PREFIX)}"))(ack=acknowledge, lazy=[handle])


def on_feedback(
    talk: SlackTalk, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
) -> None:
    """Record the vote on the answer the button belongs to, then thank the user in its place."""
    match = _VALUE.match(str(action.get("value") or ""))
    if match is None:
        return
    helpful, answer_id = match.group(1) == "up", int(match.group(2))
    user = body["user"]["id"]
    team = str((body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or "")
    container = body.get("container") or {}
    channel = str((body.get("channel") or {}).get("id") or container.get("channel_id") or "")
    services = talk.services
    with services.db.write() as session:
        answer = session.get(AskedQuestion, answer_id)
        # A Slack answer only; in a DM, only the DM's own person votes on it.
        if answer is None or answer.channel != "slack":
            return
        if channel.startswith("D") and answer.session_id != talk.dm_session(team, user):
            log.warning("a feedback click named another conversation's answer; ignored")
            return
        vote(session, question_id=answer_id, helpful=helpful, channel="slack", now=services.clock())
    person = None if helpful else Choice(HANDOFF_ACTION, TALK_TO_A_PERSON)
    message = body.get("message") or {}
    blocks = render.voted_blocks(message.get("blocks") or [], thanks=thanks(helpful), person=person)
    if container.get("is_ephemeral"):  # Slack does not send an ephemeral answer back: thank beside it
        respond(
            replace_original=False,
            text=thanks(helpful),
            blocks=render.voted_blocks([], thanks=thanks(helpful), person=person),
        )
        return
    if not message.get("ts"):
        return
    try:
        client.chat_update(channel=channel, ts=message["ts"], text=message.get("text") or "", blocks=blocks)
    except SlackApiError as exc:  # cosmetic: the vote is recorded
        log.warning("could not update the rated message: %s", exc.response.get("error"))
