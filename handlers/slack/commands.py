"""The /privacy slash command: help and a menu of requests, or an answer — always ephemeral."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.validation import clean_text
from handlers.slack import render
from handlers.slack.talk import SORRY, SlackTalk, moved_to_dm_text

log = logging.getLogger("handlers.slack")
HELP_WORDS = {"", "help", "menu", "?"}


def _text(command: dict[str, Any]) -> str:
    return clean_text(render.from_slack(command.get("text") or ""))


def command_key(command: dict[str, Any]) -> str:
    """One key per invocation: Slack gives each its own trigger_id, so a replayed request (the
    same signed body, sent again within the five-minute window) is recognised and dropped."""
    trigger = command.get("trigger_id") or hashlib.sha256(json.dumps(command, sort_keys=True).encode()).hexdigest()
    return f"slack:command:{command.get('team_id', '')}:{trigger}"[:200]


def register(app: App, talk: SlackTalk) -> None:
    """`/privacy` → help and request buttons; `/privacy <question>` → the answer, only to the user."""

    def ack_privacy(ack: Ack, command: dict[str, Any]) -> None:
        if _text(command).lower() in HELP_WORDS:
            if not talk.claim(command_key(command)):  # a replayed signed request: already answered
                ack()
                return
            text, blocks = render.help_message()
            ack(response_type="ephemeral", text=text, blocks=blocks)
        else:
            ack()  # the answer follows through the response URL

    def answer_privacy(command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        text = _text(command)
        if text.lower() in HELP_WORDS or not talk.claim(command_key(command)):
            return
        team, user, channel = command.get("team_id", ""), command.get("user_id", ""), command.get("channel_id", "")
        try:
            # A one-off conversation per command: a channel never holds a request's state.
            reply = talk.turn(
                client,
                team_id=team,
                user_id=user,
                text=text,
                public=True,
                session_id=talk.thread_session(team, channel, str(command.get("trigger_id", ""))),
            )
            if reply.continue_in_dm:
                dm = talk.continue_in_dm(client, team_id=team, user_id=user, action=reply.continue_in_dm)
                if dm != channel:
                    respond(response_type="ephemeral", text=moved_to_dm_text(user))
                return
        except Exception:
            log.exception("/privacy failed")
            respond(response_type="ephemeral", text=SORRY)
            return
        reply_text, blocks = render.reply_message(reply, public_url=talk.services.settings.PUBLIC_URL)
        respond(response_type="ephemeral", text=reply_text, blocks=blocks)

    app.command("/privacy")(ack=ack_privacy, lazy=[answer_privacy])
