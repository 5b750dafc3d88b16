"""`privacy-bot chat`: the conversation in a terminal, rendered for people.

Nothing prints over the prompt: the chat's logs go to a file, and the outbox is drained between
turns (not by a background thread) so an e-mail the user needs — the verification code, when no
SMTP server is configured — is shown as a notice before the next prompt. Replies wrap at word
boundaries to the terminal's width, with quotations and list items indented under themselves.
"""

from __future__ import annotations

import shutil
import textwrap
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.cases.tickets import long_date
from bot.store.models import OutboxMessage
from bot.types import Inbound, Reply, TicketSummary

PROMPT = "you> "
BOT = "bot> "
INDENT = " " * len(BOT)
QUIT = ("quit", "exit", ":q")
BANNER = (
    "Privacy helpdesk — type your question, a number to pick an option, /good or /bad to rate an answer, "
    "or 'quit' to leave."
)


def width() -> int:
    """The terminal's columns (80 when it is not a terminal), never narrower than 40."""
    return max(40, shutil.get_terminal_size((80, 24)).columns)


def wrap(text: str, columns: int) -> list[str]:
    """Lines of at most `columns` characters, broken between words: "> " quotations and "• " items
    continue under their own text, and a word longer than a line (an address) is never cut."""
    out: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            out.append("")
            continue
        first, rest = "", ""
        if line.startswith("> "):
            first = rest = "> "
            line = line[2:]
        elif line.startswith(("• ", "- ")):
            first, rest = line[:2], "  "
            line = line[2:]
        lines = textwrap.wrap(
            line,
            width=max(20, columns),
            initial_indent=first,
            subsequent_indent=rest,
            break_long_words=False,
            break_on_hyphens=False,
        )
        out.extend(lines or [first.rstrip()])
    return out


def ticket_lines(ticket: TicketSummary) -> list[str]:
    """The ticket card of the widget, as aligned lines."""
    status = (ticket.status_label or ticket.status.replace("_", " ")).capitalize()
    rows = [("Reference", ticket.reference), ("Type", ticket.type_label or ticket.type), ("Status", status)]
    if ticket.closed_on:
        rows.append(("Closed", _day(ticket.closed_on)))
    elif ticket.due_date:
        rows.append(("Due by", _day(ticket.due_date)))
    if ticket.outcome:
        rows.append(("Outcome", ticket.outcome.replace("\n\n", " ")))
    return [f"{label:<10} {value}" for label, value in rows]


def _day(iso: str) -> str:
    try:
        return long_date(date.fromisoformat(iso))
    except ValueError:
        return iso


def render(reply: Reply, columns: int) -> str:
    """A reply as the terminal shows it: wrapped text, the ticket, then numbered options."""
    body = wrap(reply.reply, columns - len(INDENT))
    if reply.ticket is not None:
        body += [""] + [line for row in ticket_lines(reply.ticket) for line in wrap(row, columns - len(INDENT))]
    lines = [BOT + body[0] if body else BOT.rstrip()] + [INDENT + line if line else "" for line in body[1:]]
    choices = reply.expecting.choices if reply.expecting else ()
    if choices:
        lines.append("")
        lines += [f"{INDENT}{i}. {choice.label}" for i, choice in enumerate(choices, 1)]
    return "\n".join(lines)


@dataclass
class TerminalMailer:
    """The e-mail sender of a terminal chat without SMTP_URL: messages are kept for the chat to show."""

    shown: list[OutboxMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, message: OutboxMessage) -> None:
        with self.lock:
            self.shown.append(message)

    def take(self) -> list[OutboxMessage]:
        with self.lock:
            taken, self.shown = self.shown, []
        return taken


def notice(message: OutboxMessage, columns: int) -> str:
    """An e-mail shown in the terminal instead of sent, framed so it cannot be mistaken for the bot."""
    why = "Shown here, not sent: SMTP_URL is not set."
    body = [why, f"Subject: {message.subject}", "", *message.body.splitlines()]
    lines = [f"  ┌ E-mail to {message.recipient}"]
    lines += [f"  │ {line}" if line else "  │" for text in body for line in (wrap(text, columns - 4) or [""])]
    return "\n".join([*lines, "  └"])


def run_chat(
    services: Any,
    session_id: str,
    *,
    read: Callable[[str], str] = input,
    write: Callable[[str], None] = print,
    mailer: TerminalMailer | None = None,
    commands: dict[str, Callable[[], list[Any]]] | None = None,
    banner: str = BANNER,
) -> None:
    """The loop: read a line, take the turn, show any e-mail it produced, then the reply.
    `commands` are the terminal's own words ("/good"): each runs instead of a turn and returns
    the options it offers (picked by number, like a reply's)."""
    columns = width()
    write("\n".join(wrap(banner, columns)) + "\n")
    choices: list[Any] = []
    while True:
        try:
            line = read(PROMPT).strip()
        except EOFError:
            write("")
            return
        if line.lower() in QUIT:
            return
        if commands and line.lower() in commands:
            choices = commands[line.lower()]()
            continue
        action = None
        if line.isdigit() and choices and 1 <= int(line) <= len(choices):
            action, line = choices[int(line) - 1].id, ""
        reply = services.engine.handle(Inbound(channel="cli", text=line, session_id=session_id, action=action))
        if mailer is not None:
            while services.outbox.drain_once():
                pass
            for message in mailer.take():
                write("\n" + notice(message, columns))
        write("\n" + render(reply, columns) + "\n")
        choices = list(reply.expecting.choices) if reply.expecting else []
