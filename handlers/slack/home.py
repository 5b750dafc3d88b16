"""App Home: the user's own requests and buttons to start a new one."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.cases.tickets import STATUS_LABELS, requester_tickets
from bot.flows import TYPE_LABELS, start_choices
from bot.store.models import Ticket
from handlers.slack.render import choice_blocks, escape
from handlers.slack.talk import SlackTalk

INTRO = (
    "I answer questions about the myKONE privacy statement and help you exercise your rights. "
    "Ask me anything in the *Messages* tab."
)


def home_view(tickets: list[Ticket]) -> dict[str, Any]:
    """The Home tab: reference, type, status and due date of each request, then start buttons."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Privacy helpdesk"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": INTRO}},
        {"type": "divider"},
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Your requests*"}},
    ]
    if not tickets:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "You haven't filed any requests yet."}]}
        )
    for ticket in tickets[:20]:  # Home views hold 100 blocks; the newest twenty are what matters
        blocks.append(
            {
                "type": "section",
                "fields": [
                    {
                        "type": "mrkdwn",
                        "text": f"*{escape(ticket.reference)}*\n{escape(TYPE_LABELS.get(ticket.type, ticket.type))}",
                    },
                    {
                        "type": "mrkdwn",
                        "text": f"*Status:* {escape(STATUS_LABELS.get(ticket.status, ticket.status))}\n"
                        f"*Due:* {ticket.due_date.isoformat()}",
                    },
                ],
            }
        )
    blocks += [{"type": "divider"}, {"type": "section", "text": {"type": "mrkdwn", "text": "*Start a request*"}}]
    blocks += choice_blocks(start_choices())
    return {"type": "home", "blocks": blocks}


def publish(talk: SlackTalk, client: WebClient, *, team_id: str, user_id: str) -> None:
    """Render and publish the user's Home tab (views.publish)."""
    requester = talk.requester(client, team_id=team_id, user_id=user_id)
    with talk.services.db.read() as session:
        view = home_view(requester_tickets(session, requester))
    client.views_publish(user_id=user_id, view=view)
