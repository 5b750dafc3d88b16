"""Events API listeners: DMs, mentions and App Home. Each acks at once; the work runs lazily."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.validation import clean_text
from handlers.slack import home
from handlers.slack.render import from_slack
from handlers.slack.talk import SlackTalk, moved_to_dm_text

log = logging.getLogger("handlers.slack")


def acknowledge(ack: Ack) -> None:
    """Slack wants an answer within 3 seconds: give it before any slow work."""
    ack()


def message_key(team_id: str, channel: str, ts: str) -> str:
    """One key per Slack message, so a retry and a message/app_mention pair collapse to one turn."""
    return f"slack:msg:{team_id}:{channel}:{ts}"


def team_of(body: dict[str, Any], event: dict[str, Any]) -> str:
    return str(body.get("team_id") or event.get("team") or "")


def register(app: App, talk: SlackTalk) -> None:
    """DMs (message.im), mentions (app_mention) and the App Home tab (app_home_opened)."""

    def handle_message(event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return  # edits, deletions, bot posts (ours too) and other channels are not turns
        message_turn(
            talk, client, event, team_id=team_of(body, event), bot_user_id=context.bot_user_id, in_channel=False
        )

    def handle_mention(event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if event.get("subtype") or event.get("bot_id"):
            return
        in_channel = not str(event.get("channel", "")).startswith("D")  # a mention inside the bot's DM is a DM
        message_turn(
            talk, client, event, team_id=team_of(body, event), bot_user_id=context.bot_user_id, in_channel=in_channel
        )

    def handle_home(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") != "home" or not event.get("user"):
            return
        # Retried or replayed deliveries carry the same event_id: publish once.
        if body.get("event_id") and not talk.claim(f"slack:event:{team_of(body, event)}:{body['event_id']}"[:200]):
            return
        home.publish(talk, client, team_id=team_of(body, event), user_id=event["user"])

    app.event("message")(ack=acknowledge, lazy=[handle_message])
    app.event("app_mention")(ack=acknowledge, lazy=[handle_mention])
    app.event("app_home_opened")(ack=acknowledge, lazy=[handle_home])


def _claim(talk: SlackTalk, event: dict[str, Any], team_id: str) -> tuple[str, str, str, str] | None:
    """(channel, ts, user, key) of a message this process is the first to take, else None."""
    channel, ts, user = event.get("channel"), event.get("ts"), event.get("user")
    if not (channel and ts and user):
        return None
    key = message_key(team_id, channel, ts)
    return (channel, ts, user, key) if talk.claim(key) else None


def message_turn(
    talk: SlackTalk,
    client: WebClient,
    event: dict[str, Any],
    *,
    team_id: str,
    bot_user_id: str | None,
    in_channel: bool,
) -> None:
    """One message as a turn. In the DM: the user's whole conversation, requests included. In a
    channel (a mention): a one-message conversation answered in its thread; a request said there
    continues in the user's DM, since requests collect personal data."""
    claimed = _claim(talk, event, team_id)
    if claimed is None:
        return
    channel, ts, user, key = claimed
    thread = event.get("thread_ts") or (ts if in_channel else None)
    session_id = talk.thread_session(team_id, channel, ts) if in_channel else talk.dm_session(team_id, user)
    try:
        text = clean_text(from_slack(event.get("text") or "", bot_user_id=bot_user_id))
        reply = talk.turn(client, team_id=team_id, user_id=user, session_id=session_id, text=text, public=in_channel)
        if reply.continue_in_dm:
            talk.continue_in_dm(client, team_id=team_id, user_id=user, action=reply.continue_in_dm)
            client.chat_postMessage(channel=channel, thread_ts=thread, text=moved_to_dm_text(user))
            return
    except Exception:
        talk.release(key)  # nothing was decided: a redelivery may take the turn
        log.exception("slack %s turn failed", "mention" if in_channel else "DM")
        talk.apologise(client, channel, thread)
        return
    talk.post(client, channel, reply, thread_ts=thread)
