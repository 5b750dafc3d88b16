"""Access and portability: from the chat to a completed ticket, and a download link that works only for
the verified requester, only until it expires or is revoked, with every download audited."""

from __future__ import annotations

import io
import json
import re
import stat
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app import create_app
from bot.access.agents import get_agent_by_email
from bot.access.sessions import issue_api_token
from bot.cases.exports import remove_files
from bot.cases.purge import RetentionPolicy, purge
from bot.store.models import AuditEvent, ExportFile, Ticket
from tests.factories import ChatDriver, FakeClock, RecordingSender
from tests.handlers.console.conftest import ADMIN, AGENT, add_agent, add_ticket, console_act, csrf_of, sign_in
from tests.handlers.console.test_messages import code_sent
from tests.handlers.slack.fake_slack import wait_until

REQUESTER = "alice@example.com"
EXPORT = json.dumps({"name": "Alice Example", "email": REQUESTER, "portal_logins": 42}).encode()
LINK = re.compile(r"https?://\S+/exports/([A-Za-z0-9_-]+)")


@pytest.fixture
def services(make_services: Any, make_settings: Any, database_url: str) -> Any:
    built = make_services(
        make_settings(DATABASE_URL=database_url, EXPORT_MAX_MB=1, PUBLIC_URL="http://privacy.example")
    )
    add_agent(built, *ADMIN, role="admin")
    add_agent(built, *AGENT)
    return built


@pytest.fixture
def web(services: Any) -> Iterator[TestClient]:
    with TestClient(create_app(services.settings, services=services), follow_redirects=False) as client:
        yield client


@pytest.fixture
def api(services: Any) -> dict[str, str]:
    with services.db.write() as session:
        agent = get_agent_by_email(session, AGENT[0])
        assert agent is not None
        token, _ = issue_api_token(session, agent, now=services.clock())
    return {"Authorization": f"Bearer {token}"}


def browser(web: TestClient) -> TestClient:
    """Another browser on the same app (its own cookies; the app is already running)."""
    return TestClient(web.app, follow_redirects=False)


def file_access_request(web: TestClient, outbox: RecordingSender, email: str = REQUESTER) -> str:
    """The requester asks for a copy of their data in the chat, verifying by e-mail code; the reference."""
    chat = ChatDriver(web)
    started = chat.click("start:access")
    assert started["intent"] == "access" and "does not list this right by name" in started["reply"]
    assert "under the data protection law that applies" in started["reply"]
    chat.click("everything")
    chat.say("Alice Example")
    chat.say("skip")
    chat.say(email)
    chat.say(wait_until(lambda: code_sent(outbox, email), what="the code"))
    assert chat.expecting == "confirm"
    filed = chat.click("yes")
    assert filed["ticket"]["type"] == "access" and filed["ticket"]["type_label"] == "Access (copy of my data)"
    return str(filed["ticket"]["reference"])


def upload(web: TestClient, api: dict[str, str], reference: str, content: bytes = EXPORT, name: str = "x.json") -> Any:
    return web.post(
        f"/api/agent/tickets/{reference}/export",
        files={"file": (name, content, "application/octet-stream")},
        data={"note": "Here is everything we hold about you."},
        headers=api,
    )


def link_in(outbox: RecordingSender, kind: str = "completed") -> str:
    mail = wait_until(lambda: [m for m in outbox.to(REQUESTER) if m.kind == kind], what=f"the {kind} e-mail")[-1]
    found = LINK.search(mail.body)
    assert found, mail.body
    return found.group(1)


def ask_for_code(client: TestClient, secret: str) -> Any:
    page = client.get(f"/exports/{secret}")
    assert page.status_code == 200, page.text
    return client.post(f"/exports/{secret}/code", data={"csrf_token": csrf_of(page.text)})


def try_download(client: TestClient, secret: str, code: str) -> Any:
    page = client.get(f"/exports/{secret}")
    token = csrf_of(page.text) if page.status_code == 200 else "none"
    return client.post(f"/exports/{secret}/download", data={"code": code, "csrf_token": token})


def download_code(outbox: RecordingSender) -> str:
    mails = [m for m in outbox.to(REQUESTER) if m.kind == "verification_code" and "download" in m.subject]
    match = re.search(r"\b(\d{6})\b", mails[-1].body) if mails else None
    return match.group(1) if match else ""


def downloads_audited(services: Any, reference: str) -> list[AuditEvent]:
    with services.db.read() as session:
        ticket = session.exec(select(Ticket).where(Ticket.reference == reference)).one()
        return list(
            session.exec(
                select(AuditEvent).where(AuditEvent.ticket_id == ticket.id, AuditEvent.action == "export_downloaded")
            )
        )


