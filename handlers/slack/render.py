"""Slack text in and Block Kit out: every piece of user or bot text is escaped for mrkdwn."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from bot.cases.tickets import STATUS_LABELS
from bot.conversation.turn import menu
from bot.flows import TYPE_LABELS
from bot.types import Choice, Citation, Expecting, Reply, TicketSummary

SECTION_CHARS = 2900  # Slack allows 3000 characters per section text
FALLBACK_CHARS = 3000
BUTTON_CHARS = 75
CHOICES_BLOCK = "choices"
CHOICE_PREFIX = "choice:"
FEEDBACK_BLOCK = "feedback"
FEEDBACK_PREFIX = "feedback:"
ASSIGN_ACTION = "ticket:assign"
OPEN_ACTION = "ticket:open"
HELP_TEXT = (
    "*Privacy helpdesk* — I answer questions about the myKONE privacy statement, quoting it, and help "
    "you exercise your rights over your personal data.\n"
    "• Send me a direct message, or mention me in a channel with a question.\n"
    "• Ask right here: `/privacy how long do you keep my data?`\n"
    "• Or pick a request below — we'll continue privately in a direct message."
)
_SLACK_LINK = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def escape(text: str) -> str:
    """Slack's three control characters, so user text can't become a mention, link or @channel."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def from_slack(text: str, *, bot_user_id: str | None = None) -> str:
    """What the user typed, from Slack's encoding: links, mailto's and mentions made plain."""

    def plain(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if bot_user_id and target == f"@{bot_user_id}":
            return ""
        if target.startswith(("@", "#")):
            return f"{target[0]}{label}" if label else ""
        if target.startswith("!"):
            return f"@{label or target[1:]}"
        if target.startswith("mailto:"):
            return label or target[len("mailto:") :]
        return label or target

    text = _SLACK_LINK.sub(plain, text or "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def mrkdwn(text: str) -> str:
    """The bot's light markdown as mrkdwn: quoted lines stay quotes, everything else is escaped."""
    lines = []
    for line in text.splitlines():
        if line.startswith("> "):
            lines.append("> " + escape(line[2:]))
        elif line.startswith("— ") and "_" not in line:  # the citation under a quote
            lines.append(f"_{escape(line)}_")
        else:
            lines.append(escape(line))
    return "\n".join(lines)


def section_label(citation: Citation) -> str:
    return citation.title if citation.section == "intro" else f"Section {citation.section} – {citation.title}"


def _sections(text: str) -> list[dict[str, Any]]:
    """Split long text at paragraph breaks into section blocks Slack accepts."""
    chunks: list[str] = []
    for paragraph in text.split("\n\n"):
        while len(paragraph) > SECTION_CHARS:
            chunks.append(paragraph[:SECTION_CHARS])
            paragraph = paragraph[SECTION_CHARS:]
        if chunks and len(chunks[-1]) + len(paragraph) + 2 <= SECTION_CHARS:
            chunks[-1] += "\n\n" + paragraph
        else:
            chunks.append(paragraph)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": c}} for c in chunks if c.strip()]


def _button(choice: Choice) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "action_id": f"{CHOICE_PREFIX}{choice.id}"[:255],
        "value": choice.id,
        "text": {"type": "plain_text", "text": choice.label[:BUTTON_CHARS], "emoji": False},
    }
    if choice.id == "yes":
        button["style"] = "primary"
    return button


def choice_blocks(choices: tuple[Choice, ...]) -> list[dict[str, Any]]:
    """Buttons whose action ids carry the choice ids (Slack allows 25 per actions block)."""
    blocks = []
    for start in range(0, len(choices), 25):
        block_id = CHOICES_BLOCK if start == 0 else f"{CHOICES_BLOCK}-{start}"
        blocks.append(
            {"type": "actions", "block_id": block_id, "elements": [_button(c) for c in choices[start : start + 25]]}
        )
    return blocks


def _ticket_fields(ticket: TicketSummary) -> dict[str, Any]:
    return {
        "type": "section",
        "fields": [
            {"type": "mrkdwn", "text": f"*Reference*\n{escape(ticket.reference)}"},
            {"type": "mrkdwn", "text": f"*Type*\n{escape(TYPE_LABELS.get(ticket.type, ticket.type))}"},
            {"type": "mrkdwn", "text": f"*Status*\n{escape(STATUS_LABELS.get(ticket.status, ticket.status))}"},
            {"type": "mrkdwn", "text": f"*Due date*\n{escape(ticket.due_date)}"},
            # Once closed: what became of it (the resolution, or why it was declined).
            *([{"type": "mrkdwn", "text": f"*Outcome*\n{escape(ticket.outcome)[:1900]}"}] if ticket.outcome else []),
        ],
    }


def _input_hint(expecting: Expecting | None) -> list[dict[str, Any]]:
    if expecting is None or expecting.kind not in ("text", "email", "code"):
        return []
    hint = (
        'Type your answer here, or say "cancel" to stop.' if expecting.kind != "code" else "Type the 6-digit code here."
    )
    return [{"type": "context", "elements": [{"type": "mrkdwn", "text": hint}]}]


def statement_links(citations: tuple[Citation, ...], public_url: str) -> list[dict[str, Any]]:
    """ "Read it in the statement": a link to each cited section on the statement page."""
    if not citations or not public_url:
        return []
    base = public_url.rstrip("/")
    links = dict.fromkeys(f"<{base}{c.url}|{escape(section_label(c))}>" for c in citations)
    return [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "Read it in the statement: " + " · ".join(links)}]}
    ]


