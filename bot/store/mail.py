"""E-mail transports for the outbox: SMTP, or the log when no SMTP server is configured."""

from __future__ import annotations

import logging
import smtplib
import ssl
from base64 import b64encode
from collections.abc import Callable
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import unquote, urlparse

from bot.store.models import OutboxMessage
from bot.validation import ascii_email, mask_email

log = logging.getLogger(__name__)


class MailTransportError(Exception):
    """Sending failed; the message says why without quoting credentials (the outbox retries)."""


class InsecureTransport(MailTransportError):
    """The server offers no TLS where it is required; retried, since a fixed server will offer it."""


class Rendered(Protocol):
    """An e-mail's two parts (bot.cases.emails.Email)."""

    @property
    def text(self) -> str: ...

    @property
    def html(self) -> str: ...


Renderer = Callable[[OutboxMessage], Rendered | None]  # None: send the plain body as it is


class SmtpMailer:
    """Sends e-mail through SMTP_URL, as text and HTML when given a `render`er (the templates of
    bot.cases.emails, wired by app.py): smtps:// is TLS from the first byte; smtp:// upgrades with
    STARTTLS, and refuses to go on in the clear unless `allow_plaintext` (a relay on a private
    link). Certificates and host names are always verified (the system's CAs, or `ca_file`), and
    the password is never sent without TLS."""

    def __init__(
        self,
        url: str,
        mail_from: str,
        *,
        timeout: float = 10.0,
        allow_plaintext: bool = False,
        ca_file: str | None = None,
        render: Renderer | None = None,
    ) -> None:
        self.render = render
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
        self.allow_plaintext = allow_plaintext
        self.context = ssl.create_default_context(cafile=ca_file)  # verifies the chain and the host name

    def send(self, message: OutboxMessage) -> None:
        email = EmailMessage()
        email["From"] = self.mail_from
        email["To"] = ascii_email(message.recipient)  # müller.de → xn--mller-kva.de: any server takes it
        email["Subject"] = message.subject
        rendered = self.render(message) if self.render is not None else None
        if rendered is None:
            email.set_content(message.body)
        else:
            email.set_content(rendered.text)
            email.add_alternative(rendered.html, subtype="html")
        try:
            self._send(email)
        except MailTransportError:
            raise
        except (OSError, smtplib.SMTPException) as exc:  # ssl.SSLError is an OSError
            raise MailTransportError(self._scrub(f"{type(exc).__name__}: {exc}")) from None

    def _send(self, email: EmailMessage) -> None:
        if self.tls:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self.context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if not self.tls:
                smtp.ehlo()
                if smtp.has_extn("starttls"):
                    smtp.starttls(context=self.context)
                    smtp.ehlo()
                elif self.username:
                    raise InsecureTransport(
                        f"the SMTP server {self.host}:{self.port} offers no STARTTLS; the password is never sent "
                        "without TLS (use smtps:// or a server with STARTTLS)"
                    )
                elif not self.allow_plaintext:
                    raise InsecureTransport(
                        f"the SMTP server {self.host}:{self.port} offers no STARTTLS; refusing to send in the clear "
                        "(SMTP_ALLOW_PLAINTEXT=true allows it for a relay on a private link)"
                    )
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(email)

    def _scrub(self, text: str) -> str:
        """Error text without the password, in clear or in the base64 forms AUTH sends."""
        if self.password:
            secrets = {self.password, b64encode(self.password.encode()).decode()}
            secrets.add(b64encode(f"\0{self.username}\0{self.password}".encode()).decode())
            for secret in secrets:
                text = text.replace(secret, "[redacted]")
        return text[:400]


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
