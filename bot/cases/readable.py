"""The case file in words, for people: the audit trail as sentences, the transcript with the label of
each button the requester clicked (and the statement's quotes as quotes, not "> " lines), and what a
request asks for, in short (the queue) and in full (the CSV)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.cases.tickets import STATUS_LABELS
from bot.flows import START_LABELS
from bot.store.models import AuditEvent, Ticket, TicketTurn

VERIFICATION_LABELS = {
    "signed_identity": "Signed-in portal identity (host-signed)",
    "email_code": "Six-digit code sent to the e-mail address",
    "slack": "Slack account (workspace profile)",
}
CHANNEL_LABELS = {"web": "web chat", "slack": "Slack", "cli": "terminal", "email": "e-mail"}
REJECTION_TITLES = {
    "manifestly_unfounded": "manifestly unfounded",
    "excessive": "excessive",
    "identity_not_verified": "identity not verified",
    "other": "other reason",
}
_CHOICE_FALLBACK = {"yes": "Yes", "no": "No", "status": "Check on my request"}
GIST_CHARS = 90


# -- the audit trail ----------------------------------------------------------------------------
def actor_label(actor: str) -> str:
    """'agent:maria@example.com' → 'maria@example.com'; 'requester' → 'Requester'; 'system' → 'Helpdesk'."""
    if actor.startswith("agent:"):
        return actor.removeprefix("agent:")
    return {"requester": "Requester", "system": "Helpdesk"}.get(actor, actor)


def _months(n: Any) -> str:
    return f"{n} month{'s' if n != 1 else ''}"


def _size(size: Any) -> str:
    if not isinstance(size, int):
        return ""
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"


def _file(detail: dict[str, Any]) -> str:
    kind = str(detail.get("content_type") or "").split("/")[-1].upper()
    return ", ".join(p for p in (kind, _size(detail.get("size"))) if p)


def _quote(text: Any, limit: int = 160) -> str:
    words = " ".join(str(text or "").split())
    return f"“{words[: limit - 1]}…”" if len(words) > limit else f"“{words}”"


def describe_event(event: AuditEvent) -> str:
    """One audit event as a sentence (the raw record stays in the JSON download)."""
    d = event.detail or {}
    action = event.action
    if action == "created":
        channel = CHANNEL_LABELS.get(d.get("channel", ""), d.get("channel") or "chat")
        how = VERIFICATION_LABELS.get(d.get("verified_via", ""), "")
        return f"Filed the request in the {channel}." + (f" Identity confirmed by: {how}." if how else "")
    if action == "assign":
        return f"Assigned the ticket to {d.get('assignee')}." if d.get("assignee") else "Assigned the ticket."
    if action == "start":
        return "Started work on the request."
    if action == "extend":
        return (
            f"Extended the due date by {_months(d.get('months'))}, from {d.get('old_due_date')} to "
            f"{d.get('new_due_date')}. Reason told to the requester: {_quote(d.get('reason'))}"
        )
    if action == "complete":
        text = f"Completed the request. Resolution sent to the requester: {_quote(d.get('resolution'))}"
        export = d.get("export")
        return text + (f" With a copy of the data ({_file(export)})." if isinstance(export, dict) else "")
    if action == "reject":
        why = REJECTION_TITLES.get(d.get("reason", ""), d.get("reason") or "")
        return f"Rejected the request: {why}." + (f" Explanation: {_quote(d.get('note'))}" if d.get("note") else "")
    if action == "withdraw":
        return "Withdrew the request."
    if action == "note":
        return "Added an internal note."
    if action == "message":
        what = "a question" if d.get("expects_reply") else "a message"
        return f"Sent the requester {what} by {CHANNEL_LABELS.get(d.get('channel', ''), 'their channel')}."
    if action == "requester_replied":
        return f"Answered the privacy team's question in the {CHANNEL_LABELS.get(d.get('channel', ''), 'chat')}."
    if action == "export_uploaded":
        return f"Uploaded a new copy of the data ({_file(d)}); the earlier link stopped working."
    if action == "export_downloaded":
        return f"Downloaded the copy of their data (download {d.get('download')}), after a code sent by e-mail."
    if action == "export_revoked":
        return "Revoked the download link; its file was deleted."
    if action == "reminder":
        to = {"assignee": "the assignee", "email": "the team by e-mail", "slack": "the team's Slack channel"}
        return f"Sent a deadline reminder to {to.get(d.get('to', ''), 'nobody')} (due {d.get('due_date')})."
    extra = "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in d.items() if v not in (None, "", [], {}))
    return action.replace("_", " ").capitalize() + (f" ({extra})." if extra else ".")


def status_change(event: AuditEvent) -> str:
    """'open → in progress', or '' when the status did not change."""
    if event.to_status and event.from_status != event.to_status:
        to = STATUS_LABELS.get(event.to_status, event.to_status)
        return f"{STATUS_LABELS.get(event.from_status, event.from_status)} → {to}" if event.from_status else to
    return ""


# -- the transcript ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Block:
    """A paragraph of a turn: its own words, or a quote (of the statement, or of someone)."""

    text: str
    quote: bool = False


@dataclass(frozen=True)
class Entry:
    """One turn as an agent reads it; `chose` marks the label of a clicked button."""

    turn: TicketTurn
    blocks: tuple[Block, ...]
    chose: bool = False


def _blocks(text: str) -> tuple[Block, ...]:
    """Runs of "> " lines become quote blocks (without the markers); the rest stays as written."""
    blocks: list[Block] = []
    current: list[str] = []
    quoting = False
    for line in text.splitlines():
        is_quote = line.startswith(">")
        if current and is_quote != quoting:
            blocks.append(Block("\n".join(current).strip("\n"), quoting))
            current = []
        quoting = is_quote
        current.append(line[1:].removeprefix(" ") if is_quote else line)
    if current:
        blocks.append(Block("\n".join(current).strip("\n"), quoting))
    return tuple(b for b in blocks if b.text.strip())


def _offered(payload: dict[str, Any]) -> dict[str, str]:
    expecting = payload.get("expecting") or {}
    choices = expecting.get("choices") if isinstance(expecting, dict) else None
    return {str(c.get("id")): str(c.get("label")) for c in choices or [] if isinstance(c, dict) and c.get("label")}


def choice_label(action: str, offered: dict[str, str]) -> str:
    """The label of the button with this id: as the bot offered it, else as the catalogue names it."""
    if action in offered:
        return offered[action]
    if action.startswith("start:") and action[6:] in START_LABELS:
        return START_LABELS[action[6:]]
    return _CHOICE_FALLBACK.get(action, action.replace("_", " ").replace(":", " ").capitalize())


def transcript_view(turns: Iterable[TicketTurn]) -> list[Entry]:
    """The turns with clicked buttons shown by their labels and quotes as quotes."""
    entries: list[Entry] = []
    offered: dict[str, str] = {}
    for turn in turns:
        action = (turn.payload or {}).get("action") if turn.role == "user" else None
        if turn.role != "user":
            offered = _offered(turn.payload or {}) or offered
            entries.append(Entry(turn, _blocks(turn.text)))
        elif not turn.text.strip() and action:
            entries.append(Entry(turn, (Block(choice_label(str(action), offered)),), chose=True))
        else:
            entries.append(Entry(turn, _blocks(turn.text) or (Block("(empty message)"),)))
    return entries


# -- what the request asks -------------------------------------------------------------------
def request_items(ticket: Ticket) -> list[tuple[str, str]]:
    """The request's content as (label, value) pairs, as the requester confirmed it."""
    summary = (ticket.details or {}).get("summary") or []
    return [(str(pair[0]), str(pair[1])) for pair in summary if isinstance(pair, list | tuple) and len(pair) == 2]


def request_content(ticket: Ticket) -> str:
    """All of the request's content on one line: 'What to delete: …; Data to delete: …'."""
    return "; ".join(f"{label}: {' '.join(value.split())}" for label, value in request_items(ticket))


def request_gist(ticket: Ticket, limit: int = GIST_CHARS) -> str:
    """What the request is about, short: the values the requester gave (queue column)."""
    values = [" ".join(value.split()) for _, value in request_items(ticket) if value.strip()]
    text = " · ".join(values)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
