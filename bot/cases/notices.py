"""The words of casework's notifications, one function per kind of message (so each can become a
template later): to the requester (a message from the privacy team, a download link, a download
code) and to the team (an answer came in, a deadline is near, the daily digest).

Texts to the team never carry the requester's name, e-mail or words: they name the ticket and
link to the console, where access is controlled and logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote

from bot.flows import TYPE_LABELS
from bot.store.models import Ticket
from bot.validation import mask_email


@dataclass(frozen=True)
class Notice:
    subject: str
    body: str


def console_link(public_url: str, reference: str) -> str:
    """Where agents open a ticket."""
    return f"{public_url.rstrip('/')}/console/tickets/{quote(reference, safe='')}"


def _type(ticket: Ticket) -> str:
    return TYPE_LABELS.get(ticket.type, ticket.type)


def quoted(text: str) -> str:
    """Someone else's words as a quote block ("> " lines), as the chat renders quotes."""
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


# -- to the requester ------------------------------------------------------------------------
def team_message(ticket: Ticket, text: str, *, expects_reply: bool, by_slack: bool) -> Notice:
    """A message an agent wrote on the requester's ticket."""
    what = "a question" if expects_reply else "a message"
    if by_slack:
        how = (
            "Just reply here in this conversation with your answer — I'll show it to you before passing it on."
            if expects_reply
            else f'If you want to answer, reply here or say "reply to {ticket.reference}".'
        )
    else:
        how = (
            f'To answer, open the privacy assistant on the portal and say "reply to {ticket.reference}" — '
            "we'll confirm it's you first. Please don't reply to this e-mail."
        )
    body = (
        f"The privacy team has {what} about your request {ticket.reference} ({_type(ticket)}):\n\n"
        f"{quoted(text)}\n\n{how}"
    )
    if expects_reply:
        body += f"\n\nYour request's due date stays {ticket.due_date.isoformat()}."
    return Notice(f"{what.capitalize()} about your privacy request {ticket.reference}", body)


def download_ready(ticket: Ticket, *, url: str, expires_at: datetime) -> str:
    """The paragraph that hands the requester their copy (added to the completion notice)."""
    return (
        f"Your copy of your personal data is ready to download:\n{url}\n\n"
        f"The link works until {expires_at:%Y-%m-%d %H:%M} UTC. When you open it, we'll send a 6-digit code to "
        f"{mask_email(ticket.requester_email)} to confirm it's you, so the link is useless to anyone else. "
        "Each download is recorded."
    )


def new_copy(ticket: Ticket, *, url: str, expires_at: datetime, note: str | None) -> Notice:
    """A fresh copy for a completed request (the earlier link no longer works)."""
    parts = [
        f"The privacy team has prepared a new copy of your data for request {ticket.reference} ({_type(ticket)}). "
        "Any earlier download link no longer works.",
        note or "",
        download_ready(ticket, url=url, expires_at=expires_at),
    ]
    return Notice(f"A new copy of your data for request {ticket.reference}", "\n\n".join(p for p in parts if p))


def download_code(code: str, reference: str) -> Notice:
    """The code that opens a download (same rules as the chat's codes)."""
    return Notice(
        f"Your code to download the data of request {reference}",
        f"Your code is {code}.\n\nIt expires in 10 minutes. If you did not try to download your data, you can "
        "ignore this e-mail: without the code the link is useless.",
    )


# -- to the privacy team ----------------------------------------------------------------------
def requester_answered(ticket: Ticket, *, public_url: str) -> Notice:
    return Notice(
        f"The requester answered on {ticket.reference}",
        f"The requester of {ticket.reference} ({_type(ticket)}) has answered the privacy team's question. "
        f"Read it in the console: {console_link(public_url, ticket.reference)}\n\n"
        f"Due date: {ticket.due_date.isoformat()}.",
    )


def deadline_reminder(ticket: Ticket, *, days_left: int, public_url: str, assigned: bool) -> Notice:
    when = (
        f"is {-days_left} day{'s' if days_left != -1 else ''} overdue"
        if days_left < 0
        else "is due today"
        if days_left == 0
        else f"is due in {days_left} day{'s' if days_left != 1 else ''}"
    )
    who = "" if assigned else " It is not assigned to anyone yet."
    subject = f"{ticket.reference} {when} ({ticket.due_date.isoformat()})"
    body = (
        f"Request {ticket.reference} ({_type(ticket)}, {ticket.status.replace('_', ' ')}) {when}: "
        f"the due date is {ticket.due_date.isoformat()}.{who}\n\n"
        f"Open it in the console: {console_link(public_url, ticket.reference)}"
    )
    if ticket.awaiting_requester_since is not None:
        body += "\n\nA question to the requester is still open; the due date does not move while it waits."
    return Notice(subject, body)


@dataclass(frozen=True)
class DigestFigures:
    """What the daily digest reports."""

    day: date
    open: int
    due_this_week: int
    overdue: int
    waiting_for_requester: int
    unassigned: int
    overdue_references: tuple[str, ...]


def digest(figures: DigestFigures, *, public_url: str) -> Notice:
    lines = [
        f"Privacy requests on {figures.day.isoformat()}:",
        f"• Open: {figures.open} ({figures.unassigned} unassigned)",
        f"• Due within 7 days: {figures.due_this_week}",
        f"• Overdue: {figures.overdue}",
        f"• Waiting for the requester: {figures.waiting_for_requester}",
    ]
    if figures.overdue_references:
        lines += ["", "Overdue: " + ", ".join(figures.overdue_references)]
    lines += ["", f"The queue: {public_url.rstrip('/')}/console/tickets"]
    return Notice(f"Privacy requests digest {figures.day.isoformat()}", "\n".join(lines))
