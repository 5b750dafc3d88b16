"""Exports: the files that answer access and portability requests, and their download links.

An agent completes such a ticket by uploading the export (`complete_with_export`; on a completed
ticket the same sends a new copy). The file is checked — size limit, and its *bytes* must be one
of the allowed types (JSON that parses, UTF-8 CSV, a ZIP archive, a PDF) — and stored under
EXPORT_DIR with a random name, never under the web root. The requester gets a link whose secret
is stored only hashed; the link alone opens nothing: the download page sends a code to the
requester's own e-mail address first (handlers/downloads.py). A link expires after
EXPORT_LINK_DAYS, an agent can revoke it, every download is an audit event, and a file does not
outlive its link (`expired_files`) nor its ticket (purge).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlmodel import Session, col, select

from bot.access.agents import actor_for
from bot.cases.lifecycle import ActionRequest, apply_action
from bot.cases.notices import Download, new_copy
from bot.cases.tickets import EXPORT_TYPES, find_ticket, record_event
from bot.errors import InvalidInput, LinkGone, LinkNotFound, TransitionRefused
from bot.flows import TYPE_LABELS
from bot.settings import Settings
from bot.store.models import Agent, ExportFile, Ticket
from bot.store.outbox import notify_requester
from bot.validation import clean_text

CHUNK = 1024 * 1024
EXTENSIONS = {"application/json": "json", "text/csv": "csv", "application/zip": "zip", "application/pdf": "pdf"}
_STORED_NAME = re.compile(r"^[0-9a-f]{32}$")
ORPHAN_AGE = timedelta(hours=1)  # an upload still being written is younger than this


@dataclass(frozen=True)
class ExportPolicy:
    """Where exports live and what they may be (from the settings)."""

    directory: Path
    max_bytes: int
    allowed_types: tuple[str, ...]
    link_days: int
    public_url: str

    @classmethod
    def from_settings(cls, settings: Settings) -> ExportPolicy:
        return cls(
            directory=Path(settings.EXPORT_DIR),
            max_bytes=settings.export_max_bytes,
            allowed_types=tuple(settings.EXPORT_CONTENT_TYPES),
            link_days=settings.EXPORT_LINK_DAYS,
            public_url=settings.PUBLIC_URL,
        )

    def path(self, stored_name: str) -> Path:
        """The file of a stored name (only names this module made: no path ever comes from outside)."""
        if not _STORED_NAME.match(stored_name):
            raise ValueError("not a stored export name")
        return self.directory / stored_name

    def link(self, secret: str) -> str:
        return f"{self.public_url.rstrip('/')}/exports/{secret}"


def link_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def download_name(ticket: Ticket, export: ExportFile) -> str:
    """The file name the requester's browser saves (chosen here, never the uploaded one)."""
    return f"{ticket.reference}-{ticket.type}.{EXTENSIONS.get(export.content_type, 'bin')}"


