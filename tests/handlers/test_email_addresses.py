"""E-mail addresses as the standards say, one check for every channel: international domains are
accepted and normalised (chat, SMTP, CLI), impossible syntax is refused, nothing is looked up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.errors import InvalidInput
from bot.store.db import Database
from bot.store.mail import SmtpMailer
from bot.store.models import Agent, OutboxMessage, Ticket
from bot.validation import ascii_email, find_email, validate_email
from tests.factories import ChatDriver

BIN = Path(sys.executable).parent / "privacy-bot"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Jane.Doe@Müller.de", "jane.doe@müller.de"),
        ("jane@xn--mller-kva.de", "jane@müller.de"),  # the ASCII (IDNA) form of the same domain
        (" <jörg@beispiel.example> ", "jörg@beispiel.example"),  # an international mailbox name (RFC 6531)
        ("first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk"),
    ],
)
def test_standard_addresses_are_accepted_and_normalised(typed: str, stored: str) -> None:
    assert validate_email(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["jane", "jane@", "@müller.de", "jane@@müller.de", "jane..doe@example.com", "jane@müller", "jane@-x.de",
     "jane doe@example.com", "jane@exa_mple.com", "jane@localhost", "x" * 250 + "@example.com"],
)  # fmt: skip
def test_impossible_addresses_are_refused(typed: str) -> None:
    with pytest.raises(InvalidInput, match="doesn't look like an e-mail address"):
        validate_email(typed)


def test_helpers_for_text_and_transport() -> None:
    assert find_email("it's Jane@Müller.de. thanks") == "jane@müller.de"
    assert find_email("no address here, or a@b") is None
    assert ascii_email("jane@müller.de") == "jane@xn--mller-kva.de"


def test_an_international_address_files_a_request_through_the_chat_api(client: Any) -> None:
    chat = ChatDriver(client)
    chat.say("please delete my data")
    chat.click("everything")
    chat.say("Jane Doe")
    chat.say("skip")
    refused = chat.say("jane@@müller.de")
    assert "doesn't look like an e-mail address" in refused["reply"] and chat.expecting == "email"
    sent = chat.say("Jane.Doe@MÜLLER.de")
    assert "j***@müller.de" in sent["reply"] and chat.expecting == "code"
    client.services.outbox.drain_once()
    chat.say(client.services.outbox.senders["email"].last_code("jane.doe@müller.de"))
    ticket = chat.say("yes")["ticket"]
    assert ticket and ticket["type"] == "deletion"
    with client.services.db.read() as session:
        filed = session.exec(select(Ticket).where(Ticket.reference == ticket["reference"])).one()
    assert filed.requester_email == "jane.doe@müller.de"


def test_smtp_gets_the_ascii_domain_so_any_server_delivers_it(smtp_server: Any) -> None:
    mailer = SmtpMailer(smtp_server.url, "privacy@example.com", ca_file=smtp_server.ca_file)  # over verified TLS
    mailer.send(OutboxMessage(channel="email", kind="receipt", recipient="jane@müller.de", subject="Hi", body="x"))
    assert smtp_server.inbox.wait_for("jane@xn--mller-kva.de", subject_contains="Hi")


def test_privacy_bot_agent_add_takes_an_international_address(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path}/db.sqlite"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CHROMA_", "LLM_"))}
    env.update(DATABASE_URL=database, CHROMA_PATH=str(tmp_path / "chroma"))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN), "agent", *args],
            cwd=tmp_path,
            env=env,
            input="a-long-password-123\n",
            text=True,
            capture_output=True,
            timeout=120,
            check=False,
        )

    added = run("add", "Agnes@Bücher.example", "--role", "agent")
    assert added.returncode == 0, added.stderr
    assert "Added agent agnes@bücher.example" in added.stdout
    token = run("token", "agnes@xn--bcher-kva.example")  # the same address, typed in its ASCII form
    assert token.returncode == 0, token.stderr
    refused = run("add", "agnes@bücher", "--role", "agent")
    assert refused.returncode == 1 and "doesn't look like an e-mail address" in refused.stderr
    db = Database(database)
    try:
        with db.read() as session:
            assert [a.email for a in session.exec(select(Agent))] == ["agnes@bücher.example"]
    finally:
        db.dispose()
