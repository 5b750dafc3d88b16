"""The outbox's Slack Sender: new tickets, reminders, answers and the digest to the agents' channel;
receipts, updates and the privacy team's messages to requesters as DMs."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.settings import Settings
from bot.store.models import OutboxMessage
from bot.store.outbox import PermanentFailure
from handlers.slack import render
from handlers.slack.client import web_client

log = logging.getLogger("handlers.slack")
# Errors no retry can fix; anything else (outage, 5xx, ratelimited after retries, not_in_channel
# until someone invites the bot) stays in the outbox and is tried again with backoff.
PERMANENT_ERRORS = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "channel_not_found",
        "account_inactive",
        "user_disabled",
        "is_archived",
        "cannot_dm_bot",
        "invalid_blocks",
        "msg_too_long",
        "no_text",
        "invalid_arguments",
    }
)


class SlackSender:
    """Implements bot.store.outbox.Sender for channel "slack"; raising leaves the message for a retry."""

    def __init__(self, client: WebClient, *, public_url: str) -> None:
        self.client = client
        self.public_url = public_url

    @classmethod
    def from_settings(cls, settings: Settings) -> SlackSender:
        return cls(web_client(settings), public_url=settings.PUBLIC_URL)

    def send(self, message: OutboxMessage) -> None:
        try:
            if message.kind == "agent_new_ticket":
                self._post_new_ticket(message)
            elif message.kind.startswith("agent_"):  # reminders, answers, the digest: to the channel
                self._post_to_channel(message)
            else:
                self._direct_message(message)
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "")
            if error in PERMANENT_ERRORS:
                raise PermanentFailure(f"slack: {error}") from exc
            raise

    def _post_new_ticket(self, message: OutboxMessage) -> None:
        payload = message.payload or {}
        reference = str(payload.get("reference", ""))
        text, blocks = render.agent_ticket_message(
            reference=reference,
            type=str(payload.get("type", "")),
            due_date=str(payload.get("due_date", "")),
            channel=str(payload.get("channel", "")),
            console_url=render.console_url(self.public_url, reference),
        )
        self.client.chat_postMessage(channel=message.recipient, text=text, blocks=blocks)

    def _post_to_channel(self, message: OutboxMessage) -> None:
        reference = str((message.payload or {}).get("reference") or "")
        url = render.console_url(self.public_url, reference) if reference else None
        text, blocks = render.team_message(message.subject, message.body, reference=reference or None, console_url=url)
        self.client.chat_postMessage(channel=message.recipient, text=text, blocks=blocks)

    def _direct_message(self, message: OutboxMessage) -> None:
        # The recipient is a Slack user id; a DM channel id is only known once it is opened.
        channel = self.client.conversations_open(users=message.recipient)["channel"]["id"]
        text, blocks = render.notification_message(message.subject, message.body)
        self.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