# -- storing ------------------------------------------------------------------------------------
def _sniff(path: Path) -> str | None:
    """What the file's bytes are, among the types we can check; None for anything else."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"%PDF-"):
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - 2048))
            return "application/pdf" if b"%%EOF" in handle.read() else None
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            with zipfile.ZipFile(path) as archive:
                archive.infolist()  # the central directory reads: a real archive
            return "application/zip"
        except (zipfile.BadZipFile, OSError):
            return None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (UnicodeDecodeError, ValueError):
        return None
    if "\x00" in text or text.lstrip()[:1] == "<":  # binary, or markup (HTML, XML): not an export
        return None
    if text.lstrip()[:1] in ("{", "["):
        try:
            json.loads(text)
            return "application/json"
        except ValueError:
            return None
    return "text/csv" if text.strip() else None


def _write(source: BinaryIO, policy: ExportPolicy) -> tuple[str, int, str, str]:
    """Copy the upload to a new random file; (stored name, size, sha256, content type) or InvalidInput."""
    policy.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    stored = secrets.token_hex(16)
    final = policy.path(stored)
    partial = final.with_suffix(".part")
    digest, size = hashlib.sha256(), 0
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # owner only, never overwrite
        with os.fdopen(fd, "wb") as out:
            while chunk := source.read(CHUNK):
                size += len(chunk)
                if size > policy.max_bytes:
                    raise InvalidInput(
                        f"The export is larger than the limit of {policy.max_bytes // (1024 * 1024)} MB."
                    )
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise InvalidInput("The export is empty.")
        kind = _sniff(partial)
        if kind is None or kind not in policy.allowed_types:
            allowed = ", ".join(EXTENSIONS[t].upper() for t in policy.allowed_types)
            raise InvalidInput(f"The export must be one of: {allowed} (its content is checked, not its name).")
        partial.rename(final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return stored, size, digest.hexdigest(), kind


def _store(
    session: Session, ticket: Ticket, source: BinaryIO, *, policy: ExportPolicy, agent: Agent, now: datetime
) -> tuple[ExportFile, str]:
    stored, size, sha256, kind = _write(source, policy)
    try:
        secret = secrets.token_urlsafe(32)
        assert ticket.id is not None
        export = ExportFile(
            ticket_id=ticket.id,
            link_hash=link_digest(secret),
            stored_name=stored,
            content_type=kind,
            size=size,
            sha256=sha256,
            uploaded_by=agent.id,
            uploaded_at=now,
            expires_at=now + timedelta(days=policy.link_days),
        )
        _retire_links(session, ticket, now=now, by=agent)  # one live link per ticket: the newest
        session.add(export)
        session.flush()
    except BaseException:
        policy.path(stored).unlink(missing_ok=True)
        raise
    return export, secret


def _retire_links(session: Session, ticket: Ticket, *, now: datetime, by: Agent) -> None:
    for older in live_exports(session, ticket):
        if older.id is not None:
            older.revoked_at, older.revoked_by = now, by.id
            session.add(older)


def _detail(export: ExportFile) -> dict[str, object]:
    return {
        "export_id": export.id,
        "content_type": export.content_type,
        "size": export.size,
        "sha256": export.sha256,
        "expires_at": export.expires_at.isoformat(),
    }


def complete_with_export(
    session: Session,
    *,
    reference: str,
    source: BinaryIO,
    note: str | None,
    agent: Agent,
    policy: ExportPolicy,
    now: datetime,
) -> tuple[Ticket, ExportFile]:
    """Complete an access or portability request in progress with its export — or, once completed,
    send the requester a new copy (the earlier link stops working). One audit event either way."""
    ticket = find_ticket(session, reference, lock=True)
    if ticket.type not in EXPORT_TYPES:
        raise InvalidInput(
            f"Only {' and '.join(TYPE_LABELS.get(t, t) for t in EXPORT_TYPES)} requests are answered with a file."
        )
    if ticket.status not in ("in_progress", "completed"):
        raise TransitionRefused(f"Start {ticket.reference} before uploading its export.")
    text = clean_text(note or "")
    if len(text) > 5000:
        raise InvalidInput("The note is limited to 5000 characters.")
    completing = ticket.status == "in_progress"
    if completing and not text:
        raise InvalidInput("Completing a ticket needs a resolution note for the requester.")
    export, secret = _store(session, ticket, source, policy=policy, agent=agent, now=now)
    url = policy.link(secret)
    if completing:
        request = ActionRequest(
            "complete", note=text, download=Download(url, export.expires_at), export=_detail(export)
        )
        apply_action(session, ticket, request, actor=actor_for(agent), now=now)
    else:
        notice = new_copy(ticket, url=url, expires_at=export.expires_at, note=text or None)
        notify_requester(
            session, ticket, kind="new_export", subject=notice.subject, body=notice.body, now=now, mail=notice.mail
        )
        record_event(session, ticket, actor=actor_for(agent), action="export_uploaded", at=now, detail=_detail(export))
    return ticket, export


# -- the link -----------------------------------------------------------------------------------
def live_exports(session: Session, ticket: Ticket) -> list[ExportFile]:
    """The ticket's exports whose link still works (not revoked, not deleted; expiry is checked on use)."""
    return list(
        session.exec(
            select(ExportFile).where(
                ExportFile.ticket_id == ticket.id,
                col(ExportFile.revoked_at).is_(None),
                col(ExportFile.deleted_at).is_(None),
            )
        )
    )


def ticket_exports(session: Session, ticket_id: int) -> list[ExportFile]:
    return list(session.exec(select(ExportFile).where(ExportFile.ticket_id == ticket_id).order_by(col(ExportFile.id))))