def reply_message(reply: Reply, *, public_url: str = "") -> tuple[str, list[dict[str, Any]]]:
    """(notification text, blocks) for one engine reply; `public_url` links its citations to the statement."""
    text = mrkdwn(reply.reply)
    blocks = _sections(text)
    for citation in reply.citations:
        if citation.quote not in reply.reply:  # LLM-phrased answers: show the passage they rest on
            quote = "\n".join(f"> {escape(line)}" for line in citation.quote.splitlines())
            blocks.append(
                {
                    "type": "context",
                    "elements": [
                        {"type": "mrkdwn", "text": f"{quote}\n— {escape(section_label(citation))}"[:SECTION_CHARS]}
                    ],
                }
            )
    blocks += statement_links(reply.citations, public_url)
    if reply.ticket is not None:
        blocks.append(_ticket_fields(reply.ticket))
    if reply.expecting is not None and reply.expecting.choices:
        blocks += choice_blocks(reply.expecting.choices)
    blocks += _input_hint(reply.expecting)
    if reply.answer_id is not None:
        blocks.append(feedback_block(reply.answer_id))
    return text[:FALLBACK_CHARS], blocks[:50]


def feedback_block(answer_id: int) -> dict[str, Any]:
    """Helpful / not helpful under an answer; the value names the kept question it answered."""
    buttons = (("up", "Helpful"), ("down", "Not helpful"))
    return {
        "type": "actions",
        "block_id": FEEDBACK_BLOCK,
        "elements": [
            {
                "type": "button",
                "action_id": f"{FEEDBACK_PREFIX}{kind}",
                "value": f"{kind}:{answer_id}",
                "text": {"type": "plain_text", "text": label, "emoji": False},
            }
            for kind, label in buttons
        ],
    }


def voted_blocks(blocks: list[dict[str, Any]], *, thanks: str, person: Choice | None) -> list[dict[str, Any]]:
    """The answer with its feedback buttons replaced by a thank-you (and, after "not helpful",
    a button to reach a person unless the message already offers one)."""
    kept = [b for b in blocks if b.get("block_id") != FEEDBACK_BLOCK]
    kept.append(
        {"type": "context", "block_id": "feedback-thanks", "elements": [{"type": "mrkdwn", "text": escape(thanks)}]}
    )
    offered = {e.get("value") for b in kept if b.get("type") == "actions" for e in b.get("elements", [])}
    if person is not None and person.id not in offered:
        kept.append({"type": "actions", "block_id": f"{CHOICES_BLOCK}-person", "elements": [_button(person)]})
    return kept[:50]


def chosen_blocks(blocks: list[dict[str, Any]], label: str) -> list[dict[str, Any]]:
    """The clicked message without its buttons, noting the choice (so a second click can't act)."""
    kept = [b for b in blocks if not str(b.get("block_id", "")).startswith(CHOICES_BLOCK)]
    note = {"type": "context", "elements": [{"type": "mrkdwn", "text": f"You chose: *{escape(label)}*"}]}
    return [*kept, note][:50]


def help_message() -> tuple[str, list[dict[str, Any]]]:
    """The /privacy help with the menu of requests."""
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": HELP_TEXT}}, *choice_blocks(menu().choices)]
    return "Privacy helpdesk: ask a question or pick a request.", blocks


def notification_message(subject: str, body: str) -> tuple[str, list[dict[str, Any]]]:
    """A receipt or status change for the requester's DM."""
    text = f"*{escape(subject)}*\n\n{mrkdwn(body)}" if subject else mrkdwn(body)
    return text[:FALLBACK_CHARS], _sections(text)[:50]


def team_message(
    subject: str, body: str, *, reference: str | None, console_url: str | None
) -> tuple[str, list[dict[str, Any]]]:
    """A reminder, an answer or the digest for the agents' channel, with "Open in console" for a ticket."""
    text, blocks = notification_message(subject, body)
    if reference and console_url:
        blocks.append(
            {
                "type": "actions",
                "block_id": "ticket",
                "elements": [
                    {
                        "type": "button",
                        "action_id": OPEN_ACTION,
                        "value": reference,
                        "url": console_url,
                        "text": {"type": "plain_text", "text": "Open in console"},
                    }
                ],
            }
        )
    return text, blocks[:50]


def console_url(public_url: str, reference: str) -> str:
    """Where agents open a ticket in the console."""
    return f"{public_url.rstrip('/')}/console/tickets/{quote(reference, safe='')}"


def agent_ticket_message(
    *,
    reference: str,
    type: str,
    due_date: str,
    channel: str,
    console_url: str,
    status: str = "open",
    assignee_user_id: str | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """A new ticket for the agents' channel: what and when, not who (the console has the rest)."""
    label = TYPE_LABELS.get(type, type)
    fields = [
        {"type": "mrkdwn", "text": f"*Type*\n{escape(label)}"},
        {"type": "mrkdwn", "text": f"*Due date*\n{escape(due_date)}"},
        {"type": "mrkdwn", "text": f"*Received via*\n{escape(channel)}"},
        {"type": "mrkdwn", "text": f"*Status*\n{escape(STATUS_LABELS.get(status, status))}"},
    ]
    if assignee_user_id:
        fields.append({"type": "mrkdwn", "text": f"*Assigned to*\n<@{escape(assignee_user_id)}>"})
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*New privacy request* `{escape(reference)}`"}},
        {"type": "section", "fields": fields},
        {
            "type": "actions",
            "block_id": "ticket",
            "elements": [
                {
                    "type": "button",
                    "action_id": ASSIGN_ACTION,
                    "value": reference,
                    "style": "primary",
                    "text": {"type": "plain_text", "text": "Assign to me"},
                },
                {
                    "type": "button",
                    "action_id": OPEN_ACTION,
                    "value": reference,
                    "url": console_url,
                    "text": {"type": "plain_text", "text": "Open in console"},
                },
            ],
        },
    ]
    return escape(f"New privacy request {reference}: {label}, due {due_date}"), blocks
