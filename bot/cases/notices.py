"""The words of casework's notifications, one function per kind of message: to the requester (an
extension, the outcome, a message from the privacy team, a download link or code) and to the team
(an answer came in, a deadline is near, the daily digest). A requester's e-mail is rendered from
its template (bot.cases.emails) with the `mail` of its notice; the plain body goes to Slack.

Texts to the team never carry the requester's name, e-mail or words: they name the ticket and
link to the console, where access is controlled and logged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from bot.flows import TYPE_LABELS
from bot.store.models import Ticket
from bot.validation import mask_email

REJECTION_REASONS = {
    "manifestly_unfounded": "the request is manifestly unfounded",
    "excessive": "the request is excessive",
    "identity_not_verified": "we could not verify your identity",
    "other": "of the reason given below",
}
COMPLAINT_NOTICE = (
    "If you disagree with this decision, you have the right to lodge a complaint with your local "
    "data protection authority."
)


def rejection_explanation(code: str, note: str) -> str:
    """Why a request was declined, the agent's note, and the right to complain (notice and ticket card)."""
    explanation = REJECTION_REASONS.get(code, REJECTION_REASONS["other"])
    lead = f"We are unable to fulfil your request because {explanation}."
    return "\n\n".join(p for p in (lead, note, COMPLAINT_NOTICE) if p)


@dataclass(frozen=True)
class Notice:
    """A message: its subject and plain body (a Slack DM, the team's e-mails) and, for a requester's
    e-mail, what its template says beyond the ticket itself (`mail`, rendered by bot.cases.emails)."""

    subject: str
    body: str
    mail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Download:
    """The link that hands the requester their copy, and until when it works."""

    url: str
    expires_at: datetime


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
    return Notice(
        f"{what.capitalize()} about your privacy request {ticket.reference}",
        body,
        {"text": text, "expects_reply": expects_reply},
    )


def _download_mail(ticket: Ticket, download: Download) -> dict[str, Any]:
    return {
        "download_url": download.url,
        "download_expires": f"{download.expires_at:%Y-%m-%d %H:%M} UTC",
        "masked_email": mask_email(ticket.requester_email),
    }


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
    return Notice(
        f"A new copy of your data for request {ticket.reference}",
        "\n\n".join(p for p in parts if p),
        {"note": note or "", **_download_mail(ticket, Download(url, expires_at))},
    )


def download_code(code: str, reference: str) -> Notice:
    """The code that opens a download (same rules as the chat's codes)."""
    return Notice(
        f"Your code to download the data of request {reference}",
        f"Your code is {code}.\n\nIt expires in 10 minutes. If you did not try to download your data, you can "
        "ignore this e-mail: without the code the link is useless.",
        {"reference": reference},
    )


def extended(ticket: Ticket, *, reason: str, old_due: date) -> Notice:
    """The due date moved (once, by one or two months), with the agent's reason."""
    return Notice(
        f"Your privacy request {ticket.reference} needs more time",
        f"We need more time to handle your request {ticket.reference} ({_type(ticket)}).\n\n"
        f"Reason: {reason}\n\nThe new due date is {ticket.due_date.isoformat()} (it was {old_due.isoformat()}).",
        {"reason": reason, "old_due_date": old_due.isoformat(), "new_due_date": ticket.due_date.isoformat()},
    )


def completed(ticket: Ticket, *, note: str, download: Download | None = None) -> Notice:
    """The request is done: the agent's resolution note (and, for a copy of the data, its link)."""
    body = f"Your request {ticket.reference} ({_type(ticket)}) has been completed.\n\n{note}"
    mail: dict[str, Any] = {"note": note, "show_due": False}
    if download is not None:
        body += "\n\n" + download_ready(ticket, url=download.url, expires_at=download.expires_at)
        mail.update(_download_mail(ticket, download))
    return Notice(f"Your privacy request {ticket.reference} is complete", body, mail)


def rejected(ticket: Ticket, *, code: str, note: str) -> Notice:
    """The request is declined: why, and the right to complain to a data-protection authority."""
    explanation = REJECTION_REASONS.get(code, REJECTION_REASONS["other"])
    body = f"Your request {ticket.reference} ({_type(ticket)}) was declined.\n\n" + rejection_explanation(code, note)
    return Notice(
        f"Your privacy request {ticket.reference} was declined",
        body,
        {"explanation": explanation, "note": note, "show_due": False},
    )


def withdrawn(ticket: Ticket) -> Notice:
    """The requester withdrew the request."""
    return Notice(
        f"Your privacy request {ticket.reference} was withdrawn",
        f"As you asked, your request {ticket.reference} ({_type(ticket)}) has been withdrawn. "
        "Nothing more will be done with it.",
        {"show_due": False},
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
