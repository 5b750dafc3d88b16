"""E-mail transports for the outbox: SMTP, or the log when no SMTP server is configured."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from urllib.parse import unquote, urlparse

from bot.store.models import OutboxMessage
from bot.validation import ascii_email, mask_email

log = logging.getLogger(__name__)


class SmtpMailer:
    """Sends e-mail through SMTP_URL (smtp://[user:pass@]host:port, smtps:// for TLS)."""

    def __init__(self, url: str, mail_from: str, *, timeout: float = 10.0) -> None:
        parsed = urlparse(url)
        if parsed.scheme not in ("smtp", "smtps"):
            raise ValueError("SMTP_URL must start with smtp:// or smtps://")
        self.host = parsed.hostname or "localhost"
        self.port = parsed.port or (465 if parsed.scheme == "smtps" else 25)
        self.tls = parsed.scheme == "smtps"
        self.username = unquote(parsed.username) if parsed.username else None
        self.password = unquote(parsed.password) if parsed.password else None
        self.mail_from = mail_from
        self.timeout = timeout

    def send(self, message: OutboxMessage) -> None:
        email = EmailMessage()
        email["From"] = self.mail_from
        email["To"] = ascii_email(message.recipient)  # müller.de → xn--mller-kva.de: any server takes it
        email["Subject"] = message.subject
        email.set_content(message.body)
        factory = smtplib.SMTP_SSL if self.tls else smtplib.SMTP
        with factory(self.host, self.port, timeout=self.timeout) as smtp:
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(email)


class LogMailer:
    """No SMTP configured: the message is written to the log (and stays in the outbox) so a
    local user can still read their code and finish a flow."""

    def send(self, message: OutboxMessage) -> None:
        log.warning(
            "e-mail not sent (SMTP_URL unset) to=%s subject=%r\n%s",
            mask_email(message.recipient),
            message.subject,
            message.body,
        )