def test_an_access_request_from_chat_to_a_download_only_the_requester_can_make(
    web: TestClient, services: Any, api: dict[str, str], outbox: RecordingSender, clock: FakeClock
) -> None:
    reference = file_access_request(web, outbox)
    assert web.post(f"/api/agent/tickets/{reference}/actions", json={"action": "start"}, headers=api).status_code == 200
    plain = web.post(
        f"/api/agent/tickets/{reference}/actions", json={"action": "complete", "note": "Done"}, headers=api
    )
    assert plain.status_code == 409 and "uploading the export" in plain.json()["error"]["message"]

    done = upload(web, api, reference)
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["status"] == "completed" and body["resolution"] == "Here is everything we hold about you."
    [export] = body["exports"]
    assert (export["content_type"], export["size"], export["live"]) == ("application/json", len(EXPORT), True)
    [stored] = list(Path(services.settings.EXPORT_DIR).iterdir())  # a random name, owner-only, outside the web root
    assert re.fullmatch(r"[0-9a-f]{32}", stored.name) and stat.S_IMODE(stored.stat().st_mode) == 0o600
    secret = link_in(outbox)
    assert secret not in json.dumps(body) and secret not in stored.name  # the link is the requester's alone

    # Someone who only has the link: the code goes to the requester's address, never theirs.
    stranger = browser(web)
    page = stranger.get(f"/exports/{secret}")
    assert page.status_code == 200 and "a***@example.com" in page.text and REQUESTER not in page.text
    sent = ask_for_code(stranger, secret)
    assert sent.status_code == 200 and "sent a 6-digit code to a***@example.com" in sent.text
    real = wait_until(lambda: download_code(outbox), what="the download code")
    guess = "000000" if real != "000000" else "111111"
    refused = try_download(stranger, secret, guess)
    assert refused.status_code == 403 and "not right" in refused.text
    assert refused.headers["content-type"].startswith("text/html") and EXPORT not in refused.content

    # The requester, with the code sent to them.
    requester = browser(web)
    got = try_download(requester, secret, real)
    assert got.status_code == 200 and got.content == EXPORT
    assert got.headers["content-type"].startswith("application/json")
    assert f'filename="{reference}-access.json"' in got.headers["content-disposition"]
    assert got.headers["cache-control"] == "no-store"
    assert try_download(requester, secret, real).status_code == 403  # a code opens one download
    [audited] = downloads_audited(services, reference)
    assert audited.actor == "requester" and audited.detail["download"] == 1

    # Seven days later the link is dead, code or not (here from a page opened before it expired).
    token = csrf_of(requester.get(f"/exports/{secret}").text)
    clock.advance(days=7, seconds=1)
    assert browser(web).get(f"/exports/{secret}").status_code == 410
    late = requester.post(f"/exports/{secret}/download", data={"code": real, "csrf_token": token})
    assert late.status_code == 410 and "expired" in late.text
    assert services.scheduler.run_once() is not None
    assert list(Path(services.settings.EXPORT_DIR).iterdir()) == []  # the file does not outlive its link


def test_a_new_copy_replaces_the_link_and_a_revoked_link_dies_at_once(
    web: TestClient, services: Any, api: dict[str, str], outbox: RecordingSender
) -> None:
    reference = add_ticket(services, email=REQUESTER, type="portability")
    web.post(f"/api/agent/tickets/{reference}/actions", json={"action": "start"}, headers=api)
    assert upload(web, api, reference).status_code == 200
    first = link_in(outbox)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("profile.csv", "name,email\nAlice,alice@example.com\n")
    again = upload(web, api, reference, archive.getvalue(), "bundle.zip")
    assert again.status_code == 200 and [e["live"] for e in again.json()["exports"]] == [False, True]
    second = link_in(outbox, "new_export")
    assert browser(web).get(f"/exports/{first}").status_code == 410  # the earlier link stopped working
    assert browser(web).get(f"/exports/{second}").status_code == 200

    export_id = again.json()["exports"][1]["id"]
    revoked = web.post(f"/api/agent/tickets/{reference}/exports/{export_id}/revoke", headers=api)
    assert revoked.status_code == 200 and revoked.json()["live"] is False
    gone = browser(web).get(f"/exports/{second}")
    assert gone.status_code == 410 and "withdrawn this download link" in gone.text
    assert web.post(f"/api/agent/tickets/{reference}/exports/{export_id}/revoke", headers=api).status_code == 409
    services.scheduler.run_once()
    assert list(Path(services.settings.EXPORT_DIR).iterdir()) == []
    with services.db.read() as session:
        actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]  # type: ignore[arg-type]
    assert actions[-3:] == ["complete", "export_uploaded", "export_revoked"]


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("data.json", b'{"name": "Alice",', "must be one of"),
        ("data.csv", b"\x00\x01\x02binary", "must be one of"),
        ("page.html", b"<html><script>alert(1)</script></html>", "must be one of"),
        ("data.zip", b"PK\x03\x04 not really a zip", "must be one of"),
        ("empty.csv", b"", "empty"),
        ("big.csv", b"a,b\n" * (1024 * 1024 // 4 + 100), "larger than the limit of 1 MB"),
    ],
)
def test_uploads_are_checked_by_their_content_and_size(
    web: TestClient, services: Any, api: dict[str, str], name: str, content: bytes, why: str
) -> None:
    reference = add_ticket(services, email=REQUESTER, type="access")
    web.post(f"/api/agent/tickets/{reference}/actions", json={"action": "start"}, headers=api)
    refused = upload(web, api, reference, content, name)
    assert refused.status_code == 422 and why in refused.json()["error"]["message"]
    assert list(Path(services.settings.EXPORT_DIR).iterdir()) == []  # nothing left behind


