"""A real SMTP server on loopback (aiosmtpd) that keeps every message it receives."""

from __future__ import annotations

import ipaddress
import re
import socket
import ssl
import threading
import time
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def text_of(message: EmailMessage) -> str:
    """The plain-text part of an e-mail (the whole body of a single-part one)."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the e-mail has no plain-text part"
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    """The HTML part of an e-mail."""
    part = message.get_body(preferencelist=("html",))
    assert part is not None, "the e-mail has no HTML part"
    return str(part.get_content())


class Inbox:
    """aiosmtpd handler: stores parsed messages; tests wait for the ones they expect."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._changed = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._changed:
            self.messages.append(message)  # type: ignore[arg-type]
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def wait_for(
        self, address: str, *, subject_contains: str = "", count: int = 1, timeout: float = 15.0
    ) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [m for m in self.to(address) if subject_contains in str(m["Subject"])]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no e-mail to {address} with {subject_contains!r} within {timeout}s")
                self._changed.wait(remaining)

    def code_for(self, address: str, *, timeout: float = 15.0, nth: int = 1) -> str:
        messages = self.wait_for(address, subject_contains="code", count=nth, timeout=timeout)
        body = text_of(messages[nth - 1])
        match = re.search(r"\b(\d{6})\b", body)
        assert match, body
        return match.group(1)


class CertificateAuthority:
    """A throwaway CA and server certificates made at test time (`cryptography`), in one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._ca_key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Helpdesk test CA")])
        self._ca_name = name
        self._ca = (
            self._builder(name, name, self._ca_key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self._ca_key, hashes.SHA256())
        )
        self.ca_file = str(self._write("ca.pem", self._ca.public_bytes(serialization.Encoding.PEM)))

    @staticmethod
    def _builder(subject: x509.Name, issuer: x509.Name, key: Any) -> x509.CertificateBuilder:
        now = datetime.now(UTC)
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=7))
        )

    def _write(self, name: str, data: bytes) -> Path:
        path = self.folder / name
        path.write_bytes(data)
        return path

    def server_context(
        self, *, names: tuple[str, ...] = ("127.0.0.1", "localhost"), self_signed: bool = False
    ) -> ssl.SSLContext:
        """A server-side TLS context whose certificate is issued by the CA (or by itself) for `names`."""
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
        alt = [
            x509.IPAddress(ipaddress.ip_address(n)) if n.replace(".", "").isdigit() else x509.DNSName(n) for n in names
        ]
        builder = self._builder(subject, subject if self_signed else self._ca_name, key.public_key())
        builder = builder.add_extension(x509.SubjectAlternativeName(alt), critical=False)
        cert = builder.sign(key if self_signed else self._ca_key, hashes.SHA256())
        stem = f"{'self-' if self_signed else ''}{names[0]}-{x509.random_serial_number()}"
        cert_path = self._write(f"{stem}.pem", cert.public_bytes(serialization.Encoding.PEM))
        key_path = self._write(
            f"{stem}.key",
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ),
        )
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_path, key_path)
        return context


class Authenticator:
    """aiosmtpd authenticator that records every AUTH attempt (and whether it came over TLS)."""

    def __init__(self, login: str, password: str) -> None:
        self.login, self.password = login, password
        self.attempts: list[tuple[str, str, bool]] = []  # (login, password, over TLS)

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.attempts.append((login, password, session.ssl is not None))
        return AuthResult(success=(login, password) == (self.login, self.password), handled=False)


class SmtpServer:
    """aiosmtpd on 127.0.0.1. `starttls`/`implicit_tls`: a server TLS context; `auth`: require AUTH
    (offered only after TLS unless `auth_in_plaintext`)."""

    def __init__(
        self,
        *,
        starttls: ssl.SSLContext | None = None,
        implicit_tls: ssl.SSLContext | None = None,
        auth: Authenticator | None = None,
        auth_in_plaintext: bool = False,
        ca_file: str | None = None,
    ) -> None:
        self.inbox = Inbox()
        self.ca_file = ca_file
        self.port = free_port()
        self.implicit = implicit_tls is not None
        self.sessions: list[Any] = []
        options: dict[str, Any] = {}
        if starttls is not None:
            options["tls_context"] = starttls
        if auth is not None:
            options.update(authenticator=auth, auth_required=True, auth_require_tls=not auth_in_plaintext)
        self.controller = Controller(
            self.inbox, hostname="127.0.0.1", port=self.port, ssl_context=implicit_tls, **options
        )

    @property
    def url(self) -> str:
        return f"{'smtps' if self.implicit else 'smtp'}://127.0.0.1:{self.port}"

    @property
    def settings(self) -> dict[str, str]:
        """What the app needs to send here: the URL and, for a TLS server, the test CA to trust."""
        values = {"SMTP_URL": self.url}
        if self.ca_file:
            values["SMTP_CA_FILE"] = self.ca_file
        return values

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
