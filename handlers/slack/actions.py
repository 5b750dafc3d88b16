"""Button clicks: conversation choices (ids carry the choice) and agents' "Assign to me"."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.access.agents import get_agent_by_email
from bot.cases.lifecycle import ActionRequest, apply_action
from bot.cases.tickets import get_ticket
from bot.errors import Forbidden, HelpdeskError, TicketNotFound
from bot.store.models import Ticket
from handlers.deps import Services
from handlers.slack import render
from handlers.slack.talk import SORRY, SlackTalk, moved_to_dm_text

log = logging.getLogger("handlers.slack")
NOT_AN_AGENT = (
    "Only members of the privacy team with an agent console account can assign tickets. "
    "An admin can add you with `privacy-bot agent add <your Slack e-mail>`."
)


def acknowledge(ack: Ack) -> None:
    """Acknowledge at once (a URL button needs nothing more)."""
    ack()


def _team(body: dict[str, Any]) -> str:
    # The workspace the click happened in, as events carry it, so both reach the same DM session.
    return str((body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or "")


def action_key(body: dict[str, Any], action: dict[str, Any]) -> str:
    """One key per click (its trigger_id, else its action_ts): retries and replays collapse to one."""
    return f"slack:action:{body.get('trigger_id') or action.get('action_ts')}"[:200]


def _starts_request(choice: str) -> bool:
    return choice.startswith("start:") or choice == "status"


def register(app: App, talk: SlackTalk) -> None:
    """choice:* buttons everywhere (DM, channel, ephemeral, App Home) and the agent ticket buttons."""

    def handle_choice(body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond) -> None:
        if not talk.claim(action_key(body, action)):
            return
        try:
            on_choice(talk, body, action, client, respond)
        except Exception:
            log.exception("slack button turn failed")
            channel = (body.get("channel") or {}).get("id")
            if channel and not (body.get("container") or {}).get("is_ephemeral"):
                talk.apologise(client, channel)

    def handle_assign(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        if talk.claim(action_key(body, action)):  # a replayed click must not act twice
            on_assign(talk, body, action, client)

    app.action(re.compile(f"^{re.escape(render.CHOICE_PREFIX)}"))(ack=acknowledge, lazy=[handle_choice])
    app.action(render.ASSIGN_ACTION)(ack=acknowledge, lazy=[handle_assign])
    app.action(render.OPEN_ACTION)(acknowledge)  # Slack reports URL-button clicks too


def on_choice(
    talk: SlackTalk, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
) -> None:
    """A click is the engine's `action`; requests always continue in the user's DM."""
    choice = str(action.get("value") or action.get("action_id", "")[len(render.CHOICE_PREFIX) :])
    label = str((action.get("text") or {}).get("text") or choice)
    user, team = body["user"]["id"], _team(body)
    container = body.get("container") or {}
    channel = str((body.get("channel") or {}).get("id") or container.get("channel_id") or "")
    if container.get("type") == "view":  # App Home buttons start requests
        talk.continue_in_dm(client, team_id=team, user_id=user, action=choice)
        return
    if container.get("is_ephemeral"):  # the /privacy menu or answer
        if _starts_request(choice):
            dm = talk.continue_in_dm(client, team_id=team, user_id=user, action=choice)
            respond(
                replace_original=True,
                text=f"You chose: {render.escape(label)}" if dm == channel else moved_to_dm_text(user),
            )
        else:
            respond(delete_original=True)
        return
    message = body.get("message") or {}
    if channel.startswith("D"):  # the bot posted this message, so this is the user's DM with it
        _take_buttons_off(client, channel, message, label)
        reply = talk.turn(client, team_id=team, user_id=user, session_id=talk.dm_session(team, user), action=choice)
        talk.post(client, channel, reply, thread_ts=message.get("thread_ts"))
    elif _starts_request(choice):  # an offer under a channel answer: anyone may take it up, in private
        talk.continue_in_dm(client, team_id=team, user_id=user, action=choice)
        client.chat_postMessage(
            channel=channel, thread_ts=message.get("thread_ts") or message.get("ts"), text=moved_to_dm_text(user)
        )
    else:  # "No, thanks" under a channel answer just closes the offer
        _take_buttons_off(client, channel, message, label)


def _take_buttons_off(client: WebClient, channel: str, message: dict[str, Any], label: str) -> None:
    if not message.get("ts"):
        return
    try:
        client.chat_update(
            channel=channel,
            ts=message["ts"],
            text=message.get("text") or label,
            blocks=render.chosen_blocks(message.get("blocks") or [], label),
        )
    except SlackApiError as exc:  # cosmetic: the turn itself must still happen
        log.warning("could not update the clicked message: %s", exc.response.get("error"))


def assign(services: Services, *, email: str | None, reference: str) -> Ticket:
    """Assign the ticket to the console agent with this Slack e-mail, or raise why not."""
    with services.db.write() as session:
        agent = get_agent_by_email(session, email) if email else None
        if agent is None:
            raise Forbidden(NOT_AN_AGENT)
        ticket = get_ticket(session, reference)
        if ticket is None:
            raise TicketNotFound(f"There is no ticket {reference}.")
        apply_action(
            session, ticket, ActionRequest("assign", assignee=agent), actor=f"agent:{agent.email}", now=services.clock()
        )
        return ticket


def on_assign(talk: SlackTalk, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
    """ "Assign to me" in the agents' channel: assign, then update the message; refusals are ephemeral."""
    user, channel = body["user"]["id"], str((body.get("channel") or {}).get("id") or "")
    reference = str(action.get("value") or "")
    requester = talk.requester(client, team_id=_team(body), user_id=user)
    try:
        ticket = assign(talk.services, email=requester.email, reference=reference)
    except HelpdeskError as exc:
        client.chat_postEphemeral(channel=channel, user=user, text=render.escape(exc.message))
        return
    except Exception:
        log.exception("assigning from Slack failed")
        client.chat_postEphemeral(channel=channel, user=user, text=SORRY)
        return
    settings = talk.services.settings
    text, blocks = render.agent_ticket_message(
        reference=ticket.reference,
        type=ticket.type,
        due_date=ticket.due_date.isoformat(),
        channel=ticket.channel,
        status=ticket.status,
        assignee_user_id=user,
        console_url=render.console_url(settings.PUBLIC_URL, ticket.reference),
    )
    message = body.get("message") or {}
    if message.get("ts"):
        client.chat_update(channel=channel, ts=message["ts"], text=text, blocks=blocks)