def test_a_body_over_the_upload_limit_is_refused_before_it_is_read(
    web: TestClient, services: Any, api: dict[str, str]
) -> None:
    reference = add_ticket(services, email=REQUESTER, type="access")
    web.post(f"/api/agent/tickets/{reference}/actions", json={"action": "start"}, headers=api)
    assert upload(web, api, reference, b"a,b\n" * (2 * 1024 * 1024 // 4), "huge.csv").status_code == 413
    # Everywhere else the app's own small limit still holds.
    assert (
        web.post("/api/chat", content=b"x" * (300 * 1024), headers={"content-type": "application/json"}).status_code
        == 413
    )


def test_only_started_access_and_portability_tickets_take_an_export(
    web: TestClient, services: Any, api: dict[str, str]
) -> None:
    deletion = add_ticket(services, email=REQUESTER, type="deletion")
    web.post(f"/api/agent/tickets/{deletion}/actions", json={"action": "start"}, headers=api)
    assert upload(web, api, deletion).status_code == 422
    waiting = add_ticket(services, email=REQUESTER, type="access")
    assert upload(web, api, waiting).status_code == 409


def test_the_console_form_uploads_and_revokes(web: TestClient, services: Any, outbox: RecordingSender) -> None:
    reference = add_ticket(services, email=REQUESTER, type="access")
    assert sign_in(web, *AGENT).status_code == 303
    assert console_act(web, reference, action="start").status_code == 303
    page = web.get(f"/console/tickets/{reference}")
    assert "Complete with the export" in page.text
    preview = web.post(  # the notice is shown first; the upload form comes with it
        f"/console/tickets/{reference}/actions",
        data={"action": "complete", "note": "Here you go.", "csrf_token": csrf_of(page.text)},
    )
    assert preview.status_code == 200 and 'enctype="multipart/form-data"' in preview.text
    forged = web.post(
        f"/console/tickets/{reference}/export",
        files={"file": ("x.json", EXPORT, "application/json")},
        data={"note": "Here you go.", "csrf_token": "forged"},
    )
    assert forged.status_code == 403
    sent = web.post(
        f"/console/tickets/{reference}/export",
        files={"file": ("x.json", EXPORT, "application/json")},
        data={"note": "Here you go.", "csrf_token": csrf_of(page.text)},
    )
    assert sent.status_code == 303 and sent.headers["location"].endswith("done=export#status")
    page = web.get(f"/console/tickets/{reference}")
    assert "Copies of the requester" in page.text and "works until" in page.text
    with services.db.read() as session:
        export = session.exec(select(ExportFile)).one()
    revoked = web.post(
        f"/console/tickets/{reference}/exports/{export.id}/revoke", data={"csrf_token": csrf_of(page.text)}
    )
    assert revoked.status_code == 303 and "revoked" in web.get(f"/console/tickets/{reference}").text
    assert browser(web).get(f"/exports/{link_in(outbox)}").status_code == 410


def test_purge_removes_the_files_with_the_ticket(
    web: TestClient, services: Any, api: dict[str, str], clock: FakeClock
) -> None:
    reference = add_ticket(services, email=REQUESTER, type="access")
    web.post(f"/api/agent/tickets/{reference}/actions", json={"action": "start"}, headers=api)
    assert upload(web, api, reference).status_code == 200
    directory = Path(services.settings.EXPORT_DIR)
    assert len(list(directory.iterdir())) == 1
    clock.advance(days=2)  # the link still works: only the ticket's purge takes the file
    policy = RetentionPolicy(
        tickets_after=timedelta(days=1), transcripts_after=timedelta(days=90), codes_after=timedelta(days=1)
    )
    with services.db.write() as session:
        report = purge(session, now=clock(), policy=policy)
    assert report.tickets_anonymised == 1 and len(report.export_files_deleted) == 1
    assert remove_files(directory, report.export_files_deleted) == 1 and list(directory.iterdir()) == []
    with services.db.read() as session:
        export = session.exec(select(ExportFile)).one()
    assert export.deleted_at is not None and export.revoked_at is not None
