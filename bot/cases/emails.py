"""E-mails to requesters: every message is a Jinja2 template with a plain-text and an HTML part,
kept together in `bot/cases/templates/mail/` (`<kind>.txt` and `<kind>.html`, one per outbox kind,
both extending `_layout`).

Each e-mail has the same shape: a greeting, what happened, the reference, what happens next, the
contact route of Section 1 of the privacy statement, and a signature; a rejection names the right to
complain to a data-protection authority. The outbox keeps what a message is about (`payload["mail"]`,
written by `bot.store.outbox.notify_requester`) and the SMTP mailer renders it when it sends, so the
words live here and nowhere else. A verification code is only ever in the message body (the outbox
scrubs it once sent), so it is read from there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from bot.cases.notices import COMPLAINT_NOTICE
from bot.flows import REQUEST_FLOWS, TYPE_LABELS
from bot.store.models import OutboxMessage

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "mail"
# The outbox kinds that have their own template; any other message to a requester gets `message`.
KINDS = (
    "receipt",
    "extended",
    "completed",
    "rejected",
    "withdrawn",
    "team_message",
    "new_export",
    "verification_code",
    "message",
)
SIGNATURE = "The KONE privacy team"
_URL = re.compile(r"https?://[^\s<>\"”]+")
_CODE = re.compile(r"\b(\d{6})\b")


@dataclass(frozen=True)
class Contact:
    """How a requester reaches the controller: Section 1 of the statement ("Contact: …")."""

    text: str
    url: str | None = None

    @classmethod
    def from_section(cls, text: str) -> Contact:
        """The section's "Contact:" paragraph (or, without one, the whole section), and its first link."""
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        found = next((p for p in paragraphs if p.lower().startswith("contact:")), None)
        chosen = found.split(":", 1)[1].strip() if found else " ".join(paragraphs)
        link = _URL.search(chosen)
        return cls(text=" ".join(chosen.split()), url=link.group(0).rstrip(".,;)") if link else None)


@dataclass(frozen=True)
class Email:
    """One rendered e-mail: the plain-text part and the HTML part."""

    text: str
    html: str


def _paragraphs(text: str | None) -> Markup:
    """Someone's text (a note, a reason) as escaped HTML paragraphs, line breaks kept."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text or "") if b.strip()]
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in block.splitlines())) for block in blocks
    )


def _linked(text: str, contact: Contact) -> Markup:
    """The contact route with its link clickable (everything else escaped)."""
    if not contact.url or contact.url not in text:
        return escape(text)
    before, after = text.split(contact.url, 1)
    return Markup('{}<a href="{}">{}</a>{}').format(before, contact.url, contact.url, after)


class MailTemplates:
    """Renders the requester e-mails: text without escaping, HTML with autoescape."""

    def __init__(self, contact: Contact, *, signature: str = SIGNATURE) -> None:
        self.contact = contact
        self.signature = signature
        common: dict[str, Any] = {
            "loader": jinja2.FileSystemLoader(TEMPLATE_DIR),
            "trim_blocks": True,
            "lstrip_blocks": True,
            "undefined": jinja2.ChainableUndefined,  # a message queued before a field existed still renders
        }
        self._text = jinja2.Environment(autoescape=False, **common)  # the plain-text part is never HTML
        self._html = jinja2.Environment(autoescape=True, **common)
        self._html.filters["paragraphs"] = _paragraphs
        self._html.globals["contact_html"] = _linked(contact.text, contact)
        for env in (self._text, self._html):
            env.globals.update(contact=contact, signature=signature, complaint=COMPLAINT_NOTICE)

    def render(self, kind: str, context: Mapping[str, Any]) -> Email:
        """Both parts of the e-mail of this kind (unknown kinds: the generic message with `body`)."""
        name = kind if kind in KINDS else "message"
        values = dict(context)
        kind_type = values.get("type")
        if kind_type in REQUEST_FLOWS:
            values.setdefault("type_label", TYPE_LABELS[kind_type])
            values.setdefault("next_steps", REQUEST_FLOWS[kind_type].next_steps)
        text = self._text.get_template(f"{name}.txt").render(values)
        html = self._html.get_template(f"{name}.html").render(values)
        return Email(text=re.sub(r"\n{3,}", "\n\n", text).strip() + "\n", html=html)

    def render_message(self, message: OutboxMessage) -> Email | None:
        """The e-mail of an outbox message to a requester, from what it is about (`payload["mail"]`)
        and its body; None for e-mails to the team (their plain body is the whole message)."""
        mail = (message.payload or {}).get("mail")
        if message.kind not in KINDS and not isinstance(mail, dict):
            return None
        context: dict[str, Any] = dict(mail or {})
        context.setdefault("body", message.body)
        if message.kind == "verification_code":
            found = _CODE.search(message.body)
            context["code"] = found.group(1) if found else None
        return self.render(message.kind, context)
