"""Issue 12 finding 5: e-mail never travels in the clear, and the SMTP password never leaks.

Every test talks to a real SMTP server (aiosmtpd) on loopback, with certificates made at test time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from bot.store.mail import InsecureTransport, MailTransportError, SmtpMailer
from bot.store.models import OutboxMessage
from tests.smtp import Authenticator, SmtpServer

PASSWORD = "s3cret-Pa55word"


def _message(to: str = "ann@example.com") -> OutboxMessage:
    return OutboxMessage(channel="email", kind="receipt", recipient=to, subject="Your code", body="Code 123456")


@pytest.fixture
def servers() -> Iterator[list[SmtpServer]]:
    started: list[SmtpServer] = []
    yield started
    for server in started:
        server.stop()


def _start(servers: list[SmtpServer], **options: Any) -> SmtpServer:
    server = SmtpServer(**options).start()
    servers.append(server)
    return server


def _with_login(url: str, login: str = "mailer", password: str = PASSWORD) -> str:
    return url.replace("://", f"://{login}:{password}@")


def test_starttls_is_used_and_auth_goes_over_it(servers: list[SmtpServer], certificates: Any) -> None:
    auth = Authenticator("mailer", PASSWORD)
    server = _start(servers, starttls=certificates.server_context(), auth=auth)
    SmtpMailer(_with_login(server.url), "helpdesk@example.com", ca_file=certificates.ca_file).send(_message())
    assert auth.attempts == [("mailer", PASSWORD, True)]  # logged in, and only over TLS
    assert server.inbox.wait_for("ann@example.com")


def test_smtps_verifies_and_delivers(servers: list[SmtpServer], certificates: Any) -> None:
    server = _start(servers, implicit_tls=certificates.server_context())
    assert server.url.startswith("smtps://")
    SmtpMailer(server.url, "helpdesk@example.com", ca_file=certificates.ca_file).send(_message())
    assert server.inbox.wait_for("ann@example.com")


@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "smtps"])
def test_a_self_signed_certificate_is_refused(servers: list[SmtpServer], certificates: Any, implicit: bool) -> None:
    context = certificates.server_context(self_signed=True)
    auth = Authenticator("mailer", PASSWORD)
    server = _start(servers, **({"implicit_tls": context} if implicit else {"starttls": context}), auth=auth)
    mailer = SmtpMailer(_with_login(server.url), "helpdesk@example.com")  # the system's CAs, like production
    with pytest.raises(MailTransportError, match=r"CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
        mailer.send(_message())
    assert auth.attempts == [] and server.inbox.messages == []


def test_a_certificate_for_another_host_is_refused(servers: list[SmtpServer], certificates: Any) -> None:
    server = _start(servers, starttls=certificates.server_context(names=("mail.example.org",)))
    mailer = SmtpMailer(server.url, "helpdesk@example.com", ca_file=certificates.ca_file)  # trusted CA, wrong name
    with pytest.raises(MailTransportError, match=r"match|mismatch"):
        mailer.send(_message())
    assert server.inbox.messages == []


def test_auth_never_goes_over_plaintext(servers: list[SmtpServer]) -> None:
    auth = Authenticator("mailer", PASSWORD)
    server = _start(servers, auth=auth, auth_in_plaintext=True)  # offers AUTH with no TLS at all
    for allow_plaintext in (False, True):  # not even when plaintext sending is allowed
        mailer = SmtpMailer(_with_login(server.url), "helpdesk@example.com", allow_plaintext=allow_plaintext)
        with pytest.raises(InsecureTransport, match="never sent without TLS") as refused:
            mailer.send(_message())
        assert PASSWORD not in str(refused.value)
    assert auth.attempts == [] and server.inbox.messages == []


def test_no_starttls_means_no_mail_unless_plaintext_is_allowed(servers: list[SmtpServer]) -> None:
    server = _start(servers)  # a plain relay
    with pytest.raises(InsecureTransport, match="SMTP_ALLOW_PLAINTEXT"):
        SmtpMailer(server.url, "helpdesk@example.com").send(_message())
    assert server.inbox.messages == []
    SmtpMailer(server.url, "helpdesk@example.com", allow_plaintext=True).send(_message())
    assert server.inbox.wait_for("ann@example.com")


def test_a_failed_login_never_puts_the_password_in_the_log_or_the_outbox(
    servers: list[SmtpServer], certificates: Any, caplog: pytest.LogCaptureFixture, sqlite_url: str
) -> None:
    from datetime import UTC, datetime

    from sqlmodel import select

    from bot.store.db import Database
    from bot.store.outbox import OutboxWorker, enqueue

    auth = Authenticator("mailer", "the-right-password")
    server = _start(servers, starttls=certificates.server_context(), auth=auth)
    mailer = SmtpMailer(_with_login(server.url), "helpdesk@example.com", ca_file=certificates.ca_file)
    db = Database(sqlite_url)
    db.migrate()
    now = datetime.now(UTC)
    with db.write() as session:
        enqueue(session, channel="email", kind="receipt", recipient="ann@example.com", now=now, subject="s", body="b")
    worker = OutboxWorker(db, {"email": mailer}, clock=lambda: now)
    caplog.set_level(logging.DEBUG)
    assert worker.drain_once() == 1
    assert auth.attempts and auth.attempts[0][2] is True  # it tried, over TLS, and was refused
    with db.read() as session:
        message = session.exec(select(OutboxMessage)).one()
    db.dispose()
    assert message.status == "pending" and message.last_error and "535" in message.last_error
    everything = caplog.text + (message.last_error or "")
    assert PASSWORD not in everything and "czNjcmV0LVBhNTV3b3Jk" not in everything  # nor its base64