def open_link(session: Session, secret: str, *, now: datetime) -> tuple[ExportFile, Ticket]:
    """The export behind a link, if it still works; LinkNotFound or LinkGone (with why) otherwise."""
    if not secret or len(secret) > 100:
        raise LinkNotFound("This download link is not valid.")
    export = session.exec(select(ExportFile).where(ExportFile.link_hash == link_digest(secret))).first()
    ticket = session.get(Ticket, export.ticket_id) if export else None
    if export is None or ticket is None:
        raise LinkNotFound("This download link is not valid.")
    if export.revoked_at is not None:
        raise LinkGone("The privacy team has withdrawn this download link. Ask them for a new one if you need it.")
    if export.deleted_at is not None or export.expires_at <= now or ticket.anonymized_at is not None:
        raise LinkGone(
            f"This download link expired on {export.expires_at:%Y-%m-%d}. Ask the privacy team for a new copy "
            f'if you still need it (tell the privacy assistant "reply to {ticket.reference}").'
        )
    return export, ticket


def record_download(session: Session, export: ExportFile, ticket: Ticket, *, now: datetime) -> None:
    """Every download is an audit event of the ticket."""
    export.downloads += 1
    export.last_downloaded_at = now
    session.add(export)
    record_event(
        session,
        ticket,
        actor="requester",
        action="export_downloaded",
        at=now,
        detail={"export_id": export.id, "download": export.downloads, "verified_via": "email_code"},
    )


def revoke_export(session: Session, *, reference: str, export_id: int, agent: Agent, now: datetime) -> ExportFile:
    """Withdraw a link at once (its file is deleted after the commit: `remove_files`)."""
    ticket = find_ticket(session, reference, lock=True)
    export = session.get(ExportFile, export_id)
    if export is None or export.ticket_id != ticket.id:
        raise InvalidInput("That export does not belong to this ticket.")
    if export.revoked_at is not None or export.deleted_at is not None:
        raise TransitionRefused("That download link no longer works already.")
    export.revoked_at, export.revoked_by, export.deleted_at = now, agent.id, now
    session.add(export)
    record_event(
        session, ticket, actor=actor_for(agent), action="export_revoked", at=now, detail={"export_id": export.id}
    )
    return export


# -- housekeeping -------------------------------------------------------------------------------
def expired_files(session: Session, *, now: datetime) -> list[str]:
    """Mark the files whose link expired or was revoked as deleted; their stored names, to remove
    once the transaction commits (a copy of someone's data does not outlive its link)."""
    gone = session.exec(
        select(ExportFile).where(
            col(ExportFile.deleted_at).is_(None),
            (col(ExportFile.expires_at) <= now) | col(ExportFile.revoked_at).is_not(None),
        )
    ).all()
    for export in gone:
        export.deleted_at = now
        session.add(export)
    return [e.stored_name for e in gone]


def ticket_files(session: Session, ticket_id: int, *, now: datetime) -> list[str]:
    """Mark all of a ticket's files deleted (its anonymisation); their stored names."""
    exports = session.exec(
        select(ExportFile).where(ExportFile.ticket_id == ticket_id, col(ExportFile.deleted_at).is_(None))
    ).all()
    for export in exports:
        export.deleted_at, export.revoked_at = now, export.revoked_at or now
        session.add(export)
    return [e.stored_name for e in exports]


def remove_files(directory: Path, names: Iterable[str]) -> int:
    """Delete stored files (idempotent); how many were there."""
    removed = 0
    for name in names:
        if _STORED_NAME.match(name):
            with contextlib.suppress(FileNotFoundError):
                (directory / name).unlink()
                removed += 1
    return removed


def sweep_orphans(session: Session, directory: Path, *, now: datetime) -> int:
    """Delete files under `directory` that no live export refers to (a crash between writing and
    committing, a deletion that failed), once they are older than an upload can take."""
    if not directory.is_dir():
        return 0
    live = set(session.exec(select(ExportFile.stored_name).where(col(ExportFile.deleted_at).is_(None))).all())
    removed = 0
    for path in directory.iterdir():
        name = path.name.removesuffix(".part")
        if not _STORED_NAME.match(name) or (path.name in live):
            continue
        if datetime.fromtimestamp(path.stat().st_mtime, tz=now.tzinfo) < now - ORPHAN_AGE:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
