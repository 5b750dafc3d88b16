"""What every Slack listener shares: who the Slack user is, handle-once claims, engine turns, posting."""

from __future__ import annotations

import logging
import random
import threading
import time
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import HelpdeskError, InvalidInput, StoreUnavailable
from bot.store import dedupe
from bot.store.conversations import keyed_session_id
from bot.types import Inbound, Reply, Requester
from bot.validation import clean_text, validate_email
from handlers.deps import Services
from handlers.slack import render

log = logging.getLogger("handlers.slack")
PROFILE_TTL_SECONDS = 300.0  # users.info per turn would be slow; a profile change shows within minutes
MAX_PROFILES = 10_000
PURGE_ONE_IN = 200  # claims that also purge day-old keys: housekeeping without a scheduler
SORRY = "Sorry, something went wrong on my side. Please try again in a moment."


def dm_session(secret: str, team_id: str, user_id: str) -> str:
    """The conversation of one user's DM with the bot: stable, so any process continues it, and
    keyed with SECRET_KEY, so no one can derive it from the (public) team and user ids."""
    return keyed_session_id(secret, "slack", team_id, user_id)


def thread_session(secret: str, team_id: str, channel_id: str, ts: str) -> str:
    """A one-message conversation in a channel (a mention, a /privacy question): no flow state
    carries over there, so nothing can make a channel collect personal data. Keyed like DMs."""
    return keyed_session_id(secret, "slack-m", team_id, channel_id, ts)


class SlackTalk:
    """The glue between Bolt listeners and the engine; holds no essential state."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._profiles: dict[str, tuple[float, Requester]] = {}
        self._lock = threading.Lock()

    def dm_session(self, team_id: str, user_id: str) -> str:
        return dm_session(self.services.settings.SECRET_KEY, team_id, user_id)

    def thread_session(self, team_id: str, channel_id: str, ts: str) -> str:
        return thread_session(self.services.settings.SECRET_KEY, team_id, channel_id, ts)

    # -- identity --------------------------------------------------------------------------
    def requester(self, client: WebClient, *, team_id: str, user_id: str) -> Requester:
        """The Slack user as requester: verified by Slack when their profile e-mail is readable."""
        with self._lock:
            cached = self._profiles.get(user_id)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        try:
            user = client.users_info(user=user_id)["user"] or {}
        except SlackApiError as exc:
            # Without a profile the engine falls back to the e-mail code: slower, never wrong.
            log.warning("users.info failed for a Slack user: %s", exc.response.get("error"))
            return Requester(slack_user_id=user_id, slack_team_id=team_id)
        profile = user.get("profile") or {}
        try:
            email: str | None = validate_email(profile.get("email") or "")
        except InvalidInput:
            email = None
        name = clean_text(profile.get("real_name") or user.get("real_name") or "")[:200] or None
        requester = Requester(
            email=email,
            name=name,
            verified_via="slack" if email else None,
            slack_user_id=user_id,
            slack_team_id=user.get("team_id") or team_id,
        )
        with self._lock:
            if len(self._profiles) >= MAX_PROFILES:  # a cache, not a directory: start afresh
                self._profiles.clear()
            self._profiles[user_id] = (time.monotonic() + PROFILE_TTL_SECONDS, requester)
        return requester

    # -- handle once -----------------------------------------------------------------------
    def claim(self, key: str) -> bool:
        """True for the first delivery of `key` in any process; later ones are logged and dropped."""
        now = self.services.clock()
        try:
            with self.services.db.write() as session:
                claimed = dedupe.claim(session, key, now)
                if claimed and random.randrange(PURGE_ONE_IN) == 0:
                    dedupe.purge(session, now=now)
        except StoreUnavailable:
            # The engine still answers what the statement can answer: a rare duplicate beats silence.
            log.warning("database unavailable; handling a Slack delivery without the handle-once check")
            return True
        if not claimed:
            log.info("slack delivery already handled; skipped", extra={"dedupe_key": key})
        return claimed

    def release(self, key: str) -> None:
        """Handling failed: let Slack's redelivery try again."""
        try:
            with self.services.db.write() as session:
                dedupe.release(session, key)
        except Exception:  # the database may be what failed; the key then expires with the purge
            log.warning("could not release dedupe key %s", key, exc_info=True)

    # -- turns -----------------------------------------------------------------------------
    def turn(
        self,
        client: WebClient,
        *,
        team_id: str,
        user_id: str,
        session_id: str,
        text: str = "",
        action: str | None = None,
        public: bool = False,
    ) -> Reply:
        """One engine turn as this Slack user; over-long messages get the engine's own message.

        `public`: said in a channel. A request is then not started there: the reply says where
        it continues (`Reply.continue_in_dm`) and `continue_in_dm` takes it to the user's DM.
        """
        requester = self.requester(client, team_id=team_id, user_id=user_id)
        inbound = Inbound(
            channel="slack", text=text, session_id=session_id, action=action, requester=requester, public=public
        )
        try:
            return self.services.engine.handle(inbound)
        except HelpdeskError as exc:
            return Reply(session_id=session_id, reply=exc.message, intent="out_of_scope")

    def post(self, client: WebClient, channel: str, reply: Reply, *, thread_ts: str | None = None) -> Any:
        text, blocks = render.reply_message(reply, public_url=self.services.settings.PUBLIC_URL)
        return client.chat_postMessage(channel=channel, text=text, blocks=blocks, thread_ts=thread_ts)

    def open_dm(self, client: WebClient, user_id: str) -> str:
        return str(client.conversations_open(users=user_id)["channel"]["id"])

    def continue_in_dm(self, client: WebClient, *, team_id: str, user_id: str, action: str) -> str:
        """Take the turn in the user's DM with the bot (requests never run in a channel)."""
        channel = self.open_dm(client, user_id)
        reply = self.turn(
            client, team_id=team_id, user_id=user_id, session_id=self.dm_session(team_id, user_id), action=action
        )
        self.post(client, channel, reply)
        return channel

    def apologise(self, client: WebClient, channel: str, thread_ts: str | None = None) -> None:
        """Best effort: tell the user a turn failed rather than leave them waiting."""
        try:
            client.chat_postMessage(channel=channel, text=SORRY, thread_ts=thread_ts)
        except Exception:
            log.warning("could not post the apology either", exc_info=True)


def moved_to_dm_text(user_id: str) -> str:
    return (
        f"<@{render.escape(user_id)}> I've sent you a direct message so we can handle your request "
        "privately — personal details never go in a channel."
    )
